/**
 * The logical graph the DSL builds: immutable, kind-tagged nodes that say what the user asked for.
 * Passes rewrite it (merge duplicate sources, insert repartitions) and the compiler turns each node
 * into source, processor and sink nodes. A new node kind (the joins, global tables) must be added to
 * `NodeKind` and then to every `Record<NodeKind, ...>` below, or the build does not compile.
 */
import type { Accumulator } from '../../processors/aggregate.js'
import type { ProcessorSupplier } from '../../processors/api.js'
import type { EmitStrategyType } from '../../processors/emit-final.js'
import type { JoinWindowSpec } from '../../processors/joins/stream-stream-join.js'
import type { TableJoinType } from '../../processors/joins/table-table-join.js'
import type { SessionWindowAggregateParams } from '../../processors/session-window-aggregate.js'
import type { SlidingWindowSpec } from '../../processors/sliding-window-aggregate.js'
import type { SuppressedSpec } from '../suppressed.js'
import type { TimeWindowSpec } from '../../processors/time-window-aggregate.js'
import type { Serde } from '../../serde/serde.js'
import type { StoreSupplierKind, StoreType } from '../../state/types.js'
import type { OffsetResetPolicy, TimestampExtractor, TopicNameExtractor } from '../../topology/types.js'

export type NodeKind =
  | 'stream-source'
  | 'table-source'
  | 'stream-to-table'
  | 'stateless'
  | 'process'
  | 'merge'
  | 'split'
  | 'branch'
  | 'repartition'
  | 'sink'
  | 'stream-aggregate'
  | 'time-window-aggregate'
  | 'session-window-aggregate'
  | 'sliding-window-aggregate'
  | 'table-stateless'
  | 'table-to-stream'
  | 'table-group-by'
  | 'table-aggregate'
  | 'cogroup-merge'
  | 'suppress'
  | 'global-table-source'
  | 'global-store'
  | 'table-materialize'
  | 'stream-stream-join'
  | 'stream-table-join'
  | 'global-table-join'
  | 'table-table-join'
  | 'foreign-key-join'

type AnySerde = Serde<unknown> | undefined

interface NodeBase<Kind extends NodeKind> {
  readonly kind: Kind
  /** Creation order; passes and the compiler walk nodes in this order, which keeps names deterministic. */
  readonly id: number
  /** The operator's name: given by the user or generated (`KSTREAM-FILTER-0000000003`). */
  readonly name: string
  readonly parents: readonly number[]
}

export interface StreamSourceNode extends NodeBase<'stream-source'> {
  readonly topics: readonly string[]
  readonly keySerde: AnySerde
  readonly valueSerde: AnySerde
  readonly timestampExtractor: TimestampExtractor | undefined
  readonly offsetResetPolicy?: OffsetResetPolicy
}

export interface TableSourceNode extends NodeBase<'table-source'> {
  readonly topic: string
  /** The physical source node; `name` is the table-source processor after it. */
  readonly sourceName: string
  readonly storeName: string
  readonly keySerde: AnySerde
  readonly valueSerde: AnySerde
  readonly timestampExtractor: TimestampExtractor | undefined
  readonly offsetResetPolicy?: OffsetResetPolicy
  /** A changelog of its own, unless the source topic is reused as the changelog. */
  readonly loggingEnabled: boolean
  /** The store goes through the record cache (the user's `cachingEnabled`, default true). */
  readonly cachingEnabled: boolean
  /** Kafka's `Materialized.withStoreType`; absent, the instance's `storeSupplier`. */
  readonly storeType?: StoreSupplierKind | undefined
}

/**
 * `KStream.toTable()`: a table of the stream's records (Kafka Streams' KTableSource behind a
 * StreamToTableNode). Like a table source it keeps its store only when materialized (named or read
 * downstream); behind a key change a repartition topic `<name>-repartition` comes first.
 */
