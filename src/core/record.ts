/**
 * Record headers. Kafka allows a header key to repeat; Tributary keeps the last value of each key,
 * which is what every processor in the library needs and what users expect from an object.
 */
export type Headers = { [header: string]: Buffer }

/** A record as processors see it: typed key and value, event timestamp (ms) and headers. */
export interface Record<K, V> {
  readonly key: K
  readonly value: V
  readonly timestamp: number
  readonly headers: Headers
}

/** A key-value pair: the result of `map`, `flatMap` and the like. */
export type KeyValue<K, V> = readonly [key: K, value: V]

/** Where a record came from, when it came from a topic. */
export interface RecordMetadata {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
}
