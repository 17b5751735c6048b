import { TopologyError } from '../core/errors.js'
import type { EmitStrategyType } from '../processors/emit-final.js'

export type { EmitStrategyType }

/**
 * When a windowed aggregation sends its results downstream (Kafka Streams' `EmitStrategy`, KIP-825).
 * Set it with `emitStrategy()` on a windowed stream, before the aggregation.
 *
 * @example
 * rides.groupByKey()
 *   .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 5_000))
 *   .emitStrategy(EmitStrategy.onWindowClose())
 *   .count()   // one result per window, once stream time passes end + grace
 */
export class EmitStrategy {
  private constructor(private readonly strategyType: EmitStrategyType) {
    Object.freeze(this)
  }

  /**
   * Each window's result is sent once, when the window closes (stream time passes its end plus
   * grace; for sessions, end plus gap plus grace), with no update before. Unlike
   * `suppress(Suppressed.untilWindowCloses())` no buffer is kept: the closed windows are read back
   * from the aggregation's own store.
   */
  static onWindowClose(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_CLOSE')
  }

  /** Every update of a window is sent at once (the default). */
  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_UPDATE')
  }

  /** `'ON_WINDOW_CLOSE'` or `'ON_WINDOW_UPDATE'` (Kafka's `EmitStrategy.StrategyType`). */
  type(): EmitStrategyType {
    return this.strategyType
  }
}

/** @internal The strategy's type, or a TopologyError when `strategy` is not an EmitStrategy. */
export function strategyTypeOf(strategy: EmitStrategy, operator: string): EmitStrategyType {
  if (!(strategy instanceof EmitStrategy)) {
    throw new TopologyError(`${operator}.emitStrategy() takes EmitStrategy.onWindowClose() or EmitStrategy.onWindowUpdate(), got ${String(strategy)}.`)
  }
  return strategy.type()
}
