import { ConfigError } from '../core/errors.js'
import { requireDurationMs } from '../core/time.js'
import type { JoinWindowSpec } from '../processors/joins/stream-stream-join.js'

/**
 * The window of a stream-stream join: a left record at `t` joins right records with timestamps in
 * `[t - beforeMs, t + afterMs]`; records may arrive out of order until stream time passes the window
 * end plus `graceMs`, after which left and outer joins emit their unmatched records.
 *
 * @example
 * requests.join(assignments, (req, asg) => ({ ...req, driver: asg.driver }), JoinWindows.ofTimeDifferenceAndGrace(60_000, 5_000))
 * // only right records up to 10 s before and 30 s after each left record
 * JoinWindows.ofTimeDifferenceWithNoGrace(30_000).before(10_000)
 */
export class JoinWindows implements JoinWindowSpec {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {
    Object.freeze(this)
  }

  /** Records join when their timestamps differ by at most `timeDifferenceMs`; late records are accepted for `graceMs`. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    requireDurationMs('JoinWindows time difference', timeDifferenceMs)
    requireDurationMs('JoinWindows grace', graceMs)
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs)
  }

  /** Records join when their timestamps differ by at most `timeDifferenceMs`; no out-of-order grace. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0)
  }

  /** How far before a left record a right record may be (the window's lower bound); the upper bound stays. */
  before(timeDifferenceMs: number): JoinWindows {
    if (!Number.isInteger(timeDifferenceMs)) requireDurationMs('JoinWindows before', timeDifferenceMs)
    return JoinWindows.checked(timeDifferenceMs, this.afterMs, this.graceMs)
  }

  /** How far after a left record a right record may be (the window's upper bound); the lower bound stays. */
  after(timeDifferenceMs: number): JoinWindows {
    if (!Number.isInteger(timeDifferenceMs)) requireDurationMs('JoinWindows after', timeDifferenceMs)
    return JoinWindows.checked(this.beforeMs, timeDifferenceMs, this.graceMs)
  }

  /** The window's total span, `before + after`. */
  get sizeMs(): number {
    return this.beforeMs + this.afterMs
  }

  // A negative before or after shifts the window (Kafka Streams allows it); only an empty window is an error.
  private static checked(beforeMs: number, afterMs: number, graceMs: number): JoinWindows {
    if (beforeMs + afterMs < 0) {
      throw new ConfigError(
        `JoinWindows before (${beforeMs} ms) + after (${afterMs} ms) must not be negative: no record could ever join. ` +
          `Widen one of the bounds.`,
      )
    }
    return new JoinWindows(beforeMs, afterMs, graceMs)
  }
}
