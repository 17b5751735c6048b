/**
 * Tributary: stream processing on Kafka with streams, tables, joins and windows.
 * This is the package's public entry point; `tributary/testing`, `tributary/broker` and
 * `tributary/geo` are the others.
 */
import type { Record as CoreRecord } from './core/record.js'

export * from './core/errors.js'
export type { Headers, KeyValue, RecordMetadata } from './core/record.js'
export type { Record as StreamRecord } from './core/record.js'
/** @deprecated Use {@link StreamRecord}: importing `Record` hides TypeScript's global `Record<K, V>`. */
export type Record<K, V> = CoreRecord<K, V>
export type { Change, Window, Windowed } from './core/windowed.js'
export type { MaybePromise } from './core/maybe-promise.js'
export * from './serde/index.js'
export {
  StreamsBuilder, TopologyBuilder, KStream, KTable, KGroupedStream, KGroupedTable, TimeWindowedKStream, SessionWindowedKStream,
  TimeWindows, SlidingWindows, SessionWindows, UnlimitedWindows, Suppressed, BufferConfig, JoinWindows, GlobalKTable, withKey, EmitStrategy,
} from './dsl/index.js'
export type { ValueJoiner, ValueJoinerWithKey, StrictBufferConfig, EagerBufferConfig, BufferFullStrategy, EmitStrategyType, SinkOptions, SourceOptions } from './dsl/index.js'
export type * from './dsl/options.js'
export { Topology, QueryableStoreTypes } from './topology/index.js'
export type { QueryableStoreType, QueryableWindowStore } from './topology/index.js'
export type { OffsetResetPolicy, TimestampExtractor, TopicNameExtractor, RecordContext } from './topology/types.js'
export type {
  Processor, ProcessorContext, ProcessorSupplier, PunctuationType, Punctuator, Cancellable, DropReason,
} from './processors/index.js'
export type {
  KeyValueStore, WindowStore, SessionStore, ReadOnlyKeyValueStore, ReadOnlyWindowStore, ReadOnlySessionStore,
  WindowEntry, StateStore,
} from './state/types.js'
export { KafkaStreams, InvalidStateStoreError } from './runtime/index.js'
export type {
  KafkaStreamsConfig, KafkaStreamsOptions, KafkaStreamsState, KafkaStreamsEvents, StreamsWarning, RecordsDroppedWarning, GroupJoinRetryWarning, ProcessingRetryWarning, ProcessingGuarantee, DeserializationExceptionHandler,
  ProcessingExceptionHandler, ProductionExceptionHandler, KeyQueryMetadata, StreamsMetadata, StreamsMetricsSnapshot,
  StandbyFailureWarning, StandbyTaskMetrics, TaskEventTime,
} from './runtime/index.js'
export type { KafkaSecurity, OAuthBearerTokenProvider, SaslConfig, SaslMechanism, SecurityProtocol, TlsOptions } from './runtime/index.js'