export interface StreamToTableNode extends NodeBase<'stream-to-table'> {
  readonly storeName: string
  readonly keySerde: AnySerde
  readonly valueSerde: AnySerde
  readonly loggingEnabled: boolean
  readonly cachingEnabled: boolean
  /** Kafka's `Materialized.withStoreType`; absent, the instance's `storeSupplier`. */
  readonly storeType?: StoreSupplierKind | undefined
  /** Base of the repartition topic's name (`<base>-repartition`): the operator's name. */
  readonly repartitionBase: string
  readonly repartitionNamedByUser: boolean
  readonly repartitionNames?: RepartitionNames | undefined
}

/** filter, filterNot, map, mapValues, selectKey, flatMap, flatMapValues, peek, foreach. */
export interface StatelessNode extends NodeBase<'stateless'> {
  readonly operator: string
  readonly supplier: ProcessorSupplier
  readonly changesKey: boolean
}

export interface ProcessNode extends NodeBase<'process'> {
  readonly supplier: ProcessorSupplier
  readonly stores: readonly string[]
  /** `processValues` (Kafka's FixedKeyProcessor): the records keep their keys, so nothing repartitions after it. */
  readonly keepsKey?: boolean
}

export type MergeNode = NodeBase<'merge'>

export interface SplitNode extends NodeBase<'split'> {
  readonly branches: readonly { readonly childName: string; readonly predicate: (key: unknown, value: unknown) => boolean }[]
  readonly defaultChild: string | undefined
}

export type BranchNode = NodeBase<'branch'>

export interface RepartitionNode extends NodeBase<'repartition'> {
  /** The topic, relative to the application id. */
  readonly topic: string
  readonly filterName: string | undefined
  readonly sinkName: string
  readonly sourceName: string
  readonly numPartitions: number | undefined
  readonly keySerde: AnySerde
  readonly valueSerde: AnySerde
  /** Table repartitions (table groupBy) carry old and new value in each record. */
  readonly carriesChanges: boolean
}

export interface SinkNodeSpec extends NodeBase<'sink'> {
  readonly topic: string | TopicNameExtractor
  readonly keySerde: AnySerde
  readonly valueSerde: AnySerde
}

/** The fields every aggregation node has. */
export type AggregateBaseFields = AggregateBase

interface AggregateBase {
  readonly storeName: string
  /** Serdes of the grouped records, used by a repartition topic in front of the aggregate. */
  readonly keySerde: AnySerde
  readonly valueSerde: AnySerde
  readonly aggregateSerde: AnySerde
  readonly loggingEnabled: boolean
  /** The store goes through the record cache (the user's `cachingEnabled`, default true). */
  readonly cachingEnabled: boolean
  /** Kafka's `Materialized.withStoreType`; absent, the instance's `storeSupplier`. */
  readonly storeType?: StoreSupplierKind | undefined
  /** Base of the repartition topic's name (`<base>-repartition`) if one is needed. */
  readonly repartitionBase: string
  readonly repartitionNamedByUser: boolean
  /** The repartition's node names, numbered when the aggregation was declared (as Kafka does). */
  readonly repartitionNames?: RepartitionNames | undefined
  /**
   * A later input of a cogroup (`KGroupedStream.cogroup`): it folds its records into the store the
   * first input's node adds, which all of them share.
   */
  readonly sharesStore?: boolean
}

/**
 * The result of a cogroup (Kafka Streams' COGROUPKSTREAM-MERGE, a KTablePassThrough): the changes
 * of every input's aggregate node, whose shared store holds the table's rows. Parents: those nodes.
 */
export interface CogroupMergeNode extends NodeBase<'cogroup-merge'> {
  readonly storeName: string
}

export interface StreamAggregateNode extends NodeBase<'stream-aggregate'>, AggregateBase {
  readonly accumulate: Accumulator<unknown, unknown, unknown>
}

export interface TimeWindowAggregateNode extends NodeBase<'time-window-aggregate'>, AggregateBase {
  readonly accumulate: Accumulator<unknown, unknown, unknown>
  readonly windows: TimeWindowSpec
  /** Default 'ON_WINDOW_UPDATE'. */
  readonly emitStrategy?: EmitStrategyType
}

export interface SessionWindowAggregateNode extends NodeBase<'session-window-aggregate'>, AggregateBase {
  readonly params: SessionWindowAggregateParams<unknown, unknown, unknown>
}

