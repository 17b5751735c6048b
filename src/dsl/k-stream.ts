import { TopologyError } from '../core/errors.js'
import type { KeyValue } from '../core/record.js'
import type { ProcessorSupplier } from '../processors/api.js'
import { filterProcessor } from '../processors/filter.js'
import { flatMapValuesProcessor } from '../processors/flat-map-values.js'
import { flatMapProcessor } from '../processors/flat-map.js'
import { mapValuesProcessor } from '../processors/map-values.js'
import { mapProcessor } from '../processors/map.js'
import { peekProcessor } from '../processors/peek.js'
import { defaultPrintMapper, printProcessor } from '../processors/print.js'
import { selectKeyProcessor } from '../processors/select-key.js'
import { fixedKeyProcessor } from '../processors/fixed-key.js'
import type { Serde } from '../serde/serde.js'
import type { TopicNameExtractor } from '../topology/types.js'
import type { InternalStreamsBuilder } from './internal-builder.js'
import { GlobalKTable } from './global-k-table.js'
import { userStoreSpec } from './logical/compile-context.js'
import { JoinWindows } from './join-windows.js'
import { KGroupedStream } from './k-grouped-stream.js'
import { KTable } from './k-table.js'
import type {
  GroupedOptions,
  JoinedOptions,
  NamedOptions,
  PrintOptions,
  ProcessOptions,
  ProcessorSupplierWithStores,
  ProducedOptions,
  RepartitionOptions,
  SplitOptions,
  StreamJoinedOptions,
  ToTableOptions,
} from './options.js'
import { addGlobalTableJoin, addStreamStreamJoin, addStreamTableJoin, type JoinInput } from './stream-joins.js'
import { toValueJoinerWithKey, type ValueJoiner, type ValueJoinerWithKey } from './value-joiner.js'

/**
 * An unbounded stream of key-value records. Every operator returns a new stream; nothing runs until
 * the topology is built and started.
 *
 * @example
 * builder.stream<string, Ride>('rides', { keySerde: Serdes.string(), valueSerde: Serdes.json() })
 *   .filter((id, ride) => ride.status === 'completed')
 *   .mapValues((ride) => ride.fare)
 *   .to('fares')
 */
