import { changeSerde } from '../../processors/change-serde.js'
import { valueAndTimestampSerde } from '../../processors/value-and-timestamp.js'
import type { Serde } from '../../serde/serde.js'
import { sessionWindowedSerde } from '../../serde/windowed.js'
import { MAX_TIME } from '../../state/key-schema/time-bytes.js'
import type { StoreSupplierKind, StoreType, StreamJoinStoreRole } from '../../state/types.js'
import type { TopologyAssembler } from '../../topology/topology-assembler.js'
import type { SerdeRef, StoreValueFormat } from '../../topology/types.js'
import type { TableView } from '../../processors/joins/table-view.js'
import type { StateStoreOptions } from '../options.js'
import type { GlobalStoreNode, LogicalNode, NodeKind, NodeOfKind, UserStoreSpec } from './nodes.js'

export interface CompileContext {
  readonly assembler: TopologyAssembler
  /** Physical names of the nodes that feed `node`. */
  parentsOf(node: LogicalNode): string[]
  /** Records the physical node that downstream operators of `node` attach to. */
  setOutput(node: LogicalNode, physicalName: string): void
  /** The source and repartition topics that feed logical node `id` (for co-partition groups). */
  sourceTopicsOf(id: number): string[]
  /** Kafka's `reuse.ktable.source.topics`: table sources back their stores up to their topics. */
  readonly reuseSourceTopics: boolean
  /** Whether table source or foreign-key join `id` keeps its store (see LogicalGraph.materializedTables). */
  isMaterialized(id: number): boolean
  /** Whether the changes of table `id` carry old values (Kafka's sendOldValues). */
  sendsOldValues(id: number): boolean
  /** How a join reads the rows of table `id`: its store, or its parents' through its operators. */
  tableView(id: number): TableView
}

export type NodeCompiler<Kind extends NodeKind> = (node: NodeOfKind<Kind>, ctx: CompileContext) => void

export const keyRef = (serde: Serde<unknown> | undefined): SerdeRef => ({ role: 'key', serde })
export const valueRef = (serde: Serde<unknown> | undefined, wrap?: (inner: Serde<unknown>) => Serde<unknown>): SerdeRef =>
  wrap === undefined ? { role: 'value', serde } : { role: 'value', serde, wrap }
export const timestamped = (inner: Serde<unknown>): Serde<unknown> => valueAndTimestampSerde(inner) as Serde<unknown>

export interface DslStore {
  readonly name: string
  readonly type: StoreType
  readonly keySerde: Serde<unknown> | undefined
  readonly valueSerde: Serde<unknown> | undefined
  readonly valueFormat: StoreValueFormat
  readonly loggingEnabled: boolean
  /** Default true: the store goes through the record cache (Kafka's `Materialized.withCachingEnabled`). */
  readonly cachingEnabled?: boolean
  /** Kafka's `Materialized.withStoreType`; absent, the instance's `storeSupplier`. */
  readonly storeType?: StoreSupplierKind | undefined
  readonly retentionMs?: number
  readonly windowSizeMs?: number
  readonly retainDuplicates?: boolean
  /** The stores of a stream-stream join say which part they play, so the state layer can cache them. */
  readonly streamJoinStore?: StreamJoinStoreRole
  /** The buffer of a suppression (see `StoreDefinition.timeOrderedBuffer`). */
  readonly timeOrderedBuffer?: boolean
  /**
   * The window store of an aggregation that emits on window close, Kafka Streams' time-ordered
   * window store (RocksDbIndexedTimeOrderedWindowBytesStoreSupplier). That store keeps a window while
   * its start is at least `streamTime - retention`, one ms longer than the other window stores
   * (`> streamTime - retention`): closed windows, and what joins read of them, stay there that ms.
   * The changelog's `retention.ms` is that of the retention given.
   */
  readonly timeOrderedWindows?: boolean
  /** Wraps the key serde: a store keyed by `Windowed<K>` (a materialized windowed table) wraps the inner key's. */
  readonly keyWrap?: (inner: Serde<unknown>) => Serde<unknown>
  /** The user's changelog topic configs, over the defaults (a suppression's `BufferConfig.withLoggingEnabled`). */
  readonly changelogConfig?: Readonly<Record<string, string>>
}

