import type { ProcessorSupplier } from '../processors/api.js'
import type { Serde } from '../serde/serde.js'
import type { StoreSupplierKind, StoreType } from '../state/types.js'
import type { OffsetResetPolicy, TimestampExtractor } from '../topology/types.js'

/** Every operator takes an optional `name` so that names (and so state and topics) survive upgrades. */
export interface NamedOptions {
  readonly name?: string
}

export interface StreamOptions<K, V> extends NamedOptions {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  /** Default: the timestamp the record carries. */
  readonly timestampExtractor?: TimestampExtractor<K, V>
  /**
   * Where reading starts in a partition the application has no committed offset for, or whose
   * committed offset is gone from the log (Kafka Streams' `Consumed.withOffsetResetPolicy`):
   * `'earliest'` (the default, as Kafka Streams' `auto.offset.reset`) or `'latest'`, only records
   * written from then on. Sources of one topic must agree.
   */
  readonly offsetResetPolicy?: OffsetResetPolicy
}

export interface TableOptions<K, V> extends StreamOptions<K, V> {
  /** Name of the table's key-value store (queryable with `getKeyValueStore`). */
  readonly storeName?: string
  /**
   * Back the table's store up to its own changelog (`<applicationId>-<store>-changelog`), default
   * true. Ignored under the `reuse.ktable.source.topics` optimization: the source topic is the changelog.
   */
  readonly loggingEnabled?: boolean
  /**
   * Kafka Streams' `Materialized.withCachingEnabled()`/`withCachingDisabled()`, default true: the
   * store's updates go through the instance's record cache (`cacheMaxBytes`), which forwards each
   * key's latest value at commit or eviction. `false` forwards every update at once, whatever
   * `cacheMaxBytes` is (writes down to the store are still batched until the commit).
   */
  readonly cachingEnabled?: boolean
  /** See `AggregateOptions.storeType`. */
  readonly storeType?: StoreSupplierKind
}

/**
 * Kafka Streams' `topology.optimization`. `'none'` (the default, as in Kafka) writes a table's
 * updates to a changelog of its own; `'reuse.ktable.source.topics'` uses the source topic as the
 * changelog instead (no second copy; restoring reads the source topic up to the committed offset).
 * Kafka's other optimizations (merging repartition topics, single-store self-joins) are not
 * implemented, so `'all'` is refused rather than giving a topology that differs from Kafka's.
 */
export type TopologyOptimization = 'none' | 'reuse.ktable.source.topics'

export interface BuildOptions {
  readonly optimization?: TopologyOptimization | readonly TopologyOptimization[]
}

export interface ProducedOptions<K, V> extends NamedOptions {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
}

/** Serdes of grouped records (used by a repartition topic) and the name of that repartition. */
export interface GroupedOptions<K, V> extends NamedOptions {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
}

export interface RepartitionOptions<K, V> extends NamedOptions {
  readonly numPartitions?: number
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
}

/** Where an aggregation keeps its state. */
export interface AggregateOptions<A> extends NamedOptions {
  readonly storeName?: string
  /** Serde of the aggregate in the store and its changelog (default: the runtime's default value serde). */
  readonly valueSerde?: Serde<A>
  /** Back the store up to a changelog topic (default true). */
  readonly loggingEnabled?: boolean
  /**
   * Kafka Streams' `Materialized.withCachingEnabled()`/`withCachingDisabled()`, default true: the
   * store's updates go through the instance's record cache (`cacheMaxBytes`), which forwards each
   * key's latest value at commit or eviction. `false` forwards every update at once, whatever
   * `cacheMaxBytes` is (writes down to the store are still batched until the commit).
   */
  readonly cachingEnabled?: boolean
  /**
   * Kafka Streams' `Materialized.withStoreType`: `'rocksdb'` (`ROCKS_DB`) or `'memory'` (`IN_MEMORY`)
   * for this store alone; default: the instance's `storeSupplier` (Kafka's `dsl.store.suppliers`). A
   * memory store in a RocksDB instance keeps nothing on disk: its task rebuilds it from the changelog
   * each time it opens (after a restart or a rebalance), and the task's checkpoint leaves it out.
   */
  readonly storeType?: StoreSupplierKind
}

/** Options of `KStream.print` (Kafka Streams' `Printed`). */
export interface PrintOptions<K, V> extends NamedOptions {
  /** Shown in brackets before each line (default: the operator's name, `KSTREAM-PRINTER-<n>`). */
  readonly label?: string
  /** The text of a record after the label (default: `key, value`, objects as JSON). */
  readonly mapper?: (key: K, value: V) => string
  /** Write to this file instead of standard output; truncated when the topology first opens it in this process. */
  readonly toFile?: string
}

export interface SplitOptions<D extends string> extends NamedOptions {
  /** Name of the branch that receives records no predicate accepted. */
  readonly defaultBranch?: D
}

export interface ProcessOptions extends NamedOptions {
  /** Stores (added with `builder.addStateStore`) the processor may use. */
  readonly stores?: readonly string[]
}

