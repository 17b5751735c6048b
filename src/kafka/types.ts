/**
 * The Kafka surface the runtime sees. Implementations over `@platformatic/kafka` live beside this
 * file; tests may hand the runtime their own implementations to inject failures. No client type
 * appears here.
 */

import type { RawHeader, RawRecord, TopicPartition, TopicPartitionOffset } from '../core/topic-partition.js'

export type { RawHeader, RawRecord, TopicPartition, TopicPartitionOffset }

/** A record to produce. Without `partition`, the client's murmur2 partitioner picks one from the key. */
export interface OutgoingRecord {
  readonly topic: string
  readonly partition?: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly timestamp?: number
  readonly headers?: readonly RawHeader[]
}

/** Where an acknowledged batch was written: its partition and the offset of its first record. */
export type RecordAck = TopicPartitionOffset

export interface TopicSpec {
  readonly name: string
  readonly partitions: number
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>
}

export type OffsetSpec = 'earliest' | 'latest'

/** Cluster administration for internal topics. */
export interface KafkaAdmin {
  /** Creates the topics; a topic that already exists is left as it is (its count is not checked). */
  createTopics(topics: readonly TopicSpec[]): Promise<void>
  /** Partition count of each named topic; a topic that does not exist is absent from the map. */
  describeTopics(names: readonly string[]): Promise<Map<string, number>>
  /** Moves the partition's log start to `beforeOffset` (records below it are gone). */
  deleteRecords(topic: string, partition: number, beforeOffset: bigint): Promise<void>
  /** The earliest or latest (next to be written) offset of each partition. */
  /** `isolationLevel` read_committed makes 'latest' the last stable offset rather than the high watermark. */
  listOffsets(topic: string, partitions: readonly number[], spec: OffsetSpec, isolationLevel?: IsolationLevel): Promise<Map<number, bigint>>
  /**
   * The members of a consumer group with the user data of their subscriptions and the partitions
   * the group's leader assigned them; `undefined` while the group is rebalancing (not Stable) or
   * does not exist.
   */
  describeGroupMembers(groupId: string): Promise<GroupMemberDescription[] | undefined>
  close(): Promise<void>
}

/** One member of a Stable consumer group, as the group coordinator describes it. */
export interface GroupMemberDescription {
  readonly memberId: string
  readonly clientId: string
  /** What the member advertised in its subscription (see `GroupConsumerOptions.userData`). */
  readonly userData: Buffer | undefined
  readonly assignment: readonly TopicPartition[]
}

/**
 * Called when the group's assignment changes. `poll()` awaits these before it returns records,
 * so a listener can close and restore tasks before any record of the new assignment.
 *
 * The client reports a new assignment only after it has rejoined the group, so revoked
 * partitions may already belong to another member when `onRevoked` runs. Treat it like Kafka's
 * `onPartitionsLost`: close those tasks without committing their offsets (at-least-once
 * reprocesses from the last commit; exactly-once aborts the open transaction).
 */
export interface AssignmentListener {
  onRevoked(partitions: readonly TopicPartition[]): void | Promise<void>
  onAssigned(partitions: readonly TopicPartition[]): void | Promise<void>
  /** The member joined a new generation of the group and kept exactly its assignment. */
  onRejoined?(): void | Promise<void>
  /**
   * The user data the leader's assignor attached to this member's assignment (undefined: none),
   * told for every new generation after `onRevoked` and before `onAssigned` or `onRejoined`.
   */
  onAssignmentUserData?(userData: Buffer | undefined): void | Promise<void>
}

/** A member of the group as the leader's assignor sees it. */
export interface GroupSubscriber {
  readonly memberId: string
  /** The user data of its subscription (see `GroupConsumerOptions.userData`). */
  readonly userData: Buffer | undefined
}

/** What the leader's assignor gives one member. */
export interface MemberAssignment {
  readonly partitions: readonly TopicPartition[]
  /** Told to the member by `AssignmentListener.onAssignmentUserData`. */
  readonly userData?: Buffer
}

/**
 * Computes the group's assignment on the leader (Kafka's ConsumerPartitionAssignor): every
 * partition of `topics` to one member, keyed by member id. Must be deterministic and synchronous.
 */
export type GroupAssignor = (members: readonly GroupSubscriber[], topics: readonly { readonly name: string; readonly partitions: number }[]) => Map<string, MemberAssignment>