/** A store for `process()` operators as the user described it (`builder.addStateStore`). */
export function userStoreSpec(options: StateStoreOptions<unknown, unknown>): UserStoreSpec {
  return {
    name: options.name,
    type: options.type,
    keySerde: options.keySerde,
    valueSerde: options.valueSerde,
    ...(options.retentionMs === undefined ? {} : { retentionMs: options.retentionMs }),
    ...(options.windowSizeMs === undefined ? {} : { windowSizeMs: options.windowSizeMs }),
    ...(options.retainDuplicates === undefined ? {} : { retainDuplicates: options.retainDuplicates }),
    ...(options.storeType === undefined ? {} : { storeType: options.storeType }),
    loggingEnabled: options.loggingEnabled ?? true,
  }
}

/** The store of a global store as the user described it, its serdes defaulting to its topic's. */
export function globalUserStore(
  store: StateStoreOptions<unknown, unknown>,
  consumed: { readonly keySerde?: Serde<unknown> | undefined; readonly valueSerde?: Serde<unknown> | undefined },
): UserStoreSpec {
  return {
    name: store.name,
    type: store.type,
    keySerde: store.keySerde ?? consumed.keySerde,
    valueSerde: store.valueSerde ?? consumed.valueSerde,
    ...(store.retentionMs === undefined ? {} : { retentionMs: store.retentionMs }),
    ...(store.windowSizeMs === undefined ? {} : { windowSizeMs: store.windowSizeMs }),
    ...(store.retainDuplicates === undefined ? {} : { retainDuplicates: store.retainDuplicates }),
    ...(store.storeType === undefined ? {} : { storeType: store.storeType }),
    // Never logged: its topic is what it is restored from.
    loggingEnabled: false,
  }
}

/**
 * A global store (Kafka's addGlobalStore): source `sourceName` reads `topic` from every partition,
 * processor `name` fills the store; never logged, its topic is what it is restored from.
 */
export function addGlobalStoreTo(
  assembler: TopologyAssembler,
  node: Pick<GlobalStoreNode, 'name' | 'sourceName' | 'topic' | 'keySerde' | 'valueSerde' | 'timestampExtractor' | 'store' | 'supplier'>,
): void {
  assembler.addSource(node.sourceName, [node.topic], keyRef(node.keySerde), valueRef(node.valueSerde), node.timestampExtractor)
  const { store } = node
  assembler.addGlobalStore(
    {
      definition: {
        name: store.name,
        type: store.type,
        ...(store.retentionMs === undefined ? {} : { retentionMs: store.retentionMs }),
        ...(store.windowSizeMs === undefined ? {} : { windowSizeMs: store.windowSizeMs }),
        ...(store.retainDuplicates === undefined ? {} : { retainDuplicates: store.retainDuplicates }),
        ...(store.storeType === undefined ? {} : { storeType: store.storeType }),
        loggingEnabled: false,
        cachingEnabled: true,
      },
      keySerde: keyRef(store.keySerde),
      valueSerde: valueRef(store.valueSerde),
      valueFormat: 'plain',
      // As a global table's: the topic holds everything the store is filled from.
      changelogTopic: node.topic,
      changelogIsInternal: false,
    },
    node.name,
  )
  assembler.addProcessor(node.name, node.supplier, [node.sourceName], [store.name])
}

/** Kafka Streams' `windowstore.changelog.additional.retention.ms` default: a day beyond the store's retention. */
const CHANGELOG_ADDITIONAL_RETENTION_MS = 86_400_000
/** Java's Long.MAX_VALUE: Kafka's retention of a changelog whose store keeps its windows for good. */
const KAFKA_LONG_MAX = '9223372036854775807'

/**
 * A windowed store's changelog `retention.ms`. A store that never drops its windows (`UnlimitedWindows`)
 * gets Long.MAX_VALUE, as Kafka's WindowedChangelogTopicConfig when the sum overflows.
 */
