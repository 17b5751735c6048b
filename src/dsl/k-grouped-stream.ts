import type { Windowed } from '../core/windowed.js'
import type { Accumulator } from '../processors/aggregate.js'
import { float64Serde } from '../serde/primitive.js'
import type { Serde } from '../serde/serde.js'
import type { StoreSupplierKind } from '../state/types.js'
import type { InternalStreamsBuilder } from './internal-builder.js'
import type { RepartitionNames } from './logical/nodes.js'
import { CogroupedKStream } from './cogrouped-k-stream.js'
import { KTable } from './k-table.js'
import type { AggregateOptions } from './options.js'
import { SessionWindowedKStream } from './session-windowed-k-stream.js'
import { TimeWindowedKStream } from './time-windowed-k-stream.js'
import { SessionWindows, SlidingWindows, type TimeWindows, type UnlimitedWindows } from './windows.js'

/** What grouped streams share with their windowed forms: where the grouping starts and its serdes. */
export interface Grouping<K, V> {
  readonly builder: InternalStreamsBuilder
  readonly parentId: number
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  /** The user's name of the grouping: names the repartition topic if one is needed. */
  readonly groupedName: string | undefined
}

/** The fields every aggregation node shares, with Kafka Streams-style names. */
export function aggregationBase<K, V, A>(
  grouping: Grouping<K, V>,
  prefix: string,
  options: AggregateOptions<A>,
  defaultStoreSerde?: Serde<A>,
  shape: { readonly table?: boolean; readonly countWithOptions?: boolean } = {},
): {
  name: string
  parents: number[]
  storeName: string
  keySerde: Serde<unknown> | undefined
  valueSerde: Serde<unknown> | undefined
  aggregateSerde: Serde<unknown> | undefined
  loggingEnabled: boolean
  cachingEnabled: boolean
  storeType: StoreSupplierKind | undefined
  repartitionBase: string
  repartitionNamedByUser: boolean
  repartitionNames: RepartitionNames | undefined
} {
  const { builder } = grouping
  // Kafka's count(Materialized) without a store name numbers one store name more ("we used to burn
  // a topology name here"); options with materialization fields stand for that Materialized here.
  if (shape.countWithOptions === true && options.storeName === undefined && (options.valueSerde !== undefined || options.loggingEnabled !== undefined || options.cachingEnabled !== undefined || options.storeType !== undefined)) {
    builder.name(`${prefix}STATE-STORE-`)
  }
  const storeName = builder.nameUnlessGiven(`${prefix}STATE-STORE-`, options.storeName)
  const repartitionBase = grouping.groupedName ?? storeName
  let repartitionNames: RepartitionNames | undefined
  let name: string
  if (shape.table === true) {
    // KGroupedTableImpl.doAggregate: `<name>-sink`, `<name>-source`, numbered before the aggregate.
    const sink = builder.name('KSTREAM-SINK-', options.name === undefined ? undefined : `${options.name}-sink`)
    const source = builder.name('KSTREAM-SOURCE-', options.name === undefined ? undefined : `${options.name}-source`)
    name = builder.name(prefix, options.name)
    repartitionNames = { sink, source }
  } else {
    // GroupedStreamAggregateBuilder: the aggregate, then its repartition if the key changed.
    name = builder.name(prefix, options.name)
    if (builder.keyChanged(grouping.parentId)) repartitionNames = builder.repartitionNames(repartitionBase)
  }
  return {
    name,
    parents: [grouping.parentId],
    storeName,
    keySerde: grouping.keySerde as Serde<unknown> | undefined,
    valueSerde: grouping.valueSerde as Serde<unknown> | undefined,
    aggregateSerde: (options.valueSerde ?? defaultStoreSerde) as Serde<unknown> | undefined,
    loggingEnabled: options.loggingEnabled ?? true,
    cachingEnabled: options.cachingEnabled ?? true,
    storeType: options.storeType,
    repartitionBase,
    repartitionNamedByUser: grouping.groupedName !== undefined,
    repartitionNames,
  }
}

/**
 * Counts are stored as 8-byte doubles unless the user names a serde (Kafka Streams stores them as
 * longs): cheaper than JSON on every read and write. The table's own value serde stays unset, so
 * what a sink writes still follows the runtime default.
 */