/** What a transactional producer needs to commit offsets on behalf of a consumer group member. */
export interface GroupMetadata {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly coordinatorId: number
}

/**
 * A member of the application's consumer group. Offsets are never committed automatically. A
 * partition without a committed offset, or whose position fell below the log start, starts at
 * its earliest offset.
 */
export interface KafkaConsumer {
  /**
   * Joins the group for these topics; resolves once the first assignment has been handled. After a
   * failed join, calling it again with the same topics and listener tries the join again.
   */
  subscribe(topics: readonly string[], listener: AssignmentListener): Promise<void>
  /**
   * Up to `maxRecords` buffered or fetched records of the assigned, unpaused partitions, waiting
   * at most about `timeoutMs` when none is ready. Never buffers more than the configured bound.
   */
  poll(maxRecords: number, timeoutMs: number): Promise<RawRecord[]>
  /**
   * Renews the membership before the next `poll()` returns records, as Kafka's consumer does once
   * the group has dropped it (a commit refused with UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION). A
   * member the group still knows keeps its assignment; a dropped one gets a new one.
   */
  rejoinGroup(): void
  assignment(): TopicPartition[]
  /** Records fetched and not yet returned by `poll()` (for metrics and backpressure). */
  bufferedRecords(): number
  pause(partitions: readonly TopicPartition[]): void
  resume(partitions: readonly TopicPartition[]): void
  /** The next offset `poll()` returns for the partition (buffered records included). */
  position(partition: TopicPartition): bigint | undefined
  /**
   * How many records the broker had past `position` as of the partition's latest fetch (its end
   * offset: the high watermark, or the last stable offset under read_committed); undefined until
   * a fetch of the partition answered. What Kafka Streams' task idling (KIP-695) waits on.
   */
  currentLag(partition: TopicPartition): bigint | undefined
  /** Drops buffered records of the partition and continues from `offset`. */
  seek(partition: TopicPartition, offset: bigint): void
  /** Commits the offsets (next offset to read) for the group. */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>
  /** The group's committed offsets for these partitions; a partition without one is left out. */
  committed(partitions: readonly TopicPartition[]): Promise<TopicPartitionOffset[]>
  groupMetadata(): GroupMetadata
  close(): Promise<void>
}

/** Reads partitions outside any group: for changelog restoration and global tables. */
export interface KafkaReader {
  /** The latest offset (next to be written; the last stable offset under read_committed). */
  endOffset(partition: TopicPartition): Promise<bigint>
  /** The first offset the partition still holds (the log start offset). */
  startOffset(partition: TopicPartition): Promise<bigint>
  /**
   * Reads `[fromOffset, toOffset)` of the partition in batches, calling `onBatch` for each and
   * awaiting it. Resolves with the next offset once `toOffset` (or the real end) is reached.
   * Fails with `OffsetOutOfRangeError` when `fromOffset` is below the log start.
   */
  readRange(
    partition: TopicPartition,
    fromOffset: bigint,
    toOffset: bigint,
    onBatch: (records: RawRecord[]) => void | Promise<void>,
  ): Promise<bigint>
  close(): Promise<void>
}

/** An idempotent producer (acks=-1). */
export interface KafkaProducer {
  /**
   * Resolves once every record is acknowledged by the cluster, with one ack per partition
   * written: the offset of the first of the records sent to it.
   */
  send(records: readonly OutgoingRecord[]): Promise<RecordAck[]>
  /** Resolves once every send started before it has settled. */
  flush(): Promise<void>
  close(): Promise<void>
}

/**
 * A transactional producer. A fenced producer (another instance took over its transactional id)
 * fails with `TaskMigratedError`; every other failure is a `KafkaError`.
 */
export interface KafkaTransactionalProducer {
  /**
   * Registers the transactional id with the broker (InitProducerId) without opening a
   * transaction: an older producer with the id is fenced and its open transaction aborted, so
   * the offsets it left pending stop holding back the group's committed offsets. `begin()` does
   * it too when it has not been done.
   */
  init(): Promise<void>
  begin(): Promise<void>
  send(records: readonly OutgoingRecord[]): Promise<RecordAck[]>
  /** Adds the consumer's offsets (next offset to read) to the open transaction. */
  sendOffsets(group: GroupMetadata, offsets: readonly TopicPartitionOffset[]): Promise<void>
  commit(): Promise<void>
  abort(): Promise<void>
  close(): Promise<void>
}

export type IsolationLevel = 'read_uncommitted' | 'read_committed'
