import type { Change, Windowed } from '../core/windowed.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers, Record as StreamRecord } from '../core/record.js'
import { forEachInOrder } from '../core/sequence.js'
import type { WindowStore } from '../state/types.js'
import type { Accumulator } from './aggregate.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from './api.js'
import { type EmitStrategyType, FinalEmitTracker, forwardClosedWindows } from './emit-final.js'
import { TimestampedForwarder } from './timestamped-forwarder.js'
import type { ValueAndTimestamp } from './value-and-timestamp.js'

export interface TimeWindowSpec {
  readonly sizeMs: number
  /** Equal to `sizeMs` for tumbling windows. */
  readonly advanceMs: number
  readonly graceMs: number
  /**
   * `UnlimitedWindows`: the start of the one window every record from then on falls into (its
   * `sizeMs` reaches the end of time); records before it fall into none.
   */
  readonly unlimitedStartMs?: number
}

export interface TimeWindowAggregateParams<K, V, A> {
  readonly storeName: string
  readonly windows: TimeWindowSpec
  readonly accumulate: Accumulator<K, V, A>
  /** Default 'ON_WINDOW_UPDATE'. */
  readonly emitStrategy?: EmitStrategyType
}

/** Starts of the windows `[start, start + size)` that contain `timestamp`, oldest first (windows never start before 0). */
export function timeWindowStartsFor(timestamp: number, windows: TimeWindowSpec): number[] {
  const { sizeMs, advanceMs, unlimitedStartMs } = windows
  if (unlimitedStartMs !== undefined) return timestamp >= unlimitedStartMs ? [unlimitedStartMs] : []
  const first = Math.floor(Math.max(0, timestamp - sizeMs + advanceMs) / advanceMs) * advanceMs
  const starts: number[] = []
  for (let start = first; start <= timestamp; start += advanceMs) starts.push(start)
  return starts
}

/**
 * Tumbling and hopping window aggregation (Kafka Streams' KStreamWindowAggregate). A window is open
 * while `end + grace` is after the stream time this processor has observed (under upstream
 * watermarks, the task's event time); a record for a window that closed is dropped and counted as
 * late, once per closed window.
 *
 * With `emitStrategy: 'ON_WINDOW_CLOSE'` (KIP-825) updates are only stored; once the close time
 * (`streamTime - grace`) passes a window's end, the window is read back from the store and forwarded
 * once, with no old value. Closed windows are looked for after a record (or an advance of the event
 * time under upstream watermarks), at most once per emit interval of wall clock, and emitted by
 * window start, then key, as Kafka Streams' time-ordered window store returns them.
 */
export function timeWindowAggregateProcessor<K, V, A>(
  params: TimeWindowAggregateParams<K, V, A>,
): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  return () => new TimeWindowAggregate(params)
}

class TimeWindowAggregate<K, V, A> implements Processor<K, V, Windowed<K>, Change<A>> {
  private ctx!: ProcessorContext<Windowed<K>, Change<A>>
  private store!: WindowStore<K, ValueAndTimestamp<A>>
  private observedStreamTime = Number.NEGATIVE_INFINITY
  // The record being processed: set once per record so that the per-window step needs no closure.
  private current!: StreamRecord<K, V>
  private readonly step = (windowStart: number): MaybePromise<void> => this.updateWindow(windowStart)
  /** Set when the aggregation emits on window close. */
  private finalEmit: FinalEmitTracker | undefined
  /** The store's record cache forwards each window's updates (emitting on update). */
  private cached = false

  constructor(private readonly params: TimeWindowAggregateParams<K, V, A>) {}

  init(context: ProcessorContext<Windowed<K>, Change<A>>): void {
    this.ctx = context
    this.store = context.getStateStore(this.params.storeName)
    if (this.params.emitStrategy === 'ON_WINDOW_CLOSE') {
      this.finalEmit = new FinalEmitTracker(context)
      // Under upstream watermarks windows also close as the task's event time advances without records.
      context.onWatermarkAdvanced((eventTimeMs) => {
        this.observedStreamTime = eventTimeMs
        // No record made it look: the windows go out without headers.
        return this.maybeForwardFinalResult({})
      })
    } else {
      this.cached = new TimestampedForwarder<Windowed<K>, A>(this.store, context).cached
    }
  }

