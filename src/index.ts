/**
 * Tributary: stream processing on Kafka with streams, tables, joins and windows.
 * This is the package's public entry point; `tributary/testing`, `tributary/broker` and
 * `tributary/geo` are the others.
 */
export * from './core/errors.js'
export type { Headers, KeyValue, Record, RecordMetadata } from './core/record.js'
export type { Change, Window, Windowed } from './core/windowed.js'
export type { MaybePromise } from './core/maybe-promise.js'
export * from './serde/index.js'