export interface SlidingWindowAggregateNode extends NodeBase<'sliding-window-aggregate'>, AggregateBase {
  readonly accumulate: Accumulator<unknown, unknown, unknown>
  readonly windows: SlidingWindowSpec
  /** Default 'ON_WINDOW_UPDATE'. */
  readonly emitStrategy?: EmitStrategyType
}

export interface TableStatelessNode extends NodeBase<'table-stateless'> {
  readonly operator: string
  /**
   * The processor, given whether it sends old values (Kafka's sendOldValues: without a store, whether
   * old values reach it; only then can a filter leave out a change absent before and after) and its
   * store, if it has one.
   */
  readonly supplier: (sendOldValues: boolean, storeName: string | undefined) => ProcessorSupplier
  /** The operator applied to a row when a join looks this table up (Kafka's value getter). */
  readonly rowView: TableRowView
  /** The result's own store (Kafka's `Materialized.as(name)` on filter or mapValues). */
  readonly store?: StoredTableRows
}

/** A derived table's rows kept in a store of its own. */
export interface StoredTableRows {
  readonly name: string
  /** The key serde; for a windowed table (`windowedKeys`), the serde of the key inside `Windowed<K>`. */
  readonly keySerde: AnySerde
  readonly windowedKeys: boolean
  readonly valueSerde: AnySerde
  readonly loggingEnabled: boolean
  readonly cachingEnabled: boolean
  /** Kafka's `Materialized.withStoreType`; absent, the instance's `storeSupplier`. */
  readonly storeType?: StoreSupplierKind | undefined
}

/** What a stateless table operator does to one row: keep or drop it, or map its value. */
export type TableRowView =
  | { readonly kind: 'filter'; readonly predicate: (key: unknown, value: unknown) => boolean; readonly negate: boolean }
  | { readonly kind: 'map-values'; readonly mapper: (value: unknown, key: unknown) => unknown }

export type TableToStreamNode = NodeBase<'table-to-stream'>

export interface TableGroupByNode extends NodeBase<'table-group-by'> {
  readonly supplier: ProcessorSupplier
}

export interface TableAggregateNode extends NodeBase<'table-aggregate'>, AggregateBase {
  readonly add: (key: unknown, value: unknown, aggregate: unknown) => unknown
  readonly subtract: (key: unknown, value: unknown, aggregate: unknown) => unknown
}

export interface SuppressNode extends NodeBase<'suppress'> {
  /** As `Suppressed` holds it: the buffer's bounds, full strategy and logging ride in `bufferConfig`. */
  readonly spec: SuppressedSpec
  /** The grace period of the windowed aggregate upstream; undefined when the table is not windowed. */
  readonly windowGraceMs: number | undefined
  /** The windows upstream are sessions (their grace above includes the inactivity gap). */
  readonly sessionWindows: boolean
  /** The buffer: `KTABLE-SUPPRESS-STATE-STORE-<n>`, or `<name>-store` for a named suppression. */
  readonly storeName: string
  /** The table's key serde; for a windowed table (`windowedKeys`), the serde of the key inside `Windowed<K>`. */
  readonly keySerde: AnySerde
  readonly windowedKeys: boolean
  readonly valueSerde: AnySerde
}

/** A global table: read in full by every instance, outside the consumer group; its store is shared by all tasks. */
export interface GlobalTableSourceNode extends NodeBase<'global-table-source'> {
  readonly topic: string
  readonly sourceName: string
  readonly storeName: string
  readonly keySerde: AnySerde
  readonly valueSerde: AnySerde
  /** Kafka's `Materialized.withStoreType`; absent, the instance's `storeSupplier`. */
  readonly storeType?: StoreSupplierKind | undefined
  readonly timestampExtractor: TimestampExtractor | undefined
}

/**
 * `builder.addGlobalStore`: a store every instance fills from all partitions of `topic` through
 * the user's processor, outside the consumer group, readable by every task.
 */
