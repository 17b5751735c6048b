/**
 * Kafka's partitions, offsets and records as bytes: shared by the Kafka adapter, which reads and
 * writes them, and the task engine, which consumes them without knowing any client.
 */

/** One partition of one topic. */
export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

/** An offset for a partition: by Kafka's convention, the offset of the next record to read. */
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: bigint
}

/** A record header as it travels on the wire. */
export type RawHeader = readonly [key: string, value: Buffer | null]

/** A record as fetched from Kafka, before any deserialization. */
export interface RawRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
  readonly key: Buffer | null
  readonly value: Buffer | null
  /** Milliseconds since the epoch. */
  readonly timestamp: number
  readonly headers: readonly RawHeader[]
}