export class KStream<K, V> {
  /** @internal Streams are made by `StreamsBuilder` and by other streams' operators. */
  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly nodeId: number,
    /** The key serde known at this point (from the source or an operator's options), if any. */
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
  ) {}

  private stateless<K2, V2>(
    operator: string,
    prefix: string,
    supplier: ProcessorSupplier,
    changesKey: boolean,
    options: NamedOptions | undefined,
    keySerde: Serde<K2> | undefined,
    valueSerde: Serde<V2> | undefined,
  ): KStream<K2, V2> {
    const name = this.builder.name(prefix, options?.name)
    const id = this.builder.add({ kind: 'stateless', name, parents: [this.nodeId], operator, supplier, changesKey })
    return new KStream(this.builder, id, keySerde, valueSerde)
  }

  /** Keeps the records the predicate accepts. */
  filter(predicate: (key: K, value: V) => boolean, options?: NamedOptions): KStream<K, V> {
    return this.stateless('filter', 'KSTREAM-FILTER-', filterProcessor(predicate, false) as ProcessorSupplier, false, options, this.keySerde, this.valueSerde)
  }

  /** Drops the records the predicate accepts. */
  filterNot(predicate: (key: K, value: V) => boolean, options?: NamedOptions): KStream<K, V> {
    return this.stateless('filterNot', 'KSTREAM-FILTER-', filterProcessor(predicate, true) as ProcessorSupplier, false, options, this.keySerde, this.valueSerde)
  }

  /** A new key and value per record. A grouping or join after it repartitions. */
  map<K2, V2>(mapper: (key: K, value: V) => KeyValue<K2, V2>, options?: NamedOptions): KStream<K2, V2> {
    return this.stateless<K2, V2>('map', 'KSTREAM-MAP-', mapProcessor(mapper) as ProcessorSupplier, true, options, undefined, undefined)
  }

  /** A new value per record; the key (and so the partitioning) stays. */
  mapValues<V2>(mapper: (value: V, key: K) => V2, options?: NamedOptions): KStream<K, V2> {
    return this.stateless<K, V2>('mapValues', 'KSTREAM-MAPVALUES-', mapValuesProcessor(mapper) as ProcessorSupplier, false, options, this.keySerde, undefined)
  }

  /** A new key per record. A grouping or join after it repartitions. */
  selectKey<K2>(selector: (key: K, value: V) => K2, options?: NamedOptions): KStream<K2, V> {
    return this.stateless<K2, V>('selectKey', 'KSTREAM-KEY-SELECT-', selectKeyProcessor(selector) as ProcessorSupplier, true, options, undefined, this.valueSerde)
  }

  /** Zero or more records per record. */
  flatMap<K2, V2>(mapper: (key: K, value: V) => Iterable<KeyValue<K2, V2>>, options?: NamedOptions): KStream<K2, V2> {
    return this.stateless<K2, V2>('flatMap', 'KSTREAM-FLATMAP-', flatMapProcessor(mapper) as ProcessorSupplier, true, options, undefined, undefined)
  }

  /** Zero or more values per record, same key. */
  flatMapValues<V2>(mapper: (value: V, key: K) => Iterable<V2>, options?: NamedOptions): KStream<K, V2> {
    return this.stateless<K, V2>('flatMapValues', 'KSTREAM-FLATMAPVALUES-', flatMapValuesProcessor(mapper) as ProcessorSupplier, false, options, this.keySerde, undefined)
  }

  /** Runs a side effect per record and passes it on. */
  peek(action: (key: K, value: V) => void, options?: NamedOptions): KStream<K, V> {
    return this.stateless('peek', 'KSTREAM-PEEK-', peekProcessor(action, false) as ProcessorSupplier, false, options, this.keySerde, this.valueSerde)
  }

  /** Runs a side effect per record; ends the stream. */
  foreach(action: (key: K, value: V) => void, options?: NamedOptions): void {
    this.stateless('foreach', 'KSTREAM-FOREACH-', peekProcessor(action, true) as ProcessorSupplier, false, options, this.keySerde, this.valueSerde)
  }

  /**
   * Prints each record as `[label]: key, value` to standard output or a file, and ends the stream
   * (Kafka Streams' `print(Printed.toSysOut())`), for debugging.
   *
   * @example
   * rides.print({ label: 'rides' })                     // [rides]: r1, {"driverId":"d7","km":3.2}
   */
  print(options: PrintOptions<K, V> = {}): void {
    const name = this.builder.name('KSTREAM-PRINTER-', options.name)
    const supplier = printProcessor<K, V>({
      label: options.label ?? name,
      mapper: options.mapper ?? defaultPrintMapper,
      ...(options.toFile === undefined ? {} : { toFile: options.toFile }),
    })
    this.builder.add({ kind: 'stateless', name, parents: [this.nodeId], operator: 'print', supplier: supplier as ProcessorSupplier, changesKey: false })
  }

  /** Records of both streams, interleaved in processing order. */
  merge(other: KStream<K, V>, options?: NamedOptions): KStream<K, V> {
    const name = this.builder.name('KSTREAM-MERGE-', options?.name)
    const id = this.builder.add({ kind: 'merge', name, parents: [this.nodeId, other.nodeId] })
    return new KStream(this.builder, id, this.keySerde, this.valueSerde)
  }

  /**
   * Routes each record to the first branch whose predicate accepts it; records no branch accepts
   * go to `defaultBranch` if given, else are dropped.
   *
   * @example
   * const { fast, slow, rest } = stream.split({ fast: (k, v) => v.kmh > 80, slow: (k, v) => v.kmh < 10 }, { defaultBranch: 'rest' })
   */
  split<B extends string, D extends string = never>(
    branches: { readonly [name in B]: (key: K, value: V) => boolean },
    options: SplitOptions<D> = {},
  ): { readonly [name in B | D]: KStream<K, V> } {
    const splitName = this.builder.name('KSTREAM-BRANCH-', options.name)
    const entries = Object.entries(branches) as [B, (key: K, value: V) => boolean][]
    const childName = (branch: string): string => `${splitName}-${branch}`
    const splitId = this.builder.add({
      kind: 'split',
      name: splitName,
      parents: [this.nodeId],
      branches: entries.map(([branch, predicate]) => ({ childName: childName(branch), predicate: predicate as (key: unknown, value: unknown) => boolean })),
      defaultChild: options.defaultBranch === undefined ? undefined : childName(options.defaultBranch),
    })
    const result = {} as { [name in B | D]: KStream<K, V> }
    const branchNames: string[] = entries.map(([branch]) => branch)
    if (options.defaultBranch !== undefined) branchNames.push(options.defaultBranch)
    for (const branch of branchNames) {
      const id = this.builder.add({ kind: 'branch', name: childName(branch), parents: [splitId] })
      result[branch as B | D] = new KStream(this.builder, id, this.keySerde, this.valueSerde)
    }
    return result
  }

  /** Writes the stream through a repartition topic (`<applicationId>-<name>-repartition`), partitioned by key. */
  repartition(options: RepartitionOptions<K, V> = {}): KStream<K, V> {
    const base = this.builder.nameUnlessGiven('KSTREAM-REPARTITION-', options.name)
    const keySerde = options.keySerde ?? this.keySerde
    const valueSerde = options.valueSerde ?? this.valueSerde
    const id = this.builder.add({
      kind: 'repartition',
      name: `${base}-repartition-source`,
      parents: [this.nodeId],
      topic: `${base}-repartition`,
      filterName: `${base}-repartition-filter`,
      sinkName: `${base}-repartition-sink`,
      sourceName: `${base}-repartition-source`,
      numPartitions: options.numPartitions,
      keySerde: keySerde as Serde<unknown> | undefined,
      valueSerde: valueSerde as Serde<unknown> | undefined,
      carriesChanges: false,
    })
    return new KStream(this.builder, id, keySerde, valueSerde)
  }

  /** Writes every record to `topic`, or to the topic the extractor picks per record. Serdes default to the stream's. */
  to(topic: string | TopicNameExtractor<K, V>, options: ProducedOptions<K, V> = {}): void {
    const name = this.builder.name('KSTREAM-SINK-', options.name)
    this.builder.add({
      kind: 'sink',
      name,
      parents: [this.nodeId],
      topic: topic as string | TopicNameExtractor,
      keySerde: (options.keySerde ?? this.keySerde) as Serde<unknown> | undefined,
      valueSerde: (options.valueSerde ?? this.valueSerde) as Serde<unknown> | undefined,
    })
  }

  /**
   * Runs a low-level processor on every record. Its output may have new keys, so a grouping after
   * it repartitions. It may use the stores named in `options.stores` (added with
   * `builder.addStateStore`) and those its supplier brings (`supplier.stores`, see
   * `ProcessorSupplierWithStores`), which are added here.
   */
  process<K2 = K, V2 = V>(supplier: ProcessorSupplier<K, V, K2, V2>, options: ProcessOptions = {}): KStream<K2, V2> {
    const name = this.builder.nameUnlessGiven('KSTREAM-PROCESSOR-', options.name)
    const stores = this.suppliedStores(supplier, options)
    const id = this.builder.add({ kind: 'process', name, parents: [this.nodeId], supplier: supplier as ProcessorSupplier, stores })
    return new KStream<K2, V2>(this.builder, id, undefined, undefined)
  }

  /**
   * Runs a low-level processor on every record's value (Kafka Streams' `processValues`, KIP-820):
   * what it forwards while processing a record keeps that record's key, so, unlike `process`, a
   * grouping or join after it does not repartition. Stores as for `process`.
   */
  processValues<V2 = V>(supplier: ProcessorSupplier<K, V, K, V2>, options: ProcessOptions = {}): KStream<K, V2> {
    const name = this.builder.nameUnlessGiven('KSTREAM-PROCESSVALUES-', options.name)
    const stores = this.suppliedStores(supplier, options)
    const id = this.builder.add({ kind: 'process', name, parents: [this.nodeId], supplier: fixedKeyProcessor(supplier as ProcessorSupplier), stores, keepsKey: true })
    return new KStream<K, V2>(this.builder, id, this.keySerde, undefined)
  }

  /** The stores a processor uses: those named in `options.stores`, and those its supplier brings, added here. */
  private suppliedStores(supplier: unknown, options: ProcessOptions): string[] {
    const supplied = (supplier as ProcessorSupplierWithStores).stores ?? []
    for (const store of supplied) this.builder.addSuppliedStore(store, userStoreSpec(store))
    return [...new Set([...(options.stores ?? []), ...supplied.map((store) => store.name)])]
  }

  /**
   * The stream as a table (Kafka Streams' `toTable`): each record upserts its key, a null value
   * deletes it, and a record with a null key is dropped. Behind a key change (`map`, `selectKey`)
   * the records go through a repartition topic `<name>-repartition` first, so each key's updates
   * meet in one partition.
   *
   * @example
   * rides.selectKey((id, ride) => ride.driverId).toTable({ storeName: 'latest-ride-per-driver' })
   */
  toTable(options: ToTableOptions<K, V> = {}): KTable<K, V> {
    const name = this.builder.name('KSTREAM-TOTABLE-', options.name)
    // Kafka's MaterializedInternal names a store even when none is kept, burning an index.
    const storeName = this.builder.nameUnlessGiven('KSTREAM-TOTABLE-STATE-STORE-', options.storeName)
    const keySerde = options.keySerde ?? this.keySerde
    const valueSerde = options.valueSerde ?? this.valueSerde
    const repartitionNames = this.builder.keyChanged(this.nodeId) ? this.builder.repartitionNames(name) : undefined
    const id = this.builder.add({
      kind: 'stream-to-table',
      name,
      parents: [this.nodeId],
      storeName,
      keySerde: keySerde as Serde<unknown> | undefined,
      valueSerde: valueSerde as Serde<unknown> | undefined,
      loggingEnabled: options.loggingEnabled ?? true,
      cachingEnabled: options.cachingEnabled ?? true,
      storeType: options.storeType,
      repartitionBase: name,
      repartitionNamedByUser: false,
      repartitionNames,
    })
    if (options.storeName !== undefined) this.builder.materialize(id)
    return new KTable(this.builder, id, keySerde, valueSerde, { storeName, storeNamedByUser: options.storeName !== undefined, windowGraceMs: undefined })
  }

  /** Groups by the current key, for an aggregation. */
  groupByKey(options: GroupedOptions<K, V> = {}): KGroupedStream<K, V> {
    return new KGroupedStream(this.builder, this.nodeId, options.keySerde ?? this.keySerde, options.valueSerde ?? this.valueSerde, options.name)
  }

  /** Groups by a new key; the aggregation reads through a repartition topic. */
  groupBy<K2>(selector: (key: K, value: V) => K2, options: GroupedOptions<K2, V> = {}): KGroupedStream<K2, V> {
    const selected = this.selectKey(selector)
    return new KGroupedStream(this.builder, selected.nodeId, options.keySerde, options.valueSerde ?? this.valueSerde, options.name)
  }

  /**
   * Joins records of two streams with the same key whose timestamps lie within the window; each
   * result carries the larger of the two timestamps. A key change upstream of either side inserts a
   * repartition topic.
   *
   * The joiner of every stream join is Kafka's `ValueJoiner`, `(value, otherValue) => result`, or,
   * when the result needs the key, its `ValueJoinerWithKey`: `withKey((readOnlyKey, value, otherValue) => result)`.
   *
   * @example
   * requests.join(assignments, (req, asg) => ({ req, asg }), JoinWindows.ofTimeDifferenceAndGrace(60_000, 5_000))
   * requests.join(assignments, withKey((id, req, asg) => ({ id, req, asg })), JoinWindows.ofTimeDifferenceAndGrace(60_000, 5_000))
   */
  join<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO, VR> | ValueJoinerWithKey<K, V, VO, VR>, windows: JoinWindows, options?: StreamJoinedOptions<K, V, VO>): KStream<K, VR>
  /** Joins each record with the table's current row for its key; records without a row are dropped. Table updates emit nothing. */
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, VR> | ValueJoinerWithKey<K, V, VT, VR>, options?: JoinedOptions<K, V>): KStream<K, VR>
  /**
   * Joins each record with the global table's row for `keyMapper(key, value)`; records without a row
   * are dropped. A `withKey` joiner gets the stream record's key, not the mapped one.
   */
  join<GK, GV, VR>(table: GlobalKTable<GK, GV>, keyMapper: (key: K, value: V) => GK, joiner: ValueJoiner<V, GV, VR> | ValueJoinerWithKey<K, V, GV, VR>, options?: JoinedOptions<K, V>): KStream<K, VR>
  join(other: unknown, second: unknown, third?: unknown, fourth?: unknown): KStream<K, unknown> {
    return this.dispatchJoin('inner', other, second, third, fourth)
  }

  /**
   * Like `join`, but every record of this stream produces output: a record that found no partner
   * within the window is emitted once, joined with `null`, after its window has closed.
   */
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO | null, VR> | ValueJoinerWithKey<K, V, VO | null, VR>, windows: JoinWindows, options?: StreamJoinedOptions<K, V, VO>): KStream<K, VR>
  /** Joins each record with the table's current row for its key, or with `null` when there is none. */
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT | null, VR> | ValueJoinerWithKey<K, V, VT | null, VR>, options?: JoinedOptions<K, V>): KStream<K, VR>
  /** Joins each record with the global table's row for `keyMapper(key, value)`, or with `null` when there is none. */
  leftJoin<GK, GV, VR>(
    table: GlobalKTable<GK, GV>,
    keyMapper: (key: K, value: V) => GK,
    joiner: ValueJoiner<V, GV | null, VR> | ValueJoinerWithKey<K, V, GV | null, VR>,
    options?: JoinedOptions<K, V>,
  ): KStream<K, VR>
  leftJoin(other: unknown, second: unknown, third?: unknown, fourth?: unknown): KStream<K, unknown> {
    return this.dispatchJoin('left', other, second, third, fourth)
  }

  /**
   * Like `join`, but records of either stream that found no partner within the window are emitted
   * once, joined with `null` on the missing side, after their window has closed.
   */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR> | ValueJoinerWithKey<K, V | null, VO | null, VR>,
    windows: JoinWindows,
    options?: StreamJoinedOptions<K, V, VO>,
  ): KStream<K, VR> {
    return this.dispatchJoin('outer', other, joiner, windows, options) as KStream<K, VR>
  }

  /** @internal */
  get joinInput(): JoinInput {
    return { nodeId: this.nodeId, keySerde: this.keySerde as Serde<unknown> | undefined, valueSerde: this.valueSerde as Serde<unknown> | undefined }
  }

  private dispatchJoin(type: 'inner' | 'left' | 'outer', other: unknown, second: unknown, third: unknown, fourth: unknown): KStream<K, unknown> {
    const operation = `stream.${type === 'inner' ? 'join' : `${type}Join`}()`
    if (other instanceof KStream) {
      const joiner = toValueJoinerWithKey(second, operation)
      if (!(third instanceof JoinWindows)) {
        throw new TopologyError('A stream-stream join needs JoinWindows as its third argument, e.g. JoinWindows.ofTimeDifferenceAndGrace(60_000, 5_000).')
      }
      const options = (fourth ?? {}) as StreamJoinedOptions<unknown, unknown, unknown>
      const id = addStreamStreamJoin(this.builder, type, this.joinInput, other.joinInput, joiner, third, options)
      return new KStream(this.builder, id, (options.keySerde ?? this.keySerde) as Serde<K> | undefined, undefined)
    }
    if (other instanceof KTable) {
      const joiner = toValueJoinerWithKey(second, operation)
      const options = (third ?? {}) as JoinedOptions<unknown, unknown>
      const id = addStreamTableJoin(this.builder, type === 'left', this.joinInput, other.materializedForJoin(), joiner, options)
      return new KStream(this.builder, id, this.keySerde, undefined)
    }
    if (other instanceof GlobalKTable) {
      const joiner = toValueJoinerWithKey(third, operation)
      const options = (fourth ?? {}) as JoinedOptions<unknown, unknown>
      const keyMapper = second as (k: unknown, v: unknown) => unknown
      const id = addGlobalTableJoin(this.builder, type === 'left', this.joinInput, other.queryableStoreName, keyMapper, joiner, options)
      return new KStream(this.builder, id, this.keySerde, undefined)
    }
    throw new TopologyError(`${operation} takes a KStream (with JoinWindows), a KTable or a GlobalKTable as its first argument.`)
  }
}