export interface GlobalStoreNode extends NodeBase<'global-store'> {
  readonly topic: string
  readonly sourceName: string
  /** Serdes and timestamp extractor of the topic's records. */
  readonly keySerde: AnySerde
  readonly valueSerde: AnySerde
  readonly timestampExtractor: TimestampExtractor | undefined
  /** The store; never logged (its topic is its changelog). */
  readonly store: UserStoreSpec
  readonly supplier: ProcessorSupplier
}

/** Keeps a derived table's rows in a store so that a join can look them up. */
export interface TableMaterializeNode extends NodeBase<'table-materialize'> {
  readonly storeName: string
  /** The key serde; for a windowed table (`windowedKeys`), the serde of the key inside `Windowed<K>`. */
  readonly keySerde: AnySerde
  readonly windowedKeys: boolean
  readonly valueSerde: AnySerde
}

/** Node names of a repartition: sink, filter (stream repartitions only) and source. */
export interface RepartitionNames {
  readonly sink: string
  readonly filter?: string
  readonly source: string
}

/** How to repartition one input of a join whose key was changed upstream. */
export interface JoinRepartitionSide {
  /** Base of the topic's name: `<base>-repartition`. */
  readonly base: string
  readonly namedByUser: boolean
  readonly keySerde: AnySerde
  readonly valueSerde: AnySerde
  /** Node names reserved when the join was declared (Kafka Streams numbers them before the join's own). */
  readonly names?: RepartitionNames
  /**
   * The topic is named after the stream itself (no join name): the stream's previous join
   * repartition, if any, is reused instead of writing a second topic (Kafka's repartitionForJoin).
   */
  readonly reusable: boolean
}

interface JoinInputs {
  /** Per parent: how to repartition it if its key changed, or undefined where that cannot happen (tables). */
  readonly repartitionSides: readonly (JoinRepartitionSide | undefined)[]
}

/** `name` is the merge node of the two sides' outputs. Parents: [left stream, right stream]. */
export interface StreamStreamJoinNode extends NodeBase<'stream-stream-join'>, JoinInputs {
  readonly joinType: TableJoinType
  readonly windows: JoinWindowSpec
  readonly joiner: (key: unknown, left: unknown, right: unknown) => unknown
  readonly thisWindowName: string
  readonly otherWindowName: string
  readonly thisJoinName: string
  readonly otherJoinName: string
  readonly thisStoreName: string
  readonly otherStoreName: string
  readonly outerStoreName: string | undefined
  readonly keySerde: AnySerde
  readonly leftValueSerde: AnySerde
  readonly rightValueSerde: AnySerde
  readonly loggingEnabled: boolean
  /** The join stores' type (Kafka's `StreamJoined.withDslStoreSuppliers`); absent, the instance's `storeSupplier`. */
  readonly storeType?: StoreSupplierKind | undefined
}

/** Parents: [stream, table]. The table's rows are read through its view (its store, or its parents'). */
export interface StreamTableJoinNode extends NodeBase<'stream-table-join'>, JoinInputs {
  readonly left: boolean
  /** `(key, streamValue, tableValue)`: the key is the stream record's. */
  readonly joiner: (key: unknown, value: unknown, tableValue: unknown) => unknown
}

/** Parents: [stream]. The global table's store is shared by every task; no co-partitioning needed. */
export interface GlobalTableJoinNode extends NodeBase<'global-table-join'> {
  readonly storeName: string
  readonly left: boolean
  readonly keyMapper: (key: unknown, value: unknown) => unknown
  /** `(key, streamValue, tableValue)`: the key is the stream record's. */
  readonly joiner: (key: unknown, value: unknown, tableValue: unknown) => unknown
}

/** `name` is the merge node. Parents: [left table, right table], each read through its view. */
export interface TableTableJoinNode extends NodeBase<'table-table-join'> {
  readonly joinType: TableJoinType
  readonly joiner: (left: unknown, right: unknown) => unknown
  readonly thisName: string
  readonly otherName: string
  /** Set when the result is materialized (queryable); the merge node then keeps it. */
  readonly storeName: string | undefined
  /** The store goes through the record cache (the user's `cachingEnabled`, default true). */
  readonly cachingEnabled: boolean
  /** Kafka's `Materialized.withStoreType`; absent, the instance's `storeSupplier`. */
  readonly storeType?: StoreSupplierKind | undefined
  /** The key serde; for joined windowed tables (`windowedKeys`), the serde of the key inside `Windowed<K>`. */
  readonly keySerde: AnySerde
  readonly windowedKeys: boolean
  readonly valueSerde: AnySerde
}

