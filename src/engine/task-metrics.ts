import type { DropReason } from '../processors/api.js'

/** Counters of one task since it was created. */
export interface TaskMetrics {
  readonly processed: number
  /** Records the deserialization handler skipped ('continue' or dead letter). */
  readonly skipped: number
  /** Records the processing exception handler skipped ('continue' or dead letter), punctuation failures included. */
  readonly processingErrors: number
  /** Output records the production exception handler dropped ('continue'). */
  readonly productionErrors: number
  /** Records operators dropped (late, null key...) plus the skipped ones. */
  readonly droppedRecords: number
  readonly droppedRecordsByReason: Readonly<Record<DropReason, number>>
  readonly droppedRecordsByNode: Readonly<Record<string, number>>
  readonly punctuations: number
  /** Times the task processed with an input partition empty, after waiting `maxTaskIdleMs`. */
  readonly enforcedProcessing: number
}

/** Plain counters bumped on the hot path; `snapshot` copies them for readers. */
export class TaskMetricsCounter {
  processed = 0
  skipped = 0
  punctuations = 0
  processingErrors = 0
  productionErrors = 0
  private dropped = 0
  private readonly byReason: Record<DropReason, number> = { 'null-key': 0, 'null-value': 0, late: 0, deserialization: 0 }
  private readonly byNode: Record<string, number> = {}

  /** Counts a dropped record; true when it is the first for its reason. */
  recordDropped(nodeName: string, reason: DropReason): boolean {
    this.dropped++
    this.byNode[nodeName] = (this.byNode[nodeName] ?? 0) + 1
    return this.byReason[reason]++ === 0
  }

  snapshot(enforcedProcessing: number): TaskMetrics {
    return {
      processed: this.processed,
      skipped: this.skipped,
      processingErrors: this.processingErrors,
      productionErrors: this.productionErrors,
      droppedRecords: this.dropped,
      droppedRecordsByReason: { ...this.byReason },
      droppedRecordsByNode: { ...this.byNode },
      punctuations: this.punctuations,
      enforcedProcessing,
    }
  }
}
