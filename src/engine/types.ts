/**
 * The task engine's view of Kafka records and of the services a task needs (where its output goes,
 * where its changelogs are read back from). The runtime implements these over the Kafka adapter,
 * the test driver in memory.
 */
import type { Headers } from '../core/record.js'
import type { RawHeader, RawRecord, TopicPartition, TopicPartitionOffset } from '../core/topic-partition.js'

export type { RawHeader, RawRecord, TopicPartition, TopicPartitionOffset }

/** A record a task writes, as bytes: a sink's output, a changelog write or a dead letter. */
export interface CollectedRecord {
  readonly topic: string
  /** Set for changelog records (the task's partition); sink outputs leave it to the partitioner. */
  readonly partition?: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly timestamp: number
  readonly headers: Headers
}

/**
 * Where a task's serialized records go (Kafka Streams' StreamsProducer): the instance's producer in
 * the runtime, the driver's in-memory topics in tests. `send` only appends: the runtime flushes
 * before committing, so that everything a task produced is acknowledged before its input offsets
 * are committed.
 */
export interface RecordWriter {
  send(record: CollectedRecord): void
  /**
   * The offset of the last acknowledged record written to the partition, if any. Read after a
   * flush to checkpoint changelog offsets.
   */
  lastAckedOffset(topic: string, partition: number): bigint | undefined
}

/** One changelog record read back for restoration. */
export interface ChangelogEntry {
  readonly offset: bigint
  /** The record's timestamp: a table restored from its source topic keeps it with the value. */
  readonly timestamp: number
  readonly key: Buffer | null
  readonly value: Buffer | null
}

/** Reads changelog partitions (or a table's source topic) outside the consumer group. */
export interface ChangelogReader {
  /** The offset the next record written to the partition will get (0 for an empty partition). */
  endOffset(topic: string, partition: number): Promise<bigint>
  /** The first offset the partition still holds: records below it were deleted (retention, DeleteRecords). */
  startOffset(topic: string, partition: number): Promise<bigint>
  /**
   * Up to `maxRecords` records from `fromOffset` on, in offset order. Offsets may have gaps
   * (compaction, transaction markers); an empty answer means nothing more is readable now. Fails
   * when `fromOffset` is below the partition's start offset.
   */
  read(topic: string, partition: number, fromOffset: bigint, maxRecords: number): Promise<readonly ChangelogEntry[]>
}
