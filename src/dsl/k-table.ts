import { TopologyError } from '../core/errors.js'
import type { KeyValue } from '../core/record.js'
import type { ProcessorSupplier } from '../processors/api.js'
import { tableFilterProcessor } from '../processors/table-filter.js'
import { tableGroupByProcessor } from '../processors/table-group-by.js'
import { tableMapValuesProcessor } from '../processors/table-map-values.js'
import { storedTableOperator } from '../processors/table-stored-operator.js'
import type { Serde } from '../serde/serde.js'
import { validName, type InternalStreamsBuilder } from './internal-builder.js'
import { KGroupedTable } from './k-grouped-table.js'
import { KStream } from './k-stream.js'
import type { GroupedOptions, NamedOptions, TableJoinedOptions, TableOperatorOptions } from './options.js'
import type { TableRowView } from './logical/nodes.js'
import type { TableJoinType } from '../processors/joins/table-table-join.js'
import type { Suppressed } from './suppressed.js'
import { rejectValueJoinerWithKey } from './value-joiner.js'

export interface TableInfo {
  /** The store holding this table's rows, when it is materialized (sources and aggregations). */
  readonly storeName: string | undefined
  /** The user named the store (Kafka's Materialized.as): only then is it the queryable store name. */
  readonly storeNamedByUser?: boolean
  /**
   * How long after a window's end its rows may still change: the grace of the windowed aggregation
   * upstream (the largest of them, past a join of windowed tables); undefined when not windowed.
   */
  readonly windowGraceMs: number | undefined
  /**
   * Set when the keys are `Windowed<K>`: the serde of the key inside (for stores that keep the rows),
   * and whether the windows are sessions (which close only once stream time is past `end + gap + grace`).
   */
  readonly windowed?: { readonly keySerde: Serde<unknown> | undefined; readonly sessions: boolean }
}

/**
 * A changelog stream viewed as a table: the latest value per key. Updates carry the old value too,
 * so that a downstream `groupBy().aggregate()` can subtract it.
 *
 * @example
 * builder.table<string, Driver>('drivers', { keySerde: Serdes.string(), valueSerde: Serdes.json(), storeName: 'drivers' })
 *   .filter((id, d) => d.active)
 *   .groupBy((id, d) => [d.zone, d])
 *   .count()
 */
