import { describe, expect, it } from 'vitest'
import { LatencyWindow, SlidingRate } from '../../src/runtime/metric-windows.js'

describe('SlidingRate', () => {
  it('averages over the time since creation until the window is full', () => {
    const rate = new SlidingRate(10, 100_000)
    rate.add(50, 100_500)
    rate.add(50, 101_999)
    expect(rate.count()).toBe(100)
    // 100 events in the 2 seconds since creation.
    expect(rate.perSecond(102_000)).toBeCloseTo(50, 5)
  })

  it('forgets seconds that slid out of the window but keeps the total', () => {
    const rate = new SlidingRate(5, 0)
    rate.add(1_000, 500) // second 0
    rate.add(10, 6_500) // second 6: second 0 is out of the 5-second window
    expect(rate.count()).toBe(1_010)
    // The window is seconds 2..6 (4.5 s of it elapsed in full seconds plus half of second 6).
    expect(rate.perSecond(6_500)).toBeCloseTo(10 / 4.5, 5)
    // Long idle: everything slid out.
    expect(rate.perSecond(60_000)).toBe(0)
  })
})

describe('LatencyWindow', () => {
  it('reports count, average, max and a 99th percentile within one bucket', () => {
    const window = new LatencyWindow(30_000, 0)
    for (let i = 0; i < 990; i++) window.record(0.1, 1_000)
    for (let i = 0; i < 10; i++) window.record(50, 1_000)
    const summary = window.summary(1_000)
    expect(summary.count).toBe(1_000)
    expect(summary.avgMs).toBeCloseTo((990 * 0.1 + 10 * 50) / 1_000, 9)
    expect(summary.maxMs).toBe(50)
    // The 990th sample of 1000 is a 0.1 ms one; buckets are at most 19% wide.
    expect(summary.p99Ms).toBeGreaterThanOrEqual(0.1)
    expect(summary.p99Ms).toBeLessThan(0.1 * 1.2)
  })

  it('covers the current and the previous window, then forgets', () => {
    const window = new LatencyWindow(1_000, 0)
    window.record(5, 100)
    window.record(7, 1_100) // rotated once: the 5 ms sample is in the previous window
    expect(window.summary(1_200)).toMatchObject({ count: 2, maxMs: 7, avgMs: 6 })
    window.record(1, 2_100) // rotated again: the 5 ms sample is gone
    expect(window.summary(2_200)).toMatchObject({ count: 2, maxMs: 7, avgMs: 4 })
    expect(window.summary(10_000)).toEqual({ count: 0, avgMs: 0, p99Ms: 0, maxMs: 0 })
  })
})