/**
 * A foreign-key table-table join (KIP-213). Parents: [left table, right table]. `name` is the final
 * result node; the other names are the processors and topics of the subscription round trip.
 */
export interface ForeignKeyJoinNode extends NodeBase<'foreign-key-join'> {
  readonly left: boolean
  readonly foreignKeyExtractor: (value: unknown) => unknown
  readonly joiner: (left: unknown, right: unknown) => unknown
  readonly subscriptionStoreName: string
  readonly subscriptionTopic: string
  readonly responseTopic: string
  readonly names: {
    readonly subscriptionSend: string
    readonly subscriptionSink: string
    readonly subscriptionSource: string
    readonly subscriptionReceive: string
    readonly subscriptionJoinForeign: string
    readonly foreignTableJoin: string
    readonly responseSink: string
    readonly responseSource: string
    readonly responseResolve: string
  }
  /** The result table's store (Kafka Streams' KTABLE-FK-JOIN-OUTPUT node keeps it here). */
  readonly resultStoreName: string
  readonly resultValueSerde: AnySerde
  /** The store goes through the record cache (the user's `cachingEnabled`, default true). */
  readonly cachingEnabled: boolean
  /** Kafka's `Materialized.withStoreType`; absent, the instance's `storeSupplier`. */
  readonly storeType?: StoreSupplierKind | undefined
  readonly leftKeySerde: AnySerde
  readonly leftValueSerde: AnySerde
  readonly rightKeySerde: AnySerde
  readonly rightValueSerde: AnySerde
}

export type LogicalNode =
  | StreamSourceNode
  | TableSourceNode
  | StreamToTableNode
  | StatelessNode
  | ProcessNode
  | MergeNode
  | SplitNode
  | BranchNode
  | RepartitionNode
  | SinkNodeSpec
  | StreamAggregateNode
  | TimeWindowAggregateNode
  | SessionWindowAggregateNode
  | SlidingWindowAggregateNode
  | TableStatelessNode
  | TableToStreamNode
  | TableGroupByNode
  | TableAggregateNode
  | CogroupMergeNode
  | SuppressNode
  | GlobalTableSourceNode
  | GlobalStoreNode
  | TableMaterializeNode
  | StreamStreamJoinNode
  | StreamTableJoinNode
  | GlobalTableJoinNode
  | TableTableJoinNode
  | ForeignKeyJoinNode

export type NodeOfKind<Kind extends NodeKind> = Extract<LogicalNode, { kind: Kind }>

/** A store added with `builder.addStateStore()` for `process()` operators. */
export interface UserStoreSpec {
  readonly name: string
  readonly type: StoreType
  readonly keySerde: AnySerde
  readonly valueSerde: AnySerde
  readonly retentionMs?: number
  readonly windowSizeMs?: number
  readonly retainDuplicates?: boolean
  /** `'memory'` or `'rocksdb'` for this store; absent, the instance's `storeSupplier`. */
  readonly storeType?: StoreSupplierKind
  readonly loggingEnabled: boolean
}

export interface LogicalGraph {
  readonly nodes: readonly LogicalNode[]
  readonly stores: readonly UserStoreSpec[]
  /** The next free index for generated names; passes that add nodes continue from it. */
  readonly nextIndex: number
  /** Kafka's `reuse.ktable.source.topics` optimization: a table's source topic is its changelog. */
  readonly reuseSourceTopics?: boolean
  /**
   * Table sources and foreign-key join results that keep a store: the user named it, or an
   * operator downstream needs old values or lookups (Kafka's KTableSource.materialize()).
   */
  readonly materializedTables?: ReadonlySet<number>
  /**
   * Filters and mapValues with a store of their own whose old values an operator downstream needs
   * (Kafka's enableSendingOldValues on a materialized KTableFilter or KTableMapValues).
   */
  readonly oldValuesRequired?: ReadonlySet<number>
}

