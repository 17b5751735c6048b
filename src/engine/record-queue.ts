import type { TopicPartition } from './types.js'

/** What a queue holds: anything with the partition offset and the timestamp it is ordered by. */
export interface Queueable {
  readonly offset: bigint
  readonly timestamp: number
}

/**
 * The buffered records of one input partition, first in first out. An array with a moving head:
 * taking the head costs no copy, and the array is compacted once the consumed prefix dominates.
 */
export class RecordQueue<T extends Queueable> {
  private items: T[] = []
  private head = 0
  /** The largest timestamp taken from this queue: Kafka Streams' partition time. */
  private maxTakenTimestamp = Number.NEGATIVE_INFINITY

  constructor(readonly partition: TopicPartition) {}

  get size(): number {
    return this.items.length - this.head
  }

  isEmpty(): boolean {
    return this.head >= this.items.length
  }

  /** Timestamp of the next record, or +Infinity when empty (never chosen by the partition group). */
  headTimestamp(): number {
    const item = this.items[this.head]
    return item === undefined ? Number.POSITIVE_INFINITY : item.timestamp
  }

  /** The partition time: the largest timestamp taken so far, -1 before any. */
  partitionTimeMs(): number {
    return this.maxTakenTimestamp === Number.NEGATIVE_INFINITY ? -1 : this.maxTakenTimestamp
  }

  push(item: T): void {
    this.items.push(item)
  }

  take(): T | undefined {
    const item = this.items[this.head]
    if (item === undefined) return undefined
    this.items[this.head] = undefined as unknown as T // let the record be collected
    this.head++
    if (item.timestamp > this.maxTakenTimestamp) this.maxTakenTimestamp = item.timestamp
    if (this.head >= this.items.length) {
      this.items = []
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }

  clear(): void {
    this.items = []
    this.head = 0
  }
}
