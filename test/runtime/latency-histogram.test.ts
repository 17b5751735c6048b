import { describe, expect, it } from 'vitest'
import { LATENCY_BUCKETS_SECONDS, LatencyHistogram } from '../../src/runtime/latency-histogram.js'

describe('LatencyHistogram', () => {
  it('counts a latency in the first bucket whose bound it does not exceed, cumulatively', () => {
    const h = new LatencyHistogram([0.001, 0.01, 0.1])
    // milliseconds in, seconds out; a latency equal to a bound belongs to that bucket (Prometheus' `le`)
    for (const ms of [0, 0.5, 1, 1.0001, 10, 50, 100, 100.5, 5_000]) h.record(ms)
    const s = h.snapshot()
    expect(s.bucketsSeconds).toEqual([0.001, 0.01, 0.1])
    expect(s.counts).toEqual([3, 5, 7])
    expect(s.count).toBe(9)
    expect(s.sumSeconds).toBeCloseTo((0.5 + 1 + 1.0001 + 10 + 50 + 100 + 100.5 + 5_000) / 1000, 9)
  })

  it('uses the default buckets, from 100 µs to 10 s, and starts empty', () => {
    const h = new LatencyHistogram()
    expect(h.snapshot()).toEqual({ bucketsSeconds: [...LATENCY_BUCKETS_SECONDS], counts: LATENCY_BUCKETS_SECONDS.map(() => 0), sumSeconds: 0, count: 0 })
    h.record(0.25) // 250 µs: exactly the second bound
    h.record(20_000) // beyond the last bound: only in count (the +Inf bucket)
    const s = h.snapshot()
    expect(s.counts[0]).toBe(0)
    expect(s.counts[1]).toBe(1)
    expect(s.counts.at(-1)).toBe(1)
    expect(s.count).toBe(2)
  })

  it('snapshots are copies: later records do not change them', () => {
    const h = new LatencyHistogram([1])
    h.record(1)
    const before = h.snapshot()
    h.record(1)
    expect(before.counts).toEqual([1])
    expect(h.snapshot().counts).toEqual([2])
  })

  it('refuses bounds that do not ascend', () => {
    expect(() => new LatencyHistogram([0.1, 0.1])).toThrow(RangeError)
    expect(() => new LatencyHistogram([1, 0.5])).toThrow(/ascend/)
  })
})