/** How each kind relates to keys and partitioning; drives the repartition pass. */
export interface KindTraits {
  /** `changes`: output keys may differ from input keys; `resets`: output is partitioned by key again. */
  readonly keys: 'changes' | 'preserves' | 'resets'
  /** Needs its input partitioned by its key (aggregations, stream joins). */
  readonly needsKeyPartitioning: boolean
}

export const kindTraits: Record<NodeKind, KindTraits> = {
  'stream-source': { keys: 'resets', needsKeyPartitioning: false },
  'table-source': { keys: 'resets', needsKeyPartitioning: false },
  'stream-to-table': { keys: 'resets', needsKeyPartitioning: true },
  stateless: { keys: 'preserves', needsKeyPartitioning: false },
  process: { keys: 'changes', needsKeyPartitioning: false },
  merge: { keys: 'preserves', needsKeyPartitioning: false },
  split: { keys: 'preserves', needsKeyPartitioning: false },
  branch: { keys: 'preserves', needsKeyPartitioning: false },
  repartition: { keys: 'resets', needsKeyPartitioning: false },
  sink: { keys: 'preserves', needsKeyPartitioning: false },
  'stream-aggregate': { keys: 'resets', needsKeyPartitioning: true },
  'time-window-aggregate': { keys: 'resets', needsKeyPartitioning: true },
  'session-window-aggregate': { keys: 'resets', needsKeyPartitioning: true },
  'sliding-window-aggregate': { keys: 'resets', needsKeyPartitioning: true },
  'table-stateless': { keys: 'preserves', needsKeyPartitioning: false },
  'table-to-stream': { keys: 'preserves', needsKeyPartitioning: false },
  'table-group-by': { keys: 'changes', needsKeyPartitioning: false },
  'table-aggregate': { keys: 'resets', needsKeyPartitioning: true },
  'cogroup-merge': { keys: 'preserves', needsKeyPartitioning: false },
  suppress: { keys: 'preserves', needsKeyPartitioning: false },
  'global-table-source': { keys: 'resets', needsKeyPartitioning: false },
  'global-store': { keys: 'resets', needsKeyPartitioning: false },
  'table-materialize': { keys: 'preserves', needsKeyPartitioning: false },
  'stream-stream-join': { keys: 'resets', needsKeyPartitioning: true },
  'stream-table-join': { keys: 'resets', needsKeyPartitioning: true },
  // Looks up by a mapped key in a fully replicated store: the stream's partitioning does not matter.
  'global-table-join': { keys: 'preserves', needsKeyPartitioning: false },
  'table-table-join': { keys: 'resets', needsKeyPartitioning: false },
  'foreign-key-join': { keys: 'resets', needsKeyPartitioning: false },
}

/** Kafka Streams' generated names: a prefix and a ten-digit, zero-padded index. */
export function generatedName(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(10, '0')}`
}

/** The store that keeps the rows of a table node, if it has one. */
export function tableStoreOf(node: LogicalNode): string | undefined {
  switch (node.kind) {
    case 'table-source':
    case 'stream-to-table':
    case 'table-materialize':
    case 'stream-aggregate':
    case 'time-window-aggregate':
    case 'session-window-aggregate':
    case 'sliding-window-aggregate':
    case 'table-aggregate':
    case 'cogroup-merge':
      return node.storeName
    case 'table-table-join':
      return node.storeName
    case 'foreign-key-join':
      return node.resultStoreName
    case 'table-stateless':
      return node.store?.name
    default:
      return undefined
  }
}

/** Whether a node's own output keys may differ from its input's: its kind's trait, or what the node says. */
export function changesKeys(node: LogicalNode): boolean {
  if (node.kind === 'stateless') return node.changesKey
  if (node.kind === 'process') return node.keepsKey !== true
  return kindTraits[node.kind].keys === 'changes'
}
