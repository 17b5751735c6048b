import { ConfigError } from '../core/errors.js'
import { requireDurationMs } from '../core/time.js'
import type { TimeWindowSpec } from '../processors/time-window-aggregate.js'
import { MAX_TIME } from '../state/key-schema/time-bytes.js'

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
 * One window per key that never closes (Kafka Streams' `UnlimitedWindows`): every record at or
 * after `startMs` (default 0) falls into `[startMs, MAX_TIME]`; records before it are not
 * aggregated. The window's end is `Number.MAX_SAFE_INTEGER` (Kafka's is `Long.MAX_VALUE`), its grace
 * 0, and its store keeps it for good. Suppression until the window closes, and
 * `EmitStrategy.onWindowClose()`, never emit it.
 *
 * @example
 * rides.groupByKey().windowedBy(UnlimitedWindows.of().startOn(Date.parse('2026-01-01'))).count()
 */
export class UnlimitedWindows {
  /** The window's length, so that `start + sizeMs` is the end of time. */
  readonly sizeMs: number
  /** Equal to `sizeMs`: there is one window. */
  readonly advanceMs: number
  readonly graceMs = 0

  private constructor(readonly startMs: number) {
    this.sizeMs = MAX_TIME - startMs
    this.advanceMs = this.sizeMs
    Object.freeze(this)
  }

  /** The window starting at 0. */
  static of(): UnlimitedWindows {
    return new UnlimitedWindows(0)
  }

  /** The same windows starting at `startMs` (epoch milliseconds, not negative). */
  startOn(startMs: number): UnlimitedWindows {
    if (!Number.isSafeInteger(startMs) || startMs < 0) {
      throw new ConfigError(`UnlimitedWindows start must be a non-negative integer of epoch milliseconds, got ${String(startMs)}.`)
    }
    return new UnlimitedWindows(startMs)
  }

  /** Starts of the windows `timestamp` falls into: `[startMs]`, or none before the start. */
  windowsFor(timestamp: number): number[] {
    return timestamp >= this.startMs ? [this.startMs] : []
  }
}

/** What the window aggregation needs to know of time or unlimited windows. */
export function timeWindowSpec(windows: TimeWindows | UnlimitedWindows): TimeWindowSpec {
  const { sizeMs, advanceMs, graceMs } = windows
  return windows instanceof UnlimitedWindows ? { sizeMs, advanceMs, graceMs, unlimitedStartMs: windows.startMs } : { sizeMs, advanceMs, graceMs }
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
