import { ConfigError, IllegalStateError } from '../core/errors.js'
import { RecordQueue, type Queueable } from './record-queue.js'
import type { TopicPartition } from './types.js'

/**
 * How many records the broker holds past the consumer's position in a partition, as of its latest
 * fetch; undefined while no fetch of it has answered yet.
 */
export type FetchedLag = (partition: TopicPartition) => bigint | undefined

export interface PartitionGroupOptions {
  /**
   * Task idling, as Kafka Streams' `max.task.idle.ms` since KIP-695: whether a task with some
   * input partitions empty processes the others, which could let their records overtake the
   * empty partition's. `-1` never waits. `0` (default) waits while an empty partition has records
   * on the broker that are not fetched yet (lag above 0, or not known yet), and processes once
   * every empty partition is caught up: it does not wait for data to be produced. Above 0 it
   * then also waits that long for new data in the caught-up empty partitions.
   */
  readonly maxTaskIdleMs?: number
  /** The lag of each input partition; without it every partition counts as caught up (no broker, as in the test driver). */
  readonly fetchedLag?: FetchedLag
  /** Records buffered per partition above which the consumer should pause it. Default 1000. */
  readonly maxBufferedPerPartition?: number
}

/** What `nextRecord` returns: the record and the partition it was taken from. */
export interface NextRecord<T> {
  readonly record: T
  readonly partition: TopicPartition
  /** The partition's position among the group's partitions (the order they were given in). */
  readonly index: number
}

/**
 * The input partitions of one task and their buffered records. `nextRecord` takes the buffered
 * head with the smallest timestamp, so a task sees its inputs merged in timestamp order as far as
 * the buffered data allows. The number of partitions per task is small (one per source topic), so a
 * linear scan beats a heap.
 */
export class PartitionGroup<T extends Queueable> {
  private readonly queues: RecordQueue<T>[]
  private readonly byPartition = new Map<string, Map<number, RecordQueue<T>>>()
  private readonly maxTaskIdleMs: number
  private readonly maxBuffered: number
  private readonly fetchedLag: FetchedLag | undefined
  private buffered = 0
  /** Per queue: the wall-clock time until which the caught-up empty partition is waited for. */
  private readonly idleDeadlines: (number | undefined)[]
  /** The last `readyToProcess` answered true only because idle partitions were waited for long enough. */
  private enforcing = false
  private enforced = 0

  constructor(partitions: readonly TopicPartition[], options: PartitionGroupOptions = {}) {
    if (partitions.length === 0) throw new ConfigError('A partition group needs at least one input partition.')
    this.maxTaskIdleMs = options.maxTaskIdleMs ?? 0
    this.maxBuffered = options.maxBufferedPerPartition ?? 1000
    this.fetchedLag = options.fetchedLag
    if (!Number.isInteger(this.maxTaskIdleMs) || this.maxTaskIdleMs < -1) {
      throw new ConfigError(`maxTaskIdleMs must be -1 (never wait) or a non-negative whole number of ms, got ${this.maxTaskIdleMs}.`)
    }
    if (!Number.isInteger(this.maxBuffered) || this.maxBuffered < 1) {
      throw new ConfigError(`maxBufferedPerPartition must be a whole number >= 1, got ${this.maxBuffered}.`)
    }
    this.queues = partitions.map((p) => new RecordQueue<T>({ topic: p.topic, partition: p.partition }))
    this.idleDeadlines = this.queues.map(() => undefined)
    for (const queue of this.queues) {
      let topic = this.byPartition.get(queue.partition.topic)
      if (topic === undefined) this.byPartition.set(queue.partition.topic, (topic = new Map()))
      topic.set(queue.partition.partition, queue)
    }
  }

  partitions(): TopicPartition[] {
    return this.queues.map((q) => q.partition)
  }

  has(topic: string, partition: number): boolean {
    return this.byPartition.get(topic)?.has(partition) === true
  }

  add(topic: string, partition: number, record: T): void {
    this.queueOf(topic, partition).push(record)
    this.buffered++
  }

  /** Records buffered in all partitions. */
  numBuffered(): number {
    return this.buffered
  }

