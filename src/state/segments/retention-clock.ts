/**
 * The time a segmented store expires data against, shared by the segmented byte store (which
 * drops segments) and the typed layer above it (which hides expired entries still held in the
 * cache or in the oldest live segment).
 *
 * Stream time is the larger of the task's stream time and the largest segment time the store
 * has seen (Kafka Streams' "observed stream time"), so expiry also works while restoring, before
 * the task has processed anything. An entry is live while its time is greater than
 * `streamTime - retention`, as in Kafka Streams.
 */
import type { StateStoreContext } from '../types.js'

/** Kafka Streams' rule: two segments per retention period, but no shorter than a minute. */
export function segmentIntervalFor(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000)
}

export class RetentionClock {
  private observed = Number.NEGATIVE_INFINITY
  private context: StateStoreContext | undefined
  readonly segmentIntervalMs: number

  constructor(readonly retentionMs: number) {
    this.segmentIntervalMs = segmentIntervalFor(retentionMs)
  }

  attach(context: StateStoreContext): void {
    this.context = context
  }

  observe(time: number): void {
    if (time > this.observed) this.observed = time
  }

  streamTime(): number {
    const task = this.context === undefined ? Number.NEGATIVE_INFINITY : this.context.currentStreamTimeMs()
    return task > this.observed ? task : this.observed
  }

  /** The oldest time still retained. */
  minLiveTime(): number {
    return this.streamTime() - this.retentionMs + 1
  }

  segmentId(time: number): number {
    return Math.floor(time / this.segmentIntervalMs)
  }
}