/**
 * A processor supplier that brings the stores its processors use (Kafka Streams'
 * ConnectedStoreProvider): `KStream.process` and `TopologyBuilder.addProcessor` add each store
 * (once, however many processors share its options object) and connect it to the processor.
 *
 * @example
 * const counting = Object.assign(() => new CountingProcessor(), { stores: [{ name: 'counts', type: 'keyValue' as const }] })
 */
export type ProcessorSupplierWithStores = ProcessorSupplier & { readonly stores?: readonly StateStoreOptions<unknown, unknown>[] }

/** A store for `process()` operators. */
export interface StateStoreOptions<K, V> {
  readonly name: string
  readonly type: StoreType
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  /** Window and session stores: how long data is kept. */
  readonly retentionMs?: number
  /** Window stores: the window size. */
  readonly windowSizeMs?: number
  readonly retainDuplicates?: boolean
  /** Back the store up to `<applicationId>-<name>-changelog` (default true). */
  readonly loggingEnabled?: boolean
  /**
   * Kafka Streams' `Stores.inMemory*` (`'memory'`) or `Stores.persistent*` (`'rocksdb'`) supplier
   * for this store; default: the instance's `storeSupplier`. See `AggregateOptions.storeType`.
   */
  readonly storeType?: StoreSupplierKind
}

/**
 * Options of a stream-stream join (Kafka Streams' `StreamJoined`). Serdes default to the streams'
 * own; they are used by the join's window stores and by repartition topics in front of the join.
 */
export interface StreamJoinedOptions<K, V, VO> extends NamedOptions {
  /**
   * Base of the store names, as Kafka Streams names them: `<storeName>-this-join-store` and
   * `<storeName>-other-join-store`; a side that may lack a partner is `-outer-this-`/`-outer-other-`,
   * and the unmatched records of a left/outer join are in `-left-shared-join-store`/`-outer-shared-join-store`.
   */
  readonly storeName?: string
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  readonly otherValueSerde?: Serde<VO>
  /** Back the join buffers up to changelog topics (default true). */
  readonly loggingEnabled?: boolean
  /**
   * Kafka Streams' `StreamJoined.withDslStoreSuppliers`: the type of both window stores and of the
   * shared store of a left or outer join; default: the instance's `storeSupplier`. See
   * `AggregateOptions.storeType`.
   */
  readonly storeType?: StoreSupplierKind
}

/** Options of a stream-table or stream-global-table join (Kafka Streams' `Joined`). */
export interface JoinedOptions<K, V> extends NamedOptions {
  /** Serdes for a repartition topic in front of the join, when the stream's key was changed. */
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
}

/**
 * Options of `KStream.toTable()` (Kafka Streams' `Named` and `Materialized`). The table keeps a
 * store only when `storeName` is given or an operator downstream reads it (a join, `groupBy`,
 * `suppress`), as a table read from a topic does.
 */
export interface ToTableOptions<K, V> extends NamedOptions {
  /** Name of the table's key-value store (queryable), backed up to `<applicationId>-<storeName>-changelog`. */
  readonly storeName?: string
  /** Serdes of the table's store and of the repartition topic in front of it (default: the stream's). */
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  /** Back the store up to a changelog topic (default true). */
  readonly loggingEnabled?: boolean
  /** See `AggregateOptions.cachingEnabled`. */
  readonly cachingEnabled?: boolean
  /** See `AggregateOptions.storeType`. */
  readonly storeType?: StoreSupplierKind
}

/**
 * Options of `KTable.filter`, `filterNot` and `mapValues` (Kafka Streams' `Named` and `Materialized`):
 * with a `storeName` the result keeps a store of its own, queryable, backed up to
 * `<applicationId>-<storeName>-changelog` unless `loggingEnabled` is false, and looked up by joins
 * instead of recomputing the row from the table upstream.
 */
export interface TableOperatorOptions<V> extends NamedOptions {
  readonly storeName?: string
  /** Serde of the result's values in its store and downstream (a filter's default: the table's own). */
  readonly valueSerde?: Serde<V>
  /** Back the store up to a changelog topic (default true). */
  readonly loggingEnabled?: boolean
  /** See `AggregateOptions.cachingEnabled`. */
  readonly cachingEnabled?: boolean
  /** See `AggregateOptions.storeType`. */
  readonly storeType?: StoreSupplierKind
}

/** Options of a table-table join: `storeName` materializes the result (queryable). */
export interface TableJoinedOptions<VR> extends NamedOptions {
  readonly storeName?: string
  readonly valueSerde?: Serde<VR>
  /** The result store's caching, when it has one (see `AggregateOptions.cachingEnabled`). */
  readonly cachingEnabled?: boolean
  /** The result store's type, when it has one (see `AggregateOptions.storeType`). */
  readonly storeType?: StoreSupplierKind
}

/** Options of a global table. */
export type GlobalTableOptions<K, V> = TableOptions<K, V>
