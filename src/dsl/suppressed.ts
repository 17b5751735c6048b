import { ConfigError } from '../core/errors.js'
import { requireDurationMs } from '../core/time.js'

export type SuppressedSpec =
  | { readonly kind: 'until-window-closes' }
  | { readonly kind: 'until-time-limit'; readonly timeLimitMs: number; readonly maxRecords?: number }

/**
 * How `KTable.suppress` holds updates back.
 *
 * @example
 * windowedCounts.suppress(Suppressed.untilWindowCloses()).toStream().to('final-counts')
 */
export class Suppressed {
  private constructor(
    readonly spec: SuppressedSpec,
    readonly name: string | undefined,
  ) {
    Object.freeze(this)
  }

  /**
   * Emit each window's final result once, when stream time passes `end + grace`. Only for windowed
   * tables; stream time advances only with new records, so the last windows wait for later input.
   */
  static untilWindowCloses(): Suppressed {
    return new Suppressed({ kind: 'until-window-closes' }, undefined)
  }

  /**
   * Emit the latest value of a key `timeLimitMs` of stream time after its first held update. With
   * `maxRecords`, the oldest held updates are emitted early when more keys than that are held.
   */
  static untilTimeLimit(timeLimitMs: number, options: { maxRecords?: number } = {}): Suppressed {
    requireDurationMs('Suppressed time limit', timeLimitMs)
    const { maxRecords } = options
    if (maxRecords !== undefined && (!Number.isInteger(maxRecords) || maxRecords < 0)) {
      throw new ConfigError(`Suppressed maxRecords must be a non-negative whole number, got ${String(maxRecords)}.`)
    }
    return new Suppressed(maxRecords === undefined ? { kind: 'until-time-limit', timeLimitMs } : { kind: 'until-time-limit', timeLimitMs, maxRecords }, undefined)
  }

  /** Pins the suppress operator's name. */
  withName(name: string): Suppressed {
    return new Suppressed(this.spec, name)
  }
}
