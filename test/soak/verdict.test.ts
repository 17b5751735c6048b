import { describe, expect, it } from 'vitest'
import type { RawRecord } from '../../src/kafka/index.js'
import { TOPICS, WINDOW_MS } from '../../soak/soak-topology.js'
import { judge } from '../../soak/verdict.js'

const record = (topic: string, key: string, value: unknown, timestamp: number, offset = 0): RawRecord => ({
  topic,
  partition: 0,
  offset: BigInt(offset),
  timestamp,
  key: Buffer.from(key),
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers: [],
})

describe('the soak verdict', () => {
  // Rides 1 and 2 in zone a (window 0), ride 3 in zone b (window 1); the feeder wrote ride 3's request twice.
  const requests = [
    record(TOPICS.requests, 'ride-1', { zone: 'a', n: 1 }, 1_000),
    record(TOPICS.requests, 'ride-2', { zone: 'a', n: 2 }, 2_000),
    record(TOPICS.requests, 'ride-3', { zone: 'b', n: 3 }, WINDOW_MS + 1),
    record(TOPICS.requests, 'ride-3', { zone: 'b', n: 3 }, WINDOW_MS + 1),
  ]
  const offers = [
    record(TOPICS.offers, 'ride-1', { driver: 'd1', n: 1 }, 1_500),
    // Too far from its request to match.
    record(TOPICS.offers, 'ride-2', { driver: 'd2', n: 2 }, 2_000 + 60_000),
    record(TOPICS.offers, 'ride-3', { driver: 'd3', n: 3 }, WINDOW_MS + 500),
  ]
  const exact = {
    zoneCounts: [record(TOPICS.zoneCounts, 'a', 1, 0), record(TOPICS.zoneCounts, 'a', 2, 0), record(TOPICS.zoneCounts, 'b', 1, 0), record(TOPICS.zoneCounts, 'b', 2, 0)],
    windowFinals: [record(TOPICS.windowFinals, 'a@0', 2, 0), record(TOPICS.windowFinals, `b@${WINDOW_MS}`, 2, 0)],
    matches: [record(TOPICS.matches, 'ride-1', '1|d1', 0), record(TOPICS.matches, 'ride-3', '3|d3', 0), record(TOPICS.matches, 'ride-3', '3|d3', 0)],
  }

  it('finds nothing lost or repeated in exact outputs, counting a request written twice twice', () => {
    expect(judge({ requests, offers }, exact, true).map((v) => [v.expected, v.seen, v.lost, v.duplicated])).toEqual([
      [4, 4, 0, 0],
      [2, 2, 0, 0],
      [3, 3, 0, 0],
    ])
  })

  it('judges a running count by its last value, which the record cache may reach without the ones before', () => {
    const cached = { ...exact, zoneCounts: [record(TOPICS.zoneCounts, 'a', 2, 0), record(TOPICS.zoneCounts, 'b', 2, 0)] }
    expect(judge({ requests, offers }, cached, true)[0]).toMatchObject({ expected: 4, seen: 4, lost: 0, duplicated: 0 })
  })

  it('under at-least-once, judges a running count by how far it got: short is lost, past the truth is repeated', () => {
    const skipped = { ...exact, zoneCounts: [record(TOPICS.zoneCounts, 'a', 2, 0), record(TOPICS.zoneCounts, 'b', 1, 0), record(TOPICS.zoneCounts, 'b', 1, 0), record(TOPICS.zoneCounts, 'b', 2, 0), record(TOPICS.zoneCounts, 'b', 3, 0)] }
    expect(judge({ requests, offers }, skipped, false)[0]).toMatchObject({ lost: 0, duplicated: 1 })
    const short = { ...exact, zoneCounts: [record(TOPICS.zoneCounts, 'a', 1, 0), record(TOPICS.zoneCounts, 'b', 2, 0)] }
    expect(judge({ requests, offers }, short, false)[0]).toMatchObject({ lost: 1, duplicated: 0 })
  })

  it('counts what is missing or short as lost and what repeats or overshoots as duplicated', () => {
    const outputs = {
      zoneCounts: [...exact.zoneCounts.slice(0, 3), record(TOPICS.zoneCounts, 'a', 2, 0)],
      windowFinals: [record(TOPICS.windowFinals, 'a@0', 1, 0), record(TOPICS.windowFinals, `b@${WINDOW_MS}`, 2, 0), record(TOPICS.windowFinals, `b@${WINDOW_MS}`, 3, 0)],
      matches: [exact.matches[0] as RawRecord, exact.matches[0] as RawRecord, exact.matches[1] as RawRecord],
    }
    expect(judge({ requests, offers }, outputs, true).map((v) => [v.lost, v.duplicated])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ])
  })
})
