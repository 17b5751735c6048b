/**
 * The time a segmented store expires data against, shared by the segmented byte store (which
 * drops segments) and the typed layer above it (which hides expired entries still held in the
 * cache or in the oldest live segment).
 *
 * Stream time here is the store's own: the largest segment time (window start, session end)
 * written into or restored to this store, Kafka Streams' "observed stream time" of a segmented
 * store (AbstractRocksDBSegmentedBytesStore, InMemoryWindowStore). It is not the task's stream
 * time: that one also counts records that never reach this store (the other side of a join,
 * records filtered out before an aggregation), and expiring by it would drop records Kafka Streams
 * still finds. Nothing persists it: it starts unknown when the store is created, as in Kafka
 * Streams, and grows only with writes and restored records. An entry is live while its time is greater than `streamTime - retention`.
 */
/** Kafka Streams' rule: two segments per retention period, but no shorter than a minute. */
export function segmentIntervalFor(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000)
}

export class RetentionClock {
  private observed = Number.NEGATIVE_INFINITY
  private watermark: (() => number | undefined) | undefined
  readonly segmentIntervalMs: number

  constructor(readonly retentionMs: number) {
    this.segmentIntervalMs = segmentIntervalFor(retentionMs)
  }

  /**
   * Under upstream watermarks the task's event time also bounds this clock: a faster input's
   * records written into the store must not expire what a slower input still has to find.
   */
  bindWatermark(watermark: (() => number | undefined) | undefined): void {
    this.watermark = watermark
  }

  observe(time: number): void {
    if (time > this.observed) this.observed = time
  }

  streamTime(): number {
    const watermark = this.watermark?.()
    return watermark === undefined || watermark >= this.observed ? this.observed : watermark
  }

  /** The oldest time still retained. */
  minLiveTime(): number {
    return this.streamTime() - this.retentionMs + 1
  }

  segmentId(time: number): number {
    return Math.floor(time / this.segmentIntervalMs)
  }
}
