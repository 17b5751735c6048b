import type { ProducedRecord } from './test-output-topic.js'

/**
 * The records written to one topic that no reader took yet, oldest first. Reading from the front
 * moves an index instead of shifting the array (`Array.prototype.shift` copies the whole array once
 * it is large, which made reading a long output quadratic); the consumed front is dropped once it
 * is at least half of the array, so memory follows what is unread.
 */
export class OutputQueue {
  private records: ProducedRecord[] = []
  private head = 0

  get length(): number {
    return this.records.length - this.head
  }

  push(record: ProducedRecord): void {
    this.records.push(record)
  }

  /** The oldest unread record, taken off the queue; undefined when there is none. */
  shift(): ProducedRecord | undefined {
    if (this.head >= this.records.length) return undefined
    const next = this.records[this.head]
    this.records[this.head++] = undefined as unknown as ProducedRecord
    if (this.head >= 1024 && this.head * 2 >= this.records.length) {
      this.records = this.records.slice(this.head)
      this.head = 0
    }
    return next
  }
}