export class KTable<K, V> {
  /** @internal */
  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly nodeId: number,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    private readonly info: TableInfo,
  ) {}

  private materialization: { readonly nodeId: number } | undefined

  /**
   * @internal The node and store joins read this table through. A derived table (filter, mapValues,
   * a join result) has no store of its own: the first join that needs one materializes it.
   */
  materializedForJoin(): { readonly nodeId: number } {
    if (this.info.storeName !== undefined) {
      // A source or foreign-key join result keeps its store only when something reads it.
      this.builder.materialize(this.nodeId)
      return { nodeId: this.nodeId }
    }
    // A filter, mapValues or table join is read through its parents, as Kafka's value getters do.
    if (this.builder.viewForJoin(this.nodeId)) return { nodeId: this.nodeId }
    if (this.materialization === undefined) {
      const name = this.builder.name('KTABLE-MATERIALIZE-')
      const storeName = `${name}-store`
      const nodeId = this.builder.add({
        kind: 'table-materialize',
        name,
        parents: [this.nodeId],
        storeName,
        ...this.rowStoreKeys(),
        valueSerde: this.valueSerde as Serde<unknown> | undefined,
      })
      this.materialization = { nodeId }
    }
    return this.materialization
  }

  /** How a key-value store of this table's rows serializes keys: windowed keys wrap the inner key's serde. */
  private rowStoreKeys(): { keySerde: Serde<unknown> | undefined; windowedKeys: boolean } {
    const { windowed } = this.info
    return windowed === undefined ? { keySerde: this.keySerde as Serde<unknown> | undefined, windowedKeys: false } : { keySerde: windowed.keySerde, windowedKeys: true }
  }

  /**
   * The name of the store holding this table if the user named it, as Kafka Streams'
   * `queryableStoreName()`: a store with a generated name exists but is not meant to be queried.
   */
  get queryableStoreName(): string | undefined {
    return this.info.storeNamedByUser === true ? this.info.storeName : undefined
  }

  private derive<V2>(
    operator: string,
    prefix: string,
    supplier: (sendOldValues: boolean, storeName: string | undefined) => ProcessorSupplier,
    rowView: TableRowView,
    options: TableOperatorOptions<V2> | undefined,
    defaultValueSerde: Serde<V2> | undefined,
  ): KTable<K, V2> {
    const o = options ?? {}
    const valueSerde = o.valueSerde ?? defaultValueSerde
    // Kafka's doFilter/doMapValues: a Materialized without a store name burns a store name's index
    // before the processor is named, and keeps no store.
    if (o.storeName === undefined && (o.valueSerde !== undefined || o.loggingEnabled !== undefined || o.cachingEnabled !== undefined || o.storeType !== undefined)) {
      this.builder.name(`${prefix}STATE-STORE-`)
    }
    const name = this.builder.name(prefix, o.name)
    const store =
      o.storeName === undefined
        ? undefined
        : {
            name: validName(o.storeName),
            ...this.rowStoreKeys(),
            valueSerde: valueSerde as Serde<unknown> | undefined,
            loggingEnabled: o.loggingEnabled ?? true,
            cachingEnabled: o.cachingEnabled ?? true,
            storeType: o.storeType,
          }
    const id = this.builder.add({ kind: 'table-stateless', name, parents: [this.nodeId], operator, supplier, rowView, ...(store === undefined ? {} : { store }) })
    return new KTable(this.builder, id, this.keySerde, valueSerde, { ...this.info, storeName: store?.name, storeNamedByUser: store !== undefined })
  }

  /**
   * Rows the predicate rejects become absent (downstream sees a deletion). With a `storeName` the
   * result keeps a store of its own (Kafka Streams' `filter(predicate, Materialized.as(name))`).
   */
  filter(predicate: (key: K, value: V) => boolean, options?: TableOperatorOptions<V>): KTable<K, V> {
    return this.derive('filter', 'KTABLE-FILTER-', (sendOldValues, storeName) => this.filterSupplier(predicate, false, sendOldValues, storeName), { kind: 'filter', predicate: predicate as (k: unknown, v: unknown) => boolean, negate: false }, options, this.valueSerde)
  }

  filterNot(predicate: (key: K, value: V) => boolean, options?: TableOperatorOptions<V>): KTable<K, V> {
    return this.derive('filterNot', 'KTABLE-FILTER-', (sendOldValues, storeName) => this.filterSupplier(predicate, true, sendOldValues, storeName), { kind: 'filter', predicate: predicate as (k: unknown, v: unknown) => boolean, negate: true }, options, this.valueSerde)
  }

  /** Maps each row's value; with a `storeName` the result keeps a store of its own, as `filter`. */
  mapValues<V2>(mapper: (value: V, key: K) => V2, options?: TableOperatorOptions<V2>): KTable<K, V2> {
    const supplier = (sendOldValues: boolean, storeName: string | undefined): ProcessorSupplier =>
      (storeName === undefined
        ? tableMapValuesProcessor(mapper, sendOldValues)
        : storedTableOperator<K, V, V2>({ compute: (key, value) => mapper(value, key), storeName, sendOldValues, skipAbsent: false })) as ProcessorSupplier
    return this.derive<V2>('mapValues', 'KTABLE-MAPVALUES-', supplier, { kind: 'map-values', mapper: mapper as (v: unknown, k: unknown) => unknown }, options, undefined)
  }

  private filterSupplier(predicate: (key: K, value: V) => boolean, negate: boolean, sendOldValues: boolean, storeName: string | undefined): ProcessorSupplier {
    if (storeName === undefined) return tableFilterProcessor(predicate, negate, sendOldValues) as ProcessorSupplier
    const compute = (key: K, value: V): V | null => (predicate(key, value) !== negate ? value : null)
    return storedTableOperator<K, V, V>({ compute, storeName, sendOldValues, skipAbsent: true }) as ProcessorSupplier
  }

  /** The table's updates as a stream; a deleted row arrives as a `null` value. */
  toStream(options?: NamedOptions): KStream<K, V> {
    const name = this.builder.name('KTABLE-TOSTREAM-', options?.name)
    const id = this.builder.add({ kind: 'table-to-stream', name, parents: [this.nodeId] })
    return new KStream(this.builder, id, this.keySerde, this.valueSerde)
  }

  /**
   * Re-groups the rows by a new key for `aggregate(init, adder, subtractor)`: when a row changes or
   * moves group, its old value is subtracted from the old group and the new value added to the new one.
   */
  groupBy<K2, V2>(selector: (key: K, value: V) => KeyValue<K2, V2>, options: GroupedOptions<K2, V2> = {}): KGroupedTable<K2, V2> {
    // Kafka Streams names the selection after the grouping itself (KTableImpl.groupBy), and makes
    // the table send old values: the aggregation subtracts them.
    this.builder.requireOldValues(this.nodeId)
    const name = this.builder.name('KTABLE-SELECT-', options.name)
    const id = this.builder.add({ kind: 'table-group-by', name, parents: [this.nodeId], supplier: tableGroupByProcessor(selector) as ProcessorSupplier })
    return new KGroupedTable<K2, V2>(this.builder, id, options.keySerde, options.valueSerde, options.name)
  }

  /**
   * Joins rows with the same key: a row appears in the result while both tables have it. An update
   * on either side updates the result (with the larger of the two rows' timestamps); a deleted row
   * deletes the joined row. Two windowed tables (from `windowedBy(...)` aggregations) join per key
   * and window; the result is windowed too, so `suppress(Suppressed.untilWindowCloses())` applies.
   *
   * @example
   * drivers.join(vehicles, (driver, vehicle) => ({ ...driver, plate: vehicle.plate }))
   */
  join<VO, VR>(other: KTable<K, VO>, joiner: (value: V, otherValue: VO) => VR, options?: TableJoinedOptions<VR>): KTable<K, VR>
  /**
   * Foreign-key join: each row joins the row of `other` whose key `foreignKey(value)` returns; rows
   * without a match are absent. Results follow changes of the foreign key and of either row.
   *
   * @example
   * rides.join(drivers, (ride) => ride.driverId, (ride, driver) => ({ ...ride, driverName: driver.name }))
   */
  join<KO, VO, VR>(other: KTable<KO, VO>, foreignKey: (value: V) => KO, joiner: (value: V, otherValue: VO) => VR, options?: TableJoinedOptions<VR>): KTable<K, VR>
  join(other: KTable<unknown, unknown>, second: (value: V, other?: unknown) => unknown, third?: unknown, fourth?: TableJoinedOptions<unknown>): KTable<K, unknown> {
    rejectValueJoinerWithKey('table.join()', second, third)
    if (typeof third === 'function') return this.foreignKeyJoin(false, other, second as (v: V) => unknown, third as (v: V, o: unknown) => unknown, fourth)
    return this.tableJoin('inner', other as KTable<K, unknown>, second as (v: V, o: unknown) => unknown, third as TableJoinedOptions<unknown> | undefined)
  }

  /** Like `join`, but every row of this table appears in the result, joined with `null` while the other table lacks it. */
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: (value: V, otherValue: VO | null) => VR, options?: TableJoinedOptions<VR>): KTable<K, VR>
  /** Foreign-key left join: like the foreign-key `join`, but a row without a match joins with `null`. */
  leftJoin<KO, VO, VR>(other: KTable<KO, VO>, foreignKey: (value: V) => KO, joiner: (value: V, otherValue: VO | null) => VR, options?: TableJoinedOptions<VR>): KTable<K, VR>
  leftJoin(other: KTable<unknown, unknown>, second: (value: V, other?: unknown) => unknown, third?: unknown, fourth?: TableJoinedOptions<unknown>): KTable<K, unknown> {
    rejectValueJoinerWithKey('table.leftJoin()', second, third)
    if (typeof third === 'function') return this.foreignKeyJoin(true, other, second as (v: V) => unknown, third as (v: V, o: unknown) => unknown, fourth)
    return this.tableJoin('left', other as KTable<K, unknown>, second as (v: V, o: unknown) => unknown, third as TableJoinedOptions<unknown> | undefined)
  }

  /** Like `join`, but a row of either table appears in the result, joined with `null` while the other table lacks it. */
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: (value: V | null, otherValue: VO | null) => VR, options?: TableJoinedOptions<VR>): KTable<K, VR> {
    rejectValueJoinerWithKey('table.outerJoin()', joiner)
    return this.tableJoin('outer', other, joiner as (v: V, o: VO | null) => VR, options)
  }

  private tableJoin<VO, VR>(type: TableJoinType, other: KTable<K, VO>, joiner: (v: V, o: VO | null) => VR, options: TableJoinedOptions<VR> = {}): KTable<K, VR> {
    const thisGrace = this.info.windowGraceMs
    const otherGrace = other.info.windowGraceMs
    if ((thisGrace === undefined) !== (otherGrace === undefined)) {
      throw new TopologyError(
        `A table-table join needs two windowed tables or two plain ones: a Windowed<K> key never equals a plain key. ` +
          `Aggregate both sides with windowedBy(...), or neither.`,
      )
    }
    const left = this.materializedForJoin()
    const right = other.materializedForJoin()
    // Kafka's KTableImpl.doJoin: a side whose row may go missing from the result needs its old
    // values, to retract the joined row (a left join's left side, both sides of an outer join).
    if (type !== 'inner') this.builder.requireOldValues(left.nodeId)
    if (type === 'outer') this.builder.requireOldValues(right.nodeId)
    // Kafka Streams' order: the merge node's name first, then the two join processors.
    const name = this.builder.name('KTABLE-MERGE-', options.name === undefined ? undefined : `${options.name}-merge`)
    const thisName = this.builder.name('KTABLE-JOINTHIS-', options.name === undefined ? undefined : `${options.name}-join-this`)
    const otherName = this.builder.name('KTABLE-JOINOTHER-', options.name === undefined ? undefined : `${options.name}-join-other`)
    const id = this.builder.add({
      kind: 'table-table-join',
      name,
      parents: [left.nodeId, right.nodeId],
      joinType: type,
      joiner: joiner as (l: unknown, r: unknown) => unknown,
      thisName,
      otherName,
      storeName: options.storeName === undefined ? undefined : validName(options.storeName),
      ...this.rowStoreKeys(),
      valueSerde: options.valueSerde as Serde<unknown> | undefined,
      cachingEnabled: options.cachingEnabled ?? true,
      storeType: options.storeType,
    })
    // Kafka Streams' findAndVerifyWindowGrace: a window of the result closes when it has closed on both sides.
    const windowGraceMs = thisGrace === undefined || otherGrace === undefined ? undefined : Math.max(thisGrace, otherGrace)
    const windowed = this.info.windowed === undefined ? {} : { windowed: this.info.windowed }
    return new KTable<K, VR>(this.builder, id, this.keySerde, options.valueSerde, { storeName: options.storeName, storeNamedByUser: options.storeName !== undefined, windowGraceMs, ...windowed })
  }

  private foreignKeyJoin(
    left: boolean,
    other: KTable<unknown, unknown>,
    foreignKey: (value: V) => unknown,
    joiner: (value: V, otherValue: unknown) => unknown,
    options: TableJoinedOptions<unknown> = {},
  ): KTable<K, unknown> {
    const leftTable = this.materializedForJoin()
    const rightTable = other.materializedForJoin()
    const base = options.name
    const named = (suffix: string, prefix: string): string => this.builder.name(prefix, base === undefined ? undefined : `${base}${suffix}`)
    // Kafka Streams' order of generated names, so that topics and stores match its naming.
    const subscriptionTopic = `${named('-subscription-registration', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-')}-topic`
    const subscriptionSend = named('-subscription-registration-processor', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-')
    const subscriptionSink = named('-subscription-registration-sink', 'KTABLE-SINK-')
    const subscriptionSource = named('-subscription-registration-source', 'KTABLE-SOURCE-')
    const subscriptionStoreName = named('-subscription-store', 'KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-')
    const subscriptionReceive = named('-subscription-receive', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-')
    const subscriptionJoinForeign = named('-subscription-join-foreign', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-')
    const foreignTableJoin = named('-foreign-join-subscription', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-')
    const responseTopic = `${named('-subscription-response', 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-')}-topic`
    const responseSink = named('-subscription-response-sink', 'KTABLE-SINK-')
    const responseSource = named('-subscription-response-source', 'KTABLE-SOURCE-')
    const responseResolve = named('-subscription-response-resolver', 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-')
    const name = named('-result', 'KTABLE-FK-JOIN-OUTPUT-')
    // Kafka's MaterializedInternal numbers the result store after the result processor; the store
    // exists only if named or read downstream (see InternalStreamsBuilder.materialize).
    const resultStoreName = this.builder.nameUnlessGiven('KTABLE-FK-JOIN-OUTPUT-STATE-STORE-', options.storeName)
    const id = this.builder.add({
      kind: 'foreign-key-join',
      name,
      parents: [leftTable.nodeId, rightTable.nodeId],
      left,
      foreignKeyExtractor: foreignKey as (value: unknown) => unknown,
      joiner: joiner as (l: unknown, r: unknown) => unknown,
      subscriptionStoreName,
      subscriptionTopic,
      responseTopic,
      names: { subscriptionSend, subscriptionSink, subscriptionSource, subscriptionReceive, subscriptionJoinForeign, foreignTableJoin, responseSink, responseSource, responseResolve },
      resultStoreName,
      resultValueSerde: options.valueSerde as Serde<unknown> | undefined,
      cachingEnabled: options.cachingEnabled ?? true,
      storeType: options.storeType,
      leftKeySerde: this.keySerde as Serde<unknown> | undefined,
      leftValueSerde: this.valueSerde as Serde<unknown> | undefined,
      rightKeySerde: other.keySerde as Serde<unknown> | undefined,
      rightValueSerde: other.valueSerde as Serde<unknown> | undefined,
    })
    if (options.storeName !== undefined) this.builder.materialize(id)
    return new KTable(this.builder, id, this.keySerde, options.valueSerde, { storeName: resultStoreName, storeNamedByUser: options.storeName !== undefined, windowGraceMs: undefined })
  }

  /** Holds updates back: `Suppressed.untilWindowCloses()` for final window results, or `untilTimeLimit`. */
  suppress(suppressed: Suppressed): KTable<K, V> {
    // As KTableSuppressProcessorSupplier: the buffered changes carry their old values.
    this.builder.requireOldValues(this.nodeId)
    const name = this.builder.name('KTABLE-SUPPRESS-', suppressed.name)
    // Kafka Streams' naming: a generated store name takes the next index, after the processor's.
    const storeName = suppressed.name === undefined ? this.builder.name('KTABLE-SUPPRESS-STATE-STORE-') : `${suppressed.name}-store`
    const { windowGraceMs, windowed } = this.info
    const id = this.builder.add({
      kind: 'suppress',
      name,
      parents: [this.nodeId],
      spec: suppressed.spec,
      windowGraceMs,
      sessionWindows: windowed?.sessions === true,
      storeName,
      ...this.rowStoreKeys(),
      valueSerde: this.valueSerde as Serde<unknown> | undefined,
    })
    return new KTable(this.builder, id, this.keySerde, this.valueSerde, { ...this.info, storeName: undefined, storeNamedByUser: false })
  }
}
