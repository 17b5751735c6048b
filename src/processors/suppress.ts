import { SuppressionBufferFullError } from '../core/errors.js'
import type { Change, Windowed } from '../core/windowed.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Record as StreamRecord } from '../core/record.js'
import type { TimeOrderedBuffer } from '../state/types.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from './api.js'

export type SuppressSpec = SuppressBufferLimits &
  (
    | /**
       * Final results of a windowed table: each window once, when stream time reaches `end + grace`.
       * For sessions `graceMs` includes the gap, and a session accepts updates until stream time passes it.
       */
      { readonly kind: 'until-window-closes'; readonly graceMs: number; readonly sessionWindows?: boolean }
    /** The latest value of each key, `timeLimitMs` of stream time after its first buffered update. */
    | { readonly kind: 'until-time-limit'; readonly timeLimitMs: number }
  )

/**
 * The buffer's bounds (Kafka Streams' BufferConfig): held keys, and bytes as Kafka Streams counts them
 * (see `TimeOrderedBuffer.sizeBytes`); unset, unbounded. Past a bound the oldest held updates are
 * emitted early (`'emit'`, the default) or the task fails with a `SuppressionBufferFullError` (`'shut-down'`).
 */
export interface SuppressBufferLimits {
  readonly maxRecords?: number
  readonly maxBytes?: number
  readonly bufferFullStrategy?: 'emit' | 'shut-down'
}

/**
 * `KTable.suppress` (Kafka Streams' KTableSuppressProcessor). Buffers the latest change of each key in
 * the time-ordered buffer `storeName` and emits it when its time is up, as judged by the stream time
 * this processor observes; emission happens only when a record arrives, so an idle input keeps results
 * buffered. Under upstream watermarks the time is the task's event time instead, and results come out
 * as it advances, records or not. The buffer is a store of the task, backed up to its changelog: after a restart or a move
 * of the task the held updates, and the observed stream time, come back before the first record.
 */
export function suppressProcessor<K, V>(spec: SuppressSpec, storeName: string, nodeName = 'KTABLE-SUPPRESS'): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => new Suppress<K, V>(spec, storeName, nodeName)
}

class Suppress<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private ctx!: ProcessorContext<K, Change<V>>
  private buffer!: TimeOrderedBuffer<K, V>
  private readonly waitMs: number
  private readonly maxRecords: number
  private readonly maxBytes: number
  /** Only under a byte bound are held values serialized to be counted. */
  private readonly countBytes: boolean
  private readonly shutDownWhenFull: boolean

  constructor(
    private readonly spec: SuppressSpec,
    private readonly storeName: string,
    private readonly nodeName: string,
  ) {
    this.waitMs = spec.kind === 'until-window-closes' ? spec.graceMs : spec.timeLimitMs
    this.maxRecords = spec.maxRecords ?? Infinity
    this.maxBytes = spec.maxBytes ?? Infinity
    this.countBytes = this.maxBytes !== Infinity
    this.shutDownWhenFull = spec.bufferFullStrategy === 'shut-down'
  }

  init(context: ProcessorContext<K, Change<V>>): void {
    this.ctx = context
    this.buffer = context.getStateStore<TimeOrderedBuffer<K, V>>(this.storeName)
    if (this.countBytes) this.buffer.countBytes()
    // Under upstream watermarks results are released as the task's event time passes them, with or
    // without new records (idle inputs advance it with the wall clock).
    context.onWatermarkAdvanced((eventTimeMs) => {
      this.buffer.observeStreamTime(eventTimeMs)
      return this.emitDue()
    })
  }

  process(record: StreamRecord<K, Change<V>>): MaybePromise<void> {
    const timeBefore = this.buffer.streamTimeMs
    this.buffer.observeStreamTime(this.ctx.watermarkMs() ?? record.timestamp)
    if (this.windowClosed(record.key as Windowed<unknown>, timeBefore)) {
      // The window's final result went out already (or the window closed before anything of it arrived):
      // an update now would be a second "final" result. After a join of windowed tables each side
      // judges lateness by its own stream time, so such updates do reach this point; drop them as late.
      // A retraction (a session merged away) is not counted: final tombstones are never published.
      if (record.value.newValue !== null) this.ctx.recordDropped('late')
      return undefined
    }
    // Kafka Streams counts the record's context (its source topic included) in the buffer's bytes.
    const buffered = this.buffer.put(this.bufferTime(record), record, this.countBytes ? this.ctx.recordMetadata()?.topic : undefined)
    if (isPromiseLike(buffered)) return buffered.then(() => this.emitDue())
    return this.emitDue()
  }

  /**
   * As the aggregations judge it: a time window is closed at `end + grace`, a session only after it;
   * judged by the stream time before this record. A window that this very record closes has not gone
   * out yet: it is emitted at once, as Kafka Streams does (a sliding window ending at the record's
   * time, with no grace).
   */
  private windowClosed(key: Windowed<unknown>, streamTime: number): boolean {
    if (this.spec.kind !== 'until-window-closes') return false
    const closesAt = key.window.end + this.spec.graceMs
    return this.spec.sessionWindows === true ? closesAt < streamTime : closesAt <= streamTime
  }

  private bufferTime(record: StreamRecord<K, Change<V>>): number {
    return this.spec.kind === 'until-window-closes' ? (record.key as Windowed<unknown>).window.end : record.timestamp
  }

  /**
   * Emits, oldest buffer time first, what is due; then, over capacity, either the oldest rest early
   * until the buffer is within its bounds, or (shut down when full) fails the task.
   */
  private emitDue(): MaybePromise<void> {
    const buffer = this.buffer
    const expiry = buffer.streamTimeMs - this.waitMs
    while (buffer.minBufferTime() <= expiry) {
      const sent = this.emitOldest()
      if (isPromiseLike(sent)) return sent.then(() => this.emitDue())
    }
    if (!this.overCapacity()) return undefined
    if (this.shutDownWhenFull) throw this.bufferFull()
    while (this.overCapacity()) {
      const sent = this.emitOldest()
      if (isPromiseLike(sent)) return sent.then(() => this.emitDue())
    }
    return undefined
  }

  private emitOldest(): MaybePromise<void> {
    const { record, priorValue } = this.buffer.evictOldest()!
    // A final result that is a deletion carries no information downstream: drop it, as Kafka Streams does.
    if (record.value.newValue === null && this.spec.kind === 'until-window-closes') return undefined
    return this.ctx.forward({ ...record, value: { newValue: record.value.newValue, oldValue: priorValue } })
  }

  private overCapacity(): boolean {
    return this.buffer.size > this.maxRecords || (this.countBytes && this.buffer.sizeBytes > this.maxBytes)
  }

  private bufferFull(): SuppressionBufferFullError {
    const { size, sizeBytes } = this.buffer
    const bytes = this.countBytes ? ` and [${sizeBytes}/${this.maxBytes}] bytes` : ''
    return new SuppressionBufferFullError(
      `${this.nodeName} buffer exceeded its max capacity. Currently [${size}/${this.maxRecords}] records${bytes}. ` +
        `The suppression is set to shut down when full (BufferConfig...shutDownWhenFull()): raise its maxRecords or maxBytes, ` +
        `use BufferConfig.unbounded(), or, for Suppressed.untilTimeLimit, emitEarlyWhenFull() to emit the oldest updates early.`,
      this.nodeName,
      size,
      this.maxRecords,
      sizeBytes,
      this.maxBytes,
    )
  }
}
