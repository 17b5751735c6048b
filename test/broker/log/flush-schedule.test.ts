import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FlushSchedule } from '../../../src/broker/log/flush-schedule.js'

const never = { flushMessages: Infinity, flushMs: Infinity }

describe('flush schedule (flush.messages, flush.ms)', () => {
  let due: number
  let schedule: FlushSchedule

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    due = 0
    schedule = new FlushSchedule(() => due++)
  })

  afterEach(() => {
    schedule.stop()
    vi.useRealTimers()
  })

  it("never makes a sync due with Kafka's defaults, however much is appended or however long it waits", () => {
    for (let i = 0; i < 1000; i++) expect(schedule.appended(100, never)).toBe(false)
    vi.advanceTimersByTime(365 * 24 * 3600_000)
    expect(due).toBe(0)
    expect(schedule.unsyncedMessages).toBe(100_000)
  })

  it('makes a sync due once flush.messages messages were appended since the last sync', () => {
    const limits = { flushMessages: 5, flushMs: Infinity }
    expect(schedule.appended(2, limits)).toBe(false)
    expect(schedule.appended(2, limits)).toBe(false)
    expect(schedule.appended(1, limits)).toBe(true)
    schedule.synced()
    expect(schedule.unsyncedMessages).toBe(0)
    expect(schedule.appended(4, limits)).toBe(false)
    expect(schedule.appended(9, limits)).toBe(true) // one batch past the limit
  })

  it('calls for a sync once flush.ms passed since the last one, only while messages are unsynced', () => {
    const limits = { flushMessages: Infinity, flushMs: 1000 }
    vi.advanceTimersByTime(5000) // idle: no timer, nothing due
    schedule.synced()
    vi.advanceTimersByTime(400)
    expect(schedule.appended(1, limits)).toBe(false)
    vi.advanceTimersByTime(599)
    expect(due).toBe(0)
    vi.advanceTimersByTime(1)
    expect(due).toBe(1) // 1000 ms after the last sync, not after the append
    schedule.synced()
    vi.advanceTimersByTime(10_000)
    expect(due).toBe(1) // nothing appended since
  })

  it('drops the flush.ms timer when a sync starts for another reason, and on stop', () => {
    const limits = { flushMessages: Infinity, flushMs: 1000 }
    schedule.appended(1, limits)
    schedule.synced()
    vi.advanceTimersByTime(2000)
    expect(due).toBe(0)
    schedule.appended(1, limits)
    schedule.stop()
    vi.advanceTimersByTime(2000)
    expect(due).toBe(0)
  })

  it('waits out a flush.ms longer than one timer can', () => {
    const month = 30 * 24 * 3600_000
    schedule.appended(1, { flushMessages: Infinity, flushMs: month })
    vi.advanceTimersByTime(month - 1)
    expect(due).toBe(0)
    vi.advanceTimersByTime(1)
    expect(due).toBe(1)
  })
})
