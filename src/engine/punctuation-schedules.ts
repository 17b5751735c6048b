import { ProcessingError } from '../core/errors.js'
import type { Cancellable, PunctuationType, Punctuator } from '../processors/api.js'

interface Schedule {
  readonly type: PunctuationType
  readonly intervalMs: number
  readonly punctuator: Punctuator
  next: number
  cancelled: boolean
}

/**
 * A task's punctuation schedules. Stream-time schedules are aligned to 0, so they fire with the
 * first record; wall-clock ones fire an interval after they were scheduled. Missed intervals
 * collapse into one call, as in Kafka Streams.
 */
export class PunctuationSchedules {
  private schedules: Schedule[] = []
  private streamTimeCount = 0

  /** True when some stream-time schedule exists: the per-record check is skipped otherwise. */
  get hasStreamTime(): boolean {
    return this.streamTimeCount > 0
  }

  add(intervalMs: number, type: PunctuationType, punctuator: Punctuator, wallClockMs: number): Cancellable {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new ProcessingError(`A punctuation interval must be a positive number of ms, got ${intervalMs}.`)
    }
    const schedule: Schedule = { type, intervalMs, punctuator, next: type === 'stream-time' ? 0 : wallClockMs + intervalMs, cancelled: false }
    this.schedules.push(schedule)
    if (type === 'stream-time') this.streamTimeCount++
    return {
      cancel: () => {
        if (schedule.cancelled) return
        schedule.cancelled = true
        this.schedules = this.schedules.filter((s) => s !== schedule)
        if (type === 'stream-time') this.streamTimeCount--
      },
    }
  }

  /** True when some schedule of this type is due at `now`. */
  anyDue(type: PunctuationType, now: number): boolean {
    for (const s of this.schedules) if (s.type === type && s.next <= now) return true
    return false
  }

  /** The punctuators due at `now`, each moved on to its next time past `now`. */
  takeDue(type: PunctuationType, now: number): Punctuator[] {
    const due: Punctuator[] = []
    for (const s of this.schedules) {
      if (s.cancelled || s.type !== type || s.next > now) continue
      s.next += (Math.floor((now - s.next) / s.intervalMs) + 1) * s.intervalMs
      due.push(s.punctuator)
    }
    return due
  }
}
