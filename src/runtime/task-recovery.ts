import { ConfigError } from '../core/errors.js'
import { brokerErrorNames } from '../kafka/errors.js'
import type { AssignmentListener, GroupMetadata, KafkaAdmin, KafkaConsumer, TopicPartition } from '../kafka/types.js'
import type { KafkaRecordWriter } from './kafka-services.js'
import type { ProducerHolder } from './producer-holder.js'
import type { StateDirectory } from '../engine/state-directory.js'
import { isRetriable } from './retry-backoff.js'
import { decodeAssignmentInfo } from './assignment-info.js'
import type { StandbyTasks } from './standby-tasks.js'
import type { TaskManager } from './task-manager.js'
import type { TransactionSink } from './transaction-sink.js'

const FENCED = ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']
/** The group no longer counts this member, or not in this generation: only a new join helps. */
const MEMBER_LOST = ['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']

/** True when the transactional producer was fenced: it cannot be used again and must be replaced. */
export function isProducerFenced(error: unknown): boolean {
  return brokerErrorNames(error).some((name) => FENCED.includes(name))
}

/**
 * The group generation whose assignment the tasks work on. The client rejoins the group in the
 * background and reports the new assignment only afterwards, so its own generation may already be
 * the next one while the tasks still process partitions of the previous one; offsets committed in
 * a transaction carry this (older) generation, and the broker refuses them once the group moved on.
 */
export class AssignedGeneration {
  private current: GroupMetadata | undefined

  constructor(private readonly consumer: KafkaConsumer) {}

  /** The tasks now match the consumer's assignment: adopt its generation. */
  adopt(): void {
    this.current = this.consumer.groupMetadata()
  }

  metadata(): GroupMetadata {
    return this.current ?? this.consumer.groupMetadata()
  }
}

export interface TaskRecoveryDeps {
  readonly tasks: TaskManager
  readonly consumer: KafkaConsumer
  readonly admin: KafkaAdmin
  readonly collector: KafkaRecordWriter
  /** Under exactly_once_v2 only. */
  readonly transaction: TransactionSink | undefined
  readonly generation: AssignedGeneration
  readonly stateDirectory: StateDirectory
  /** Replaces a fenced transactional producer by a new one with the same transactional id. */
  readonly producer: Pick<ProducerHolder, 'renew'>
  readonly standbys: Pick<StandbyTasks, 'assign'>
  /** Called as a rebalance starts being handled (the instance goes to REBALANCING). */
  readonly onRebalance: () => void
  /** Where a partition without a committed offset starts (the source's `offsetResetPolicy`). */
  readonly offsetResetPolicy: (topic: string) => 'earliest' | 'latest'
}

/**
 * Rebalancing and recovery, as Kafka Streams' TaskManager does them. On revocation every task
 * commits and the revoked ones close cleanly (stores flushed, checkpoint written). When a commit
 * fails because the group moved on, the producer was fenced or the cluster failed, the open work
 * is abandoned: the transaction aborted, every task closed dirty (under exactly-once their state
 * is then rebuilt from the committed changelogs) and brought back for the partitions the consumer
 * still holds, from the group's committed offsets.
 */
export class TaskRecovery {
  constructor(private readonly deps: TaskRecoveryDeps) {}

  /**
   * The listener the consumer calls with each new assignment. Always the same object: a join that
   * failed is tried again with it, and the consumer accepts no other.
   */
  listener(): AssignmentListener {
    return this.assignmentListener
  }

  private readonly assignmentListener: AssignmentListener = {
    onRevoked: (partitions) => this.onRevoked(partitions),
    // Between the revoked active tasks' clean close and the new ones' creation: a standby promoted
    // to active is closed (checkpointed) before its active task opens the same stores, and an
    // active task demoted to standby has written its checkpoint before its standby opens them.
    onAssignmentUserData: (userData) => {
      const info = decodeAssignmentInfo(userData)
      // The leader refused this member (a setting the rest of the group does not share).
      if (info.error !== undefined) throw new ConfigError(info.error)
      return this.deps.standbys.assign(info.standbyTasks)
    },
    onAssigned: async (partitions) => {
      this.deps.onRebalance()
      this.deps.generation.adopt()
      await this.deps.tasks.assign(partitions)
    },
    // Every partition stayed with this member, so the work in hand is the new generation's too.
    onRejoined: () => this.deps.generation.adopt(),
  }