  numBufferedOf(topic: string, partition: number): number {
    return this.queueOf(topic, partition).size
  }

  /** True when the partition holds as many records as it may: stop fetching it until it drains. */
  needsPause(topic: string, partition: number): boolean {
    return this.queueOf(topic, partition).size >= this.maxBuffered
  }

  partitionTimeMs(topic: string, partition: number): number {
    return this.queueOf(topic, partition).partitionTimeMs()
  }

  /** The position of the partition among the group's partitions. */
  indexOf(topic: string, partition: number): number {
    return this.queues.indexOf(this.queueOf(topic, partition))
  }

  /** True when the partition at `index` has nothing buffered and its lag on the broker is 0 (always, without a lag source). */
  caughtUp(index: number): boolean {
    const queue = this.queues[index] as RecordQueue<T>
    if (!queue.isEmpty()) return false
    return this.fetchedLag === undefined || this.fetchedLag(queue.partition) === 0n
  }

  /** Records taken while an input partition was empty and caught up (enforced processing, in Kafka's words). */
  enforcedProcessingCount(): number {
    return this.enforced
  }

  /**
   * True when the task may process now (Kafka Streams' rule since KIP-695). With every partition
   * buffered it may; with none it may not. With some empty, `maxTaskIdleMs` -1 may at once;
   * otherwise an empty partition whose lag is above 0 or not known holds the task back (its
   * records are on the broker, and processing the others now would let theirs overtake them), and
   * a caught-up empty one holds it back until `maxTaskIdleMs` has passed since it was first seen
   * empty and caught up.
   */
  readyToProcess(wallClockMs: number): boolean {
    this.enforcing = false
    if (this.buffered === 0) {
      this.idleDeadlines.fill(undefined)
      return false
    }
    if (this.maxTaskIdleMs === -1) return true
    let enforced = false
    for (let i = 0; i < this.queues.length; i++) {
      const queue = this.queues[i] as RecordQueue<T>
      if (!queue.isEmpty()) {
        this.idleDeadlines[i] = undefined
        continue
      }
      const lag = this.fetchedLag === undefined ? 0n : this.fetchedLag(queue.partition)
      if (lag === undefined || lag > 0n) {
        // Fetch it first: its records are (or may be) on the broker already.
        this.idleDeadlines[i] = undefined
        return false
      }
      let deadline = this.idleDeadlines[i]
      if (deadline === undefined) this.idleDeadlines[i] = deadline = wallClockMs + this.maxTaskIdleMs
      if (wallClockMs < deadline) return false
      enforced = true
    }
    this.enforcing = enforced
    return true
  }

  /** Takes the buffered record with the smallest timestamp (the earliest partition on ties). */
  nextRecord(): NextRecord<T> | undefined {
    let best: RecordQueue<T> | undefined
    let bestIndex = -1
    let bestTimestamp = Number.POSITIVE_INFINITY
    let someEmpty = false
    for (let i = 0; i < this.queues.length; i++) {
      const queue = this.queues[i] as RecordQueue<T>
      if (queue.isEmpty()) someEmpty = true
      const ts = queue.headTimestamp()
      if (ts < bestTimestamp || (best === undefined && !queue.isEmpty())) {
        best = queue
        bestIndex = i
        bestTimestamp = ts
      }
    }
    if (best === undefined) return undefined
    if (someEmpty && this.enforcing) this.enforced++
    const record = best.take() as T
    this.buffered--
    return { record, partition: best.partition, index: bestIndex }
  }

  /** Drops every buffered record (on close, or before seeking the partitions elsewhere). */
  clear(): void {
    for (const queue of this.queues) queue.clear()
    this.buffered = 0
    this.idleDeadlines.fill(undefined)
    this.enforcing = false
  }

  private queueOf(topic: string, partition: number): RecordQueue<T> {
    const queue = this.byPartition.get(topic)?.get(partition)
    if (queue === undefined) {
      throw new IllegalStateError(
        `Partition ${topic}-${partition} is not an input of this task (inputs: ${this.queues.map((q) => `${q.partition.topic}-${q.partition.partition}`).join(', ')}).`,
      )
    }
    return queue
  }
}