function changelogRetentionMs(retentionMs: number): string {
  const total = retentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS
  return total > Number.MAX_SAFE_INTEGER ? KAFKA_LONG_MAX : String(total)
}

/** A store an operator owns, backed up to `<applicationId>-<store>-changelog` unless logging is off. */
export function addOperatorStore(ctx: CompileContext, store: DslStore): void {
  addStoreTo(ctx.assembler, store)
}

/** `addOperatorStore` on an assembler: the store's spec and, when it is logged, its changelog topic. */
export function addStoreTo(assembler: TopologyAssembler, store: DslStore): void {
  const windowed = store.type !== 'keyValue'
  const changelog = `${store.name}-changelog`
  assembler.addStore({
    definition: {
      name: store.name,
      type: store.type,
      // A store that keeps its windows for good (UnlimitedWindows) stays at the largest time.
      ...(store.retentionMs === undefined ? {} : { retentionMs: Math.min(MAX_TIME, store.retentionMs + (store.timeOrderedWindows === true ? 1 : 0)) }),
      ...(store.windowSizeMs === undefined ? {} : { windowSizeMs: store.windowSizeMs }),
      ...(store.retainDuplicates === undefined ? {} : { retainDuplicates: store.retainDuplicates }),
      ...(store.streamJoinStore === undefined ? {} : { streamJoinStore: store.streamJoinStore }),
      ...(store.timeOrderedBuffer === true ? { timeOrderedBuffer: true } : {}),
      ...(store.storeType === undefined ? {} : { storeType: store.storeType }),
      loggingEnabled: store.loggingEnabled,
      // A buffer is its own in-memory copy: a cache would only hold a second one.
      cachingEnabled: store.timeOrderedBuffer !== true && store.cachingEnabled !== false,
    },
    keySerde: store.keyWrap === undefined ? keyRef(store.keySerde) : { role: 'key', serde: store.keySerde, wrap: store.keyWrap },
    valueSerde: valueRef(store.valueSerde, store.valueFormat === 'timestamped' ? timestamped : undefined),
    valueFormat: store.valueFormat,
    changelogTopic: store.loggingEnabled ? changelog : undefined,
    changelogIsInternal: store.loggingEnabled,
  })
  if (store.loggingEnabled) {
    assembler.addInternalTopic({
      name: changelog,
      purpose: 'changelog',
      numPartitions: undefined,
      config: {
        ...(windowed ? { 'cleanup.policy': 'compact,delete', 'retention.ms': changelogRetentionMs(store.retentionMs ?? 0) } : { 'cleanup.policy': 'compact' }),
        ...store.changelogConfig,
      },
    })
  }
}

/**
 * The key bytes of a key-value store that keeps a windowed table's rows: the inner key, the window's
 * end and start (the session-window layout, which keeps both bounds of any window exactly).
 */
export const windowedStoreKey = (inner: Serde<unknown>): Serde<unknown> => sessionWindowedSerde(inner) as Serde<unknown>

/** Table updates (old and new value) through a topic. */
export const changes = (inner: Serde<unknown>): Serde<unknown> => changeSerde(inner) as Serde<unknown>

/**
 * The store of a table read from a topic (`builder.table`, `builder.globalTable`): the topic
 * already holds every update of the table, so it is the store's changelog and no copy is written.
 */
export function sourceTableStore(node: {
  storeName: string
  topic: string
  keySerde: Serde<unknown> | undefined
  valueSerde: Serde<unknown> | undefined
  cachingEnabled?: boolean
  storeType?: StoreSupplierKind | undefined
}) {
  return {
    definition: {
      name: node.storeName,
      type: 'keyValue' as const,
      loggingEnabled: false,
      cachingEnabled: node.cachingEnabled !== false,
      ...(node.storeType === undefined ? {} : { storeType: node.storeType }),
    },
    keySerde: keyRef(node.keySerde),
    valueSerde: valueRef(node.valueSerde, timestamped),
    valueFormat: 'timestamped' as const,
    changelogTopic: node.topic,
    changelogIsInternal: false,
  }
}
