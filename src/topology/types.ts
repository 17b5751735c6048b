/**
 * The physical topology: what the DSL compiles to and what a runtime (the Kafka runtime, the test
 * driver) executes. Nothing here knows about the DSL; a topology could be assembled by hand.
 */
import type { Headers, Record as StreamRecord, RecordMetadata } from '../core/record.js'
import type { ProcessorSupplier } from '../processors/api.js'
import type { Serde } from '../serde/serde.js'
import type { StoreDefinition } from '../state/types.js'

/** Picks a record's event time; the default is the timestamp the record carries. */
export type TimestampExtractor<K = unknown, V = unknown> = (record: StreamRecord<K, V>, partitionTimeMs: number) => number

/** What a dynamic `to()` sees besides key and value. */
export interface RecordContext {
  readonly timestamp: number
  readonly headers: Headers
  readonly metadata: RecordMetadata | undefined
}

/** Chooses the output topic per record: `stream.to((key, value, ctx) => topic)`. */
export type TopicNameExtractor<K = unknown, V = unknown> = (key: K, value: V, context: RecordContext) => string

/** The serdes a runtime uses where the topology does not name one (Kafka Streams' `default.key.serde`). */
export interface DefaultSerdes {
  readonly keySerde: Serde<unknown>
  readonly valueSerde: Serde<unknown>
}

/**
 * A serde slot: the serde the DSL knows for this key or value, or the runtime default, optionally
 * wrapped (stores keep values with their timestamp; table repartition topics carry old and new value).
 */
export interface SerdeRef {
  readonly role: 'key' | 'value'
  readonly serde: Serde<unknown> | undefined
  readonly wrap?: (inner: Serde<unknown>) => Serde<unknown>
}

export function resolveSerde(ref: SerdeRef, defaults: DefaultSerdes): Serde<unknown> {
  const inner = ref.serde ?? (ref.role === 'key' ? defaults.keySerde : defaults.valueSerde)
  return ref.wrap === undefined ? inner : ref.wrap(inner)
}

export interface SourceNode {
  readonly type: 'source'
  readonly name: string
  readonly topics: readonly string[]
  readonly keySerde: SerdeRef
  readonly valueSerde: SerdeRef
  readonly timestampExtractor: TimestampExtractor | undefined
  /** Where a partition without a committed offset starts (unset: the instance's default, earliest). */
  readonly offsetResetPolicy?: OffsetResetPolicy
  readonly children: readonly string[]
}

/**
 * Kafka Streams' per-source `AutoOffsetReset`: where reading starts in a partition the application
 * has committed no offset for (or whose committed offset is no longer in the log).
 */
export type OffsetResetPolicy = 'earliest' | 'latest'

export interface ProcessorNode {
  readonly type: 'processor'
  readonly name: string
  readonly supplier: ProcessorSupplier
  readonly stores: readonly string[]
  readonly parents: readonly string[]
  readonly children: readonly string[]
}

export interface SinkNode {
  readonly type: 'sink'
  readonly name: string
  readonly topic: string | TopicNameExtractor
  readonly keySerde: SerdeRef
  readonly valueSerde: SerdeRef
  readonly parents: readonly string[]
}

export type TopologyNode = SourceNode | ProcessorNode | SinkNode

/**
 * How a store's values look to interactive queries: `timestamped` stores keep `{ value, timestamp }`
 * and queries unwrap the value.
 */
export type StoreValueFormat = 'plain' | 'timestamped'

export interface StoreSpec {
  readonly definition: StoreDefinition
  readonly keySerde: SerdeRef
  readonly valueSerde: SerdeRef
  readonly valueFormat: StoreValueFormat
  /**
   * Where the store is backed up, relative to the application id when `changelogIsInternal`.
   * A table's store reuses its source topic and writes no changelog of its own.
   */
  readonly changelogTopic: string | undefined
  readonly changelogIsInternal: boolean
  /**
   * A global table's store: one copy per instance, filled from its topic (all partitions) before and
   * while the tasks run, shared read-only by every task.
   */
  readonly global?: boolean
}

export type InternalTopicPurpose = 'repartition' | 'changelog'

/** A topic the application owns; `name` is relative: the runtime prefixes `<applicationId>-`. */
export interface InternalTopicSpec {
  readonly name: string
  readonly purpose: InternalTopicPurpose
  /** Unset: as many partitions as the source topics of the upstream sub-topology. */
  readonly numPartitions: number | undefined
  readonly config: Readonly<Record<string, string>>
}

/** Nodes connected by edges or by a shared store: one task per partition runs each. */
export interface Subtopology {
  readonly id: number
  readonly nodes: readonly string[]
  readonly sourceTopics: readonly string[]
  /** Stores built per task; a global store appears only in the global sub-topology that fills it. */
  readonly stores: readonly string[]
  /** Fills a global store: it creates no tasks; its topics are read in full by every instance. */
  readonly global?: boolean
}