  process(record: StreamRecord<K, V>): MaybePromise<void> {
    if (record.key === null || record.key === undefined) return this.ctx.recordDropped('null-key')
    // A null value is aggregated like any other (the aggregator sees it), as in Kafka Streams' KStreamWindowAggregate.
    // Under upstream watermarks windows close by the task's event time, not by the largest timestamp seen.
    this.observedStreamTime = this.ctx.watermarkMs() ?? Math.max(this.observedStreamTime, record.timestamp)
    this.current = record
    const updated = forEachInOrder(timeWindowStartsFor(record.timestamp, this.params.windows), this.step)
    if (this.finalEmit === undefined) return updated
    // As Kafka Streams does, a record late for every window it belongs to may still close windows.
    if (isPromiseLike(updated)) return updated.then(() => this.maybeForwardFinalResult(record.headers))
    return this.maybeForwardFinalResult(record.headers)
  }

  /** Kafka Streams' maybeForwardFinalResult: forwards the windows closed since the last emit. */
  private maybeForwardFinalResult(headers: Headers): MaybePromise<void> {
    const tracker = this.finalEmit as FinalEmitTracker
    const { sizeMs, graceMs } = this.params.windows
    const windowCloseTime = this.observedStreamTime - graceMs
    if (!tracker.shouldEmitFinal(this.ctx, windowCloseTime)) return undefined
    // Windows ending at or before the close time, by start; none has closed while this is negative.
    const upper = windowCloseTime - sizeMs
    if (upper < 0) return undefined
    const last = tracker.lastEmitWindowCloseTime
    const lower = last === undefined ? 0 : Math.max(0, last - sizeMs) + 1
    // Nothing to read when no window starts in between (a hopping window's start may lie beyond `lower`).
    if (last !== undefined && sameWindows(timeWindowStartsFor(upper, this.params.windows), timeWindowStartsFor(lower - 1, this.params.windows))) return undefined
    return this.fetchAndEmit(headers, windowCloseTime, lower, upper)
  }

  private async fetchAndEmit(headers: Headers, windowCloseTime: number, lower: number, upper: number): Promise<void> {
    await forwardClosedWindows(this.ctx, this.store.fetchAll(lower, upper), headers)
    ;(this.finalEmit as FinalEmitTracker).lastEmitWindowCloseTime = windowCloseTime
  }

  private updateWindow(windowStart: number): MaybePromise<void> {
    const { sizeMs, graceMs } = this.params.windows
    const windowEnd = windowStart + sizeMs
    if (windowEnd + graceMs <= this.observedStreamTime) {
      this.ctx.recordDropped('late')
      return undefined
    }
    const previous = this.store.fetch(this.current.key, windowStart)
    if (isPromiseLike(previous)) {
      const record = this.current
      return previous.then((p) => this.update(record, windowStart, p))
    }
    return this.update(this.current, windowStart, previous)
  }

  private update(record: StreamRecord<K, V>, windowStart: number, previous: ValueAndTimestamp<A> | undefined): MaybePromise<void> {
    const existing = previous === undefined || isAbsent(previous.value) ? undefined : previous
    const oldValue = existing?.value
    const value = this.params.accumulate(record.key, record.value, oldValue)
    const timestamp = existing === undefined ? record.timestamp : Math.max(existing.timestamp, record.timestamp)
    // A null aggregate (a reduce whose first value is null) is no window: Kafka Streams deletes it and forwards a tombstone.
    const written = this.store.put(record.key, isAbsent(value) ? null : { value, timestamp }, windowStart)
    // Emitting on window close, or through the record cache, the update is only stored.
    if (this.finalEmit !== undefined || this.cached) return written
    const forward = {
      key: { key: record.key, window: { start: windowStart, end: windowStart + this.params.windows.sizeMs } },
      value: { newValue: isAbsent(value) ? null : value, oldValue: existing === undefined ? null : existing.value },
      timestamp,
      headers: record.headers,
    }
    if (isPromiseLike(written)) return written.then(() => this.ctx.forward(forward))
    return this.ctx.forward(forward)
  }
}

function sameWindows(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((start, i) => start === b[i])
}

function isAbsent(value: unknown): value is null | undefined {
  return value === null || value === undefined
}
