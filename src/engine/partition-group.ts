import { ConfigError, IllegalStateError } from '../core/errors.js'
import { RecordQueue, type Queueable } from './record-queue.js'
import type { TopicPartition } from './types.js'

export interface PartitionGroupOptions {
  /**
   * How long a task with some but not all of its input partitions buffered waits for the others
   * before processing what it has (Kafka Streams' `max.task.idle.ms`). Waiting keeps records of
   * co-partitioned topics (join inputs) in timestamp order; 0 never waits. Default 0.
   */
  readonly maxTaskIdleMs?: number
  /** Records buffered per partition above which the consumer should pause it. Default 1000. */
  readonly maxBufferedPerPartition?: number
}

/** What `nextRecord` returns: the record and the partition it was taken from. */
export interface NextRecord<T> {
  readonly record: T
  readonly partition: TopicPartition
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
  private buffered = 0
  /** Wall-clock time since which some (not all) partitions have data; undefined when not idling. */
  private idleSinceMs: number | undefined
  private enforced = 0

  constructor(partitions: readonly TopicPartition[], options: PartitionGroupOptions = {}) {
    if (partitions.length === 0) throw new ConfigError('A partition group needs at least one input partition.')
    this.maxTaskIdleMs = options.maxTaskIdleMs ?? 0
    this.maxBuffered = options.maxBufferedPerPartition ?? 1000
    if (!Number.isInteger(this.maxTaskIdleMs) || this.maxTaskIdleMs < 0) {
      throw new ConfigError(`maxTaskIdleMs must be a non-negative whole number of ms, got ${this.maxTaskIdleMs}.`)
    }
    if (!Number.isInteger(this.maxBuffered) || this.maxBuffered < 1) {
      throw new ConfigError(`maxBufferedPerPartition must be a whole number >= 1, got ${this.maxBuffered}.`)
    }
    this.queues = partitions.map((p) => new RecordQueue<T>({ topic: p.topic, partition: p.partition }))
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

  /** Records taken while a partition was empty, after waiting `maxTaskIdleMs` for it. */
  enforcedProcessingCount(): number {
    return this.enforced
  }

  /**
   * True when the task may process now. With every partition buffered it may; with none it may
   * not; with some, only once the missing ones have been empty for `maxTaskIdleMs`, so that a
   * partition which is merely slower to fetch does not see its records overtaken.
   */
  readyToProcess(wallClockMs: number): boolean {
    let empty = 0
    for (const queue of this.queues) if (queue.isEmpty()) empty++
    if (empty === this.queues.length) {
      this.idleSinceMs = undefined
      return false
    }
    if (empty === 0 || this.maxTaskIdleMs === 0) {
      this.idleSinceMs = undefined
      return true
    }
    if (this.idleSinceMs === undefined) this.idleSinceMs = wallClockMs
    // Waited long enough: keep processing until the group drains or every partition has data again.
    return wallClockMs - this.idleSinceMs >= this.maxTaskIdleMs
  }

  /** Takes the buffered record with the smallest timestamp (the earliest partition on ties). */
  nextRecord(): NextRecord<T> | undefined {
    let best: RecordQueue<T> | undefined
    let bestTimestamp = Number.POSITIVE_INFINITY
    let someEmpty = false
    for (const queue of this.queues) {
      if (queue.isEmpty()) someEmpty = true
      const ts = queue.headTimestamp()
      if (ts < bestTimestamp || (best === undefined && !queue.isEmpty())) {
        best = queue
        bestTimestamp = ts
      }
    }
    if (best === undefined) return undefined
    if (someEmpty && this.maxTaskIdleMs > 0) this.enforced++
    const record = best.take() as T
    this.buffered--
    return { record, partition: best.partition }
  }

  /** Drops every buffered record (on close, or before seeking the partitions elsewhere). */
  clear(): void {
    for (const queue of this.queues) queue.clear()
    this.buffered = 0
    this.idleSinceMs = undefined
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
