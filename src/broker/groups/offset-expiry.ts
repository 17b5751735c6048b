import type { BrokerLogger } from '../logger.js'
import type { GroupMembership } from './group-membership.js'
import type { OffsetStore } from './offset-store.js'

export interface OffsetExpiryOptions {
  membership: GroupMembership
  store: OffsetStore
  now: () => number
  logger: BrokerLogger
  /** Kafka's `offsets.retention.minutes` (default 7 days), in milliseconds. */
  retentionMs: number
  /** Kafka's `offsets.retention.check.interval.ms` (default 10 minutes). */
  checkIntervalMs: number
}

/**
 * Kafka's offset retention: the committed offsets of a consumer group expire once the group has
 * been Empty for the retention period (a group without group management, which only commits,
 * expires each offset that long after its commit), and an Empty group left without offsets is
 * removed. A group loaded from disk counts as Empty since the load, which can only keep offsets
 * longer, never drop them early.
 */
export class OffsetExpiry {
  private timer: ReturnType<typeof setInterval> | null = null
  private running: Promise<void> | null = null

  constructor(private readonly options: OffsetExpiryOptions) {}

  start(): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => {
      this.running ??= this.expire().catch((error: unknown) => {
        this.options.logger.warn('offset expiration failed; it is retried at the next check', { cause: String(error) })
      }).finally(() => {
        this.running = null
      })
    }, this.options.checkIntervalMs)
    this.timer.unref?.()
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    await this.running
  }

  /** One pass over every group; exposed so the coordinator's tests can run it directly. */
  async expire(): Promise<void> {
    const { membership, store, now, retentionMs } = this.options
    const current = now()
    for (const group of [...membership.groups.values()]) {
      if (!group.is('Empty')) continue
      const managed = group.protocolType !== null
      const expired: Array<{ topic: string; partition: number }> = []
      for (const [topic, byPartition] of store.committedByTopic(group.groupId)) {
        for (const [partition, committed] of byPartition) {
          const since = managed ? group.stateTimestamp : committed.commitTimestamp
          if (since + retentionMs <= current) expired.push({ topic, partition })
        }
      }
      if (expired.length > 0) {
        this.options.logger.info('expiring committed offsets', { groupId: group.groupId, partitions: expired.length })
        await store.expireOffsets(group.groupId, expired)
      }
      // Still Empty and now without offsets (a join may have raced the write): the group goes.
      if (group.is('Empty') && !store.hasOffsets(group.groupId) && membership.groups.get(group.groupId) === group) {
        membership.removeGroup(group)
        await store.deleteGroup(group.groupId)
      }
    }
  }
}