  /**
   * Abandons the work since the last commit: discards what was collected, aborts the transaction,
   * replaces a fenced producer, closes every task dirty, then recreates tasks for the current
   * assignment from the committed offsets.
   */
  async resetTasks(cause: unknown): Promise<void> {
    const { collector, transaction, tasks, consumer } = this.deps
    collector.discard()
    // Kafka Streams rejoins after a TaskMigratedException: at-least-once commits go through the
    // client, which rejoins by itself, but transactional offset commits would be refused for ever.
    if (brokerErrorNames(cause).some((name) => MEMBER_LOST.includes(name))) consumer.rejoinGroup()
    // A fenced producer or a lost coordinator cannot abort; the broker aborts the transaction then.
    await transaction?.abort().catch(() => undefined)
    if (transaction !== undefined && isProducerFenced(cause)) await this.deps.producer.renew()
    const closing = tasks.all().map((task) => task.taskId)
    try {
      await tasks.closeAll(false)
    } finally {
      // Under exactly-once a dirty close leaves no checkpoint, so the state is rebuilt from the
      // committed changelogs anyway. At-least-once keeps the last commit's checkpoint, but the
      // stores may hold writes flushed after it whose changelog records were never sent: counting
      // the reprocessed records on top of them would count them twice, so they start over too.
      if (transaction === undefined) for (const taskId of closing) this.wipe(taskId)
    }
    await this.resumeAssigned()
  }

  /**
   * Creates tasks for the assigned partitions that have none (their task was closed after a
   * failure, or restoring it failed), moving the consumer back to the group's committed offsets
   * for them (where the source's reset policy says when the group has none) and resuming them.
   */
  async resumeAssigned(): Promise<void> {
    const { consumer, tasks, admin } = this.deps
    const missing = consumer.assignment().filter((p) => !tasks.owns(p))
    if (missing.length > 0) {
      const committed = new Map((await consumer.committed(missing)).map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]))
      const withoutCommit = new Map<string, number[]>()
      for (const p of missing) {
        if (committed.has(`${p.topic}\u0000${p.partition}`)) continue
        withoutCommit.set(p.topic, [...(withoutCommit.get(p.topic) ?? []), p.partition])
      }
      for (const [topic, partitions] of withoutCommit) {
        const isolation = this.deps.transaction === undefined ? 'read_uncommitted' : 'read_committed'
        for (const [partition, offset] of await admin.listOffsets(topic, partitions, this.deps.offsetResetPolicy(topic), isolation)) {
          committed.set(`${topic}\u0000${partition}`, offset)
        }
      }
      for (const p of missing) consumer.seek(p, committed.get(`${p.topic}\u0000${p.partition}`) ?? 0n)
      consumer.resume(missing)
      await tasks.assign(missing)
    }
    this.deps.generation.adopt()
  }

  private wipe(taskId: string): void {
    const { stateDirectory } = this.deps
    const lock = stateDirectory.lock(taskId)
    try {
      stateDirectory.wipeTask(taskId)
    } finally {
      lock.release()
    }
  }

  private async onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    this.deps.onRebalance()
    const { tasks, collector, transaction, generation } = this.deps
    try {
      // Commit with the generation the work was done in: under exactly-once the broker refuses it
      // if the partitions may already be another member's, and the work is done again there.
      await tasks.commit()
      await tasks.revoke(partitions, true)
      // Closing may flush a store once more; such records are committed on their own.
      await collector.flush()
      await transaction?.commit(generation.metadata(), [])
    } catch (error) {
      if (!isRetriable(error)) throw error
      await this.resetTasks(error)
    }
    generation.adopt()
  }
}
