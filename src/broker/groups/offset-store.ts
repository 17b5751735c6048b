import { join } from 'node:path'
import type { LogDurability } from '../log/durability.js'
import type { BrokerLogger } from '../logger.js'
import { CoordinatorLog } from './coordinator-log.js'
import { decodeRecord, encodeRecord, type CommittedOffset, type CoordinatorRecord, type PersistedGroup } from './log-records.js'

export interface OffsetCommitEntry {
  topic: string
  partition: number
  committed: CommittedOffset
}

export type TopicOffsets = ReadonlyMap<string, ReadonlyMap<number, CommittedOffset>>

export interface OffsetStoreOptions {
  dataDir: string
  logger: BrokerLogger
  /** Compact the log once it holds this many records... */
  compactAfterRecords?: number
  /** When the log is synced (see CoordinatorLog); default: Kafka's, no sync per commit. */
  durability?: LogDurability
}

/** ...and the log holds at least this many times more records than live state needs. */
const COMPACTION_RATIO = 4

/**
 * Committed offsets and group metadata: served from memory, written to the coordinator log (and
 * synced, if its durability asks) before a commit is acknowledged. In-memory state changes only
 * when its record is stored and in log order, so what a client was told is exactly what a
 * restart reads back.
 */
export class OffsetStore {
  private readonly log: CoordinatorLog
  private readonly offsets = new Map<string, Map<string, Map<number, CommittedOffset>>>()
  private readonly groups = new Map<string, PersistedGroup>()
  private readonly compactAfterRecords: number
  private recordsInLog = 0
  /** Log size at which compaction is next considered; grows with the live state it must keep. */
  private nextCompactionAt: number
  private compacting = false

  constructor(private readonly options: OffsetStoreOptions) {
    this.log = new CoordinatorLog(join(options.dataDir, '__consumer_offsets', 'coordinator.log'), options.logger, options.durability)
    this.compactAfterRecords = options.compactAfterRecords ?? 10_000
    this.nextCompactionAt = this.compactAfterRecords
  }

  /** Replays the log; returns the persisted group metadata. */
  async load(): Promise<PersistedGroup[]> {
    const payloads = await this.log.open()
    let skipped = 0
    for (const payload of payloads) {
      const record = decodeRecord(payload)
      if (record === null) skipped++
      else this.apply(record)
    }
    if (skipped > 0) this.options.logger.warn('skipped unreadable group coordinator records', { skipped })
    this.recordsInLog = payloads.length
    await this.maybeCompact()
    return [...this.groups.values()]
  }

  /** Group ids that have committed offsets. */
  groupIdsWithOffsets(): string[] {
    return [...this.offsets.keys()]
  }

  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(groupId)?.get(topic)?.get(partition)
  }

  /** Every committed offset of a group, by topic and partition. */
  committedByTopic(groupId: string): TopicOffsets {
    return this.offsets.get(groupId) ?? new Map()
  }

  hasOffsets(groupId: string): boolean {
    return this.offsets.has(groupId)
  }

  /** Resolves once the offsets are stored and visible to fetches. */
  commit(groupId: string, entries: readonly OffsetCommitEntry[]): Promise<void> {
    return this.append(entries.map((e) => ({ type: 'offset', groupId, topic: e.topic, partition: e.partition, committed: e.committed })))
  }

  saveGroup(group: PersistedGroup): Promise<void> {
    return this.append([{ type: 'group', group }])
  }

  /** Forgets a group's metadata and offsets (DeleteGroups). */
  deleteGroup(groupId: string): Promise<void> {
    return this.append([{ type: 'group-deleted', groupId }])
  }

  /**
   * Forgets a deleted topic's offsets at once (fetches stop seeing them now) and again when the
   * record is durable, which also drops any commit for the topic that was still in flight.
   */
  /** Removes expired offsets of a group. */
  expireOffsets(groupId: string, partitions: Array<{ topic: string; partition: number }>): Promise<void> {
    return this.append([{ type: 'offsets-expired', groupId, partitions }])
  }

  deleteTopic(topic: string): Promise<void> {
    const record: CoordinatorRecord = { type: 'topic-deleted', topic }
    this.apply(record)
    return this.append([record])
  }

  /** Writes waiting in the log or being made durable. */
  get queuedWrites(): number {
    return this.log.queuedOperations
  }

  async close(): Promise<void> {
    await this.log.close()
  }

  private async append(records: CoordinatorRecord[]): Promise<void> {
    await this.log.append(records.map(encodeRecord), () => {
      for (const record of records) this.apply(record)
      this.recordsInLog += records.length
    })
    void this.maybeCompact().catch(() => {
      // The log already reported the failure; the uncompacted log stays correct.
    })
  }

  private apply(record: CoordinatorRecord): void {
    switch (record.type) {
      case 'offset': {
        let byTopic = this.offsets.get(record.groupId)
        if (byTopic === undefined) this.offsets.set(record.groupId, (byTopic = new Map()))
        let byPartition = byTopic.get(record.topic)
        if (byPartition === undefined) byTopic.set(record.topic, (byPartition = new Map()))
        byPartition.set(record.partition, record.committed)
        return
      }
      case 'topic-deleted':
        for (const [groupId, byTopic] of this.offsets) {
          byTopic.delete(record.topic)
          if (byTopic.size === 0) this.offsets.delete(groupId)
        }
        return
      case 'offsets-expired': {
        const byTopic = this.offsets.get(record.groupId)
        if (byTopic === undefined) return
        for (const { topic, partition } of record.partitions) {
          byTopic.get(topic)?.delete(partition)
          if (byTopic.get(topic)?.size === 0) byTopic.delete(topic)
        }
        if (byTopic.size === 0) this.offsets.delete(record.groupId)
        return
      }
      case 'group':
        this.groups.set(record.group.groupId, record.group)
        return
      case 'group-deleted':
        this.groups.delete(record.groupId)
        this.offsets.delete(record.groupId)
        return
    }
  }

  private liveRecordCount(): number {
    let count = this.groups.size
    for (const byTopic of this.offsets.values()) for (const byPartition of byTopic.values()) count += byPartition.size
    return count
  }

  private async maybeCompact(): Promise<void> {
    if (this.compacting || this.recordsInLog < this.nextCompactionAt) return
    const live = this.liveRecordCount()
    this.nextCompactionAt = Math.max(this.compactAfterRecords, COMPACTION_RATIO * live)
    if (this.recordsInLog < this.nextCompactionAt) return
    this.compacting = true
    try {
      await this.log.rewrite(() => {
        const snapshot = this.snapshot()
        this.recordsInLog = snapshot.length
        this.nextCompactionAt = Math.max(this.compactAfterRecords, COMPACTION_RATIO * snapshot.length)
        return snapshot
      })
      this.options.logger.debug('compacted the group coordinator log', { records: this.recordsInLog })
    } finally {
      this.compacting = false
    }
  }

  private snapshot(): Buffer[] {
    const payloads: Buffer[] = []
    for (const group of this.groups.values()) payloads.push(encodeRecord({ type: 'group', group }))
    for (const [groupId, byTopic] of this.offsets) {
      for (const [topic, byPartition] of byTopic) {
        for (const [partition, committed] of byPartition) {
          payloads.push(encodeRecord({ type: 'offset', groupId, topic, partition, committed }))
        }
      }
    }
    return payloads
  }
}
