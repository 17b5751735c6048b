import type { Windowed } from '../core/windowed.js'
import type { Accumulator } from '../processors/aggregate.js'
import type { Serde } from '../serde/serde.js'
import { type EmitStrategy, type EmitStrategyType, strategyTypeOf } from './emit-strategy.js'
import { aggregating, aggregationBase, countStoreSerde, counting, reducing, type Grouping } from './k-grouped-stream.js'
import { KTable } from './k-table.js'
import type { AggregateOptions } from './options.js'
import { timeWindowSpec, type SlidingWindows, type TimeWindows, type UnlimitedWindows } from './windows.js'

/**
 * A grouped stream cut into time windows (tumbling, hopping or sliding). Aggregations return a
 * table keyed by `Windowed<K>`; each update is forwarded at once, unless
 * `emitStrategy(EmitStrategy.onWindowClose())` asks for final results only (see also `suppress`).
 *
 * @example
 * rides.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count()
 */
export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouping: Grouping<K, V>,
    private readonly windows: { readonly time: TimeWindows | UnlimitedWindows } | { readonly sliding: SlidingWindows },
  ) {}

  private strategy: EmitStrategyType = 'ON_WINDOW_UPDATE'

  /**
   * When the aggregations declared after this call send their results (Kafka Streams' KIP-825):
   * `EmitStrategy.onWindowUpdate()` (the default) sends every update; `EmitStrategy.onWindowClose()`
   * sends each window once, when stream time passes its end plus grace. As in Kafka Streams it
   * sets the strategy of this windowed stream and returns it.
   */
  emitStrategy(emitStrategy: EmitStrategy): this {
    this.strategy = strategyTypeOf(emitStrategy, 'TimeWindowedKStream')
    return this
  }

  count(options: AggregateOptions<number> = {}): KTable<Windowed<K>, number> {
    // Kafka's count(Materialized) numbers one more store name for time windows, not sliding ones.
    return this.accumulate('KSTREAM-AGGREGATE-', counting<K, V>(), options, countStoreSerde(), 'time' in this.windows)
  }

  reduce(reducer: (aggregate: V, value: V) => V, options: AggregateOptions<V> = {}): KTable<Windowed<K>, V> {
    return this.accumulate('KSTREAM-REDUCE-', reducing<K, V>(reducer), options)
  }

  aggregate<A>(initializer: () => A, aggregator: (key: K, value: V, aggregate: A) => A, options: AggregateOptions<A> = {}): KTable<Windowed<K>, A> {
    return this.accumulate('KSTREAM-AGGREGATE-', aggregating(initializer, aggregator), options)
  }

  private accumulate<A>(prefix: string, accumulate: Accumulator<K, V, A>, options: AggregateOptions<A>, storeSerde?: Serde<A>, isCount = false): KTable<Windowed<K>, A> {
    const base = aggregationBase(this.grouping, prefix, options, storeSerde, { countWithOptions: isCount })
    const erased = accumulate as Accumulator<unknown, unknown, unknown>
    let id: number
    let graceMs: number
    if ('time' in this.windows) {
      graceMs = this.windows.time.graceMs
      id = this.grouping.builder.add({ kind: 'time-window-aggregate', ...base, accumulate: erased, windows: timeWindowSpec(this.windows.time), emitStrategy: this.strategy })
    } else {
      const { timeDifferenceMs } = this.windows.sliding
      graceMs = this.windows.sliding.graceMs
      id = this.grouping.builder.add({ kind: 'sliding-window-aggregate', ...base, accumulate: erased, windows: { timeDifferenceMs, graceMs }, emitStrategy: this.strategy })
    }
    return new KTable<Windowed<K>, A>(this.grouping.builder, id, undefined, options.valueSerde, { storeName: base.storeName, storeNamedByUser: options.storeName !== undefined, windowGraceMs: graceMs, windowed: { keySerde: base.keySerde, sessions: false } })
  }
}
