import { ConfigError } from '../core/errors.js'
import { requireDurationMs } from '../core/time.js'

/**
 * Fixed-size windows aligned to the epoch: tumbling (`advance == size`) or hopping (`advanceBy`).
 *
 * @example
 * grouped.windowedBy(TimeWindows.ofSizeAndGrace(60_000, 5_000).advanceBy(10_000))
 */
export class TimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {
    Object.freeze(this)
  }

  /** Tumbling windows of `sizeMs`; a record later than its window's end is dropped. */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0)
  }

  /** Tumbling windows of `sizeMs` that accept out-of-order records until `end + graceMs`. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    requireDurationMs('TimeWindows size', sizeMs, { positive: true })
    requireDurationMs('TimeWindows grace', graceMs)
    return new TimeWindows(sizeMs, sizeMs, graceMs)
  }

  /** Hopping windows: a new window starts every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    requireDurationMs('TimeWindows advance', advanceMs, { positive: true })
    if (advanceMs > this.sizeMs) {
      throw new ConfigError(`TimeWindows advance (${advanceMs} ms) must not exceed the window size (${this.sizeMs} ms); records between windows would be lost.`)
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs)
  }
}

/**
 * Windows of `timeDifferenceMs` that slide with the records (KIP-450): two records share a window
 * when their timestamps differ by at most the time difference. Windows are `[start, start + difference]`.
 *
 * @example
 * grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(60_000, 5_000)).count()
 */
export class SlidingWindows {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {
    Object.freeze(this)
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0)
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    requireDurationMs('SlidingWindows time difference', timeDifferenceMs, { positive: true })
    requireDurationMs('SlidingWindows grace', graceMs)
    return new SlidingWindows(timeDifferenceMs, graceMs)
  }
}

/**
 * Sessions: bursts of activity of a key separated by at least `inactivityGapMs` of silence. Session
 * windows are `[first record, last record]`, both inclusive.
 *
 * @example
 * grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(120_000, 10_000))
 */
export class SessionWindows {
  private constructor(
    readonly inactivityGapMs: number,
    readonly graceMs: number,
  ) {
    Object.freeze(this)
  }

  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0)
  }

  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    requireDurationMs('SessionWindows inactivity gap', inactivityGapMs, { positive: true })
    requireDurationMs('SessionWindows grace', graceMs)
    return new SessionWindows(inactivityGapMs, graceMs)
  }
}