export const countStoreSerde = (): Serde<number> => float64Serde()

export const counting = <K, V>(): Accumulator<K, V, number> => (_key, _value, previous) => (previous ?? 0) + 1
export const reducing =
  <K, V>(reducer: (aggregate: V, value: V) => V): Accumulator<K, V, V> =>
  (_key, value, previous) =>
    previous === undefined ? value : reducer(previous, value)
export const aggregating =
  <K, V, A>(initializer: () => A, aggregator: (key: K, value: V, aggregate: A) => A): Accumulator<K, V, A> =>
  (key, value, previous) =>
    aggregator(key, value, previous === undefined ? initializer() : previous)

/**
 * A stream grouped by key, ready to aggregate. Records with a null key or value are skipped (time
 * and session windowed aggregations skip only null keys, as Kafka Streams does).
 *
 * @example
 * rides.groupByKey().count({ storeName: 'rides-per-driver' })
 */
export class KGroupedStream<K, V> {
  private readonly grouping: Grouping<K, V>

  /** @internal */
  constructor(builder: InternalStreamsBuilder, parentId: number, keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined, groupedName: string | undefined) {
    this.grouping = { builder, parentId, keySerde, valueSerde, groupedName }
  }

  /** The number of records per key. */
  count(options: AggregateOptions<number> = {}): KTable<K, number> {
    return this.accumulate('KSTREAM-AGGREGATE-', counting<K, V>(), options, countStoreSerde(), true)
  }

  /** Combines the values of a key; the first value is the initial aggregate. */
  reduce(reducer: (aggregate: V, value: V) => V, options: AggregateOptions<V> = {}): KTable<K, V> {
    return this.accumulate('KSTREAM-REDUCE-', reducing<K, V>(reducer), options)
  }

  /** Folds the values of a key into an aggregate that starts as `initializer()`. */
  aggregate<A>(initializer: () => A, aggregator: (key: K, value: V, aggregate: A) => A, options: AggregateOptions<A> = {}): KTable<K, A> {
    return this.accumulate('KSTREAM-AGGREGATE-', aggregating(initializer, aggregator), options)
  }

  /**
   * Starts a cogroup (Kafka Streams' KIP-150): this stream's values fold into an aggregate shared
   * with the grouped streams added by `.cogroup(other, aggregator)`, then `.aggregate(initializer)`.
   */
  cogroup<A>(aggregator: (key: K, value: V, aggregate: A) => A): CogroupedKStream<K, A> {
    return new CogroupedKStream<K, A>([{ grouping: this.cogroupGrouping(), aggregator: aggregator as (key: K, value: unknown, aggregate: A) => A }])
  }

  /**
   * @internal Where the grouping starts, for a cogroup. Typed without `V`, so that a grouped stream
   * stays covariant in its value type.
   */
  cogroupGrouping(): Grouping<K, unknown> {
    return this.grouping as Grouping<K, unknown>
  }

  /** Aggregates per window: tumbling/hopping (`TimeWindows`), sliding, session or unlimited windows. */
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>
  windowedBy(windows: TimeWindows | SlidingWindows | UnlimitedWindows): TimeWindowedKStream<K, V>
  windowedBy(windows: TimeWindows | SlidingWindows | UnlimitedWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows instanceof SessionWindows) return new SessionWindowedKStream(this.grouping, windows)
    return new TimeWindowedKStream(this.grouping, windows instanceof SlidingWindows ? { sliding: windows } : { time: windows })
  }

  private accumulate<A>(prefix: string, accumulate: Accumulator<K, V, A>, options: AggregateOptions<A>, storeSerde?: Serde<A>, isCount = false): KTable<K, A> {
    const base = aggregationBase(this.grouping, prefix, options, storeSerde, { countWithOptions: isCount })
    const id = this.grouping.builder.add({ kind: 'stream-aggregate', ...base, accumulate: accumulate as Accumulator<unknown, unknown, unknown> })
    return new KTable<K, A>(this.grouping.builder, id, this.grouping.keySerde, options.valueSerde, { storeName: base.storeName, storeNamedByUser: options.storeName !== undefined, windowGraceMs: undefined })
  }
}

export type { Windowed }
