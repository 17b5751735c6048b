import type { Windowed } from '../core/windowed.js'
import { reducingSessionParams, type SessionWindowAggregateParams } from '../processors/session-window-aggregate.js'
import type { Serde } from '../serde/serde.js'
import { type EmitStrategy, type EmitStrategyType, strategyTypeOf } from './emit-strategy.js'
import { aggregationBase, countStoreSerde, type Grouping } from './k-grouped-stream.js'
import { KTable } from './k-table.js'
import type { AggregateOptions } from './options.js'
import type { SessionWindows } from './windows.js'

/**
 * A grouped stream cut into sessions. When a record bridges two sessions they merge: the old
 * sessions are retracted (a `null` value each) and the merged one is forwarded. With
 * `emitStrategy(EmitStrategy.onWindowClose())` only each session's final result is sent.
 *
 * @example
 * trips.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(300_000))
 *   .aggregate(() => 0, (k, v, km) => km + v.km, (k, a, b) => a + b)
 */
export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouping: Grouping<K, V>,
    private readonly windows: SessionWindows,
  ) {}

  private strategy: EmitStrategyType = 'ON_WINDOW_UPDATE'

  /**
   * When the aggregations declared after this call send their results (Kafka Streams' KIP-825):
   * `EmitStrategy.onWindowUpdate()` (the default) sends every change, retractions of merged
   * sessions included; `EmitStrategy.onWindowClose()` sends each session once, when stream time
   * passes its end plus gap plus grace. As in Kafka Streams it sets the strategy of this stream and returns it.
   */
  emitStrategy(emitStrategy: EmitStrategy): this {
    this.strategy = strategyTypeOf(emitStrategy, 'SessionWindowedKStream')
    return this
  }

  count(options: AggregateOptions<number> = {}): KTable<Windowed<K>, number> {
    return this.add('KSTREAM-AGGREGATE-', { storeName: '', windows: this.spec(), initializer: () => 0, aggregator: (_k, _v, n) => n + 1, merger: (_k, a, b) => a + b }, options, countStoreSerde(), true)
  }

  reduce(reducer: (aggregate: V, value: V) => V, options: AggregateOptions<V> = {}): KTable<Windowed<K>, V> {
    const params = reducingSessionParams<K, V>('', this.spec(), reducer)
    return this.add('KSTREAM-REDUCE-', params as SessionWindowAggregateParams<K, V, V>, options)
  }

  /** `merger` combines the aggregates of two sessions that a new record joins into one. */
  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    merger: (key: K, left: A, right: A) => A,
    options: AggregateOptions<A> = {},
  ): KTable<Windowed<K>, A> {
    return this.add('KSTREAM-AGGREGATE-', { storeName: '', windows: this.spec(), initializer, aggregator, merger }, options)
  }

  private spec(): { inactivityGapMs: number; graceMs: number } {
    return { inactivityGapMs: this.windows.inactivityGapMs, graceMs: this.windows.graceMs }
  }

  private add<A>(prefix: string, params: SessionWindowAggregateParams<K, V, A>, options: AggregateOptions<A>, storeSerde?: Serde<A>, isCount = false): KTable<Windowed<K>, A> {
    const base = aggregationBase(this.grouping, prefix, options, storeSerde, { countWithOptions: isCount })
    const id = this.grouping.builder.add({
      kind: 'session-window-aggregate',
      ...base,
      params: { ...params, storeName: base.storeName, emitStrategy: this.strategy } as unknown as SessionWindowAggregateParams<unknown, unknown, unknown>,
    })
    // Final results of a session are known only once it can no longer grow: gap + grace after its end.
    return new KTable<Windowed<K>, A>(this.grouping.builder, id, undefined, options.valueSerde, { storeName: base.storeName, storeNamedByUser: options.storeName !== undefined, windowGraceMs: this.windows.inactivityGapMs + this.windows.graceMs, windowed: { keySerde: base.keySerde, sessions: true } })
  }
}
