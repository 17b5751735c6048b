import { describe, expect, it } from 'vitest'
import { EventClock } from '../../src/engine/event-clock.js'
import { decodeProgress, encodeProgress, WATERMARK_MARKER_HEADER } from '../../src/engine/watermark-wire.js'
import { TaskWatermarks, MARKER_INTERVAL_MS, MARKER_REFRESH_MS } from '../../src/engine/task-watermarks.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/index.js'
import { tasksForTopology } from '../../src/engine/task-id.js'

const IDLE = 30_000
const writer = (partition: number, eventTimeMs: number, idle = false) => ({ writer: `0_${partition}`, subtopology: 0, writers: 2, eventTimeMs, idle })
const never = () => false
const always = () => true

describe('EventClock', () => {
  it('is the minimum over the inputs: a topic partition by the timestamps taken from it', () => {
    const clock = new EventClock([{}, {}], IDLE, 0)
    clock.taken(0, 5_000, 0)
    clock.update()
    expect(clock.currentMs).toBe(Number.NEGATIVE_INFINITY)
    clock.taken(1, 3_000, 0)
    clock.update()
    expect(clock.currentMs).toBe(3_000)
    // It never goes back, even when a record older than the minimum is taken.
    clock.taken(1, 1_000, 0)
    clock.update()
    expect(clock.currentMs).toBe(3_000)
  })

  it('follows the slowest writer of a repartition partition, and holds at -Infinity until every writer is heard from', () => {
    const clock = new EventClock([{ writerSubtopologies: [0] }], IDLE, 0)
    clock.heard(0, writer(0, 90_000))
    clock.update()
    expect(clock.currentMs).toBe(Number.NEGATIVE_INFINITY)
    clock.heard(0, writer(1, 10_000))
    clock.update()
    expect(clock.currentMs).toBe(10_000)
  })

  it('never takes a silent writer for idle, however long the wall clock runs: only its own idle marker does', () => {
    const clock = new EventClock([{ writerSubtopologies: [0] }], IDLE, 0)
    clock.heard(0, writer(0, 90_000))
    clock.heard(0, writer(1, 10_000))
    clock.update()
    clock.tick(10 * IDLE, always)
    expect(clock.currentMs).toBe(10_000)
    clock.heard(0, writer(1, 10_000, true))
    clock.update()
    expect(clock.currentMs).toBe(90_000)
  })

  it('makes a caught-up topic partition idle after idleTimeoutMs of wall clock, and then follows the wall clock', () => {
    const clock = new EventClock([{}, {}], IDLE, 0)
    clock.taken(0, 50_000, 1_000)
    clock.update()
    clock.tick(IDLE - 1, always)
    expect(clock.currentMs).toBe(Number.NEGATIVE_INFINITY)
    // Input 1 never had a record: idle IDLE after the start; input 0 still active (last taken at 1000).
    clock.tick(IDLE, always)
    expect(clock.currentMs).toBe(50_000)
    expect(clock.allIdle).toBe(false)
    clock.tick(IDLE + 1_000, always)
    expect(clock.allIdle).toBe(true)
    clock.tick(IDLE + 6_000, always)
    expect(clock.currentMs).toBe(55_000)
    // A record buffered again wakes the input up: the wall clock no longer drives the event time.
    clock.buffered(0)
    clock.tick(IDLE + 60_000, (i) => i !== 0)
    expect(clock.allIdle).toBe(false)
    expect(clock.currentMs).toBe(55_000)
  })

  it('does not count an input idle while it has records buffered or on the broker', () => {
    const clock = new EventClock([{}], IDLE, 0)
    clock.taken(0, 50_000, 0)
    clock.tick(10 * IDLE, never)
    expect(clock.allIdle).toBe(false)
  })
})

describe('watermark wire format', () => {
  it('round-trips writer, writers, event time and idleness', () => {
    expect(decodeProgress(encodeProgress('3_11', 12, 1_700_000_000_123, true))).toEqual({ writer: '3_11', subtopology: 3, writers: 12, eventTimeMs: 1_700_000_000_123, idle: true })
    expect(decodeProgress(encodeProgress('0_0', 1, Number.NEGATIVE_INFINITY, false))?.eventTimeMs).toBe(Number.NEGATIVE_INFINITY)
    expect(decodeProgress(Buffer.from('not ours'))).toBeUndefined()
  })
})

describe('TaskWatermarks markers', () => {
  const s = Serdes.string()
  const b = new StreamsBuilder()
  b.stream<string, string>('pings', { keySerde: s, valueSerde: s }).groupBy((_k, v) => v, { keySerde: s, valueSerde: s, name: 'by-zone' }).count()
  const topology = b.build()
  const specs = tasksForTopology(topology, 'app', new Map([['pings', 2], ['app-by-zone-repartition', 3]]))
  const writerSpec = specs.find((t) => t.id.subtopology === 0 && t.id.partition === 1)!

  it('go to every partition of the repartition topics the task writes, when its event time moved, at most every second between commits', () => {
    const wm = new TaskWatermarks(topology, 'app', writerSpec, '0_1', IDLE, 0)
    // The first ones say who writes, before the task has an event time.
    const first = wm.markersDue(0, false)
    expect(first.map((m) => [m.topic, m.partition, m.key, m.value])).toEqual([0, 1, 2].map((p) => ['app-by-zone-repartition', p, null, null]))
    expect(decodeProgress(first[0]!.headers[WATERMARK_MARKER_HEADER])).toEqual({ writer: '0_1', subtopology: 0, writers: 2, eventTimeMs: Number.NEGATIVE_INFINITY, idle: false })
    wm.beforeRecord(0, 10_000, 10)
    expect(wm.markersDue(10, false)).toEqual([])
    const moved = wm.markersDue(MARKER_INTERVAL_MS, false)
    expect(moved.map((m) => m.timestamp)).toEqual([10_000, 10_000, 10_000])
    expect(decodeProgress(moved[2]!.headers[WATERMARK_MARKER_HEADER])?.eventTimeMs).toBe(10_000)
    wm.beforeRecord(0, 20_000, MARKER_INTERVAL_MS + 1)
    // A commit sends them at once.
    expect(wm.markersDue(MARKER_INTERVAL_MS + 1, true)).toHaveLength(3)
  })

  it('repeat unchanged every MARKER_REFRESH_MS, so that a reader starting afresh hears from idle writers', () => {
    const wm = new TaskWatermarks(topology, 'app', writerSpec, '0_1', IDLE, 0)
    wm.beforeRecord(0, 10_000, 0)
    expect(wm.markersDue(0, true)).toHaveLength(3)
    expect(wm.markersDue(MARKER_REFRESH_MS - 1, true)).toEqual([])
    expect(wm.markersDue(MARKER_REFRESH_MS, false)).toHaveLength(3)
  })

  it('a task that writes no repartition topic sends none', () => {
    const readerSpec = specs.find((t) => t.id.subtopology === 1)!
    const wm = new TaskWatermarks(topology, 'app', readerSpec, '1_0', IDLE, 0)
    expect(wm.markersDue(MARKER_REFRESH_MS * 10, true)).toEqual([])
  })
})
