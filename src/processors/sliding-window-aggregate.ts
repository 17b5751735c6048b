import type { Change, Windowed } from '../core/windowed.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers, Record as StreamRecord } from '../core/record.js'
import { forEachInOrder } from '../core/sequence.js'
import type { WindowEntry, WindowStore } from '../state/types.js'
import type { Accumulator } from './aggregate.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from './api.js'
import { type EmitStrategyType, FinalEmitTracker, forwardClosedWindows } from './emit-final.js'
import { TimestampedForwarder } from './timestamped-forwarder.js'
import type { ValueAndTimestamp } from './value-and-timestamp.js'

export interface SlidingWindowSpec {
  /** Two records fall into a common window when their timestamps differ by at most this. */
  readonly timeDifferenceMs: number
  readonly graceMs: number
}

export interface SlidingWindowAggregateParams<K, V, A> {
  readonly storeName: string
  readonly windows: SlidingWindowSpec
  readonly accumulate: Accumulator<K, V, A>
  /** Default 'ON_WINDOW_UPDATE'. */
  readonly emitStrategy?: EmitStrategyType
}

/** One store write and forward: fold the record into `base` (undefined: a fresh window), or copy `base` as is. */
interface WindowAction<A> {
  readonly start: number
  readonly base: { readonly value: A | undefined; readonly timestamp: number }
  readonly copy: boolean
}

/**
 * Sliding windows (KIP-450, Kafka Streams' KStreamSlidingWindowAggregate). Windows `[start, start +
 * timeDifference]` exist only where records are: each record gets a left window ending at its
 * timestamp and, when a later record is within reach, a right window starting just after it. A
 * record updates every existing window that contains it and creates the windows it implies.
 *
 * With `emitStrategy: 'ON_WINDOW_CLOSE'` windows are only stored, and each is forwarded once when
 * the close time passes its end (as in Kafka Streams, a record that is late or earlier than the time
 * difference does not look for closed windows; the next one does).
 */
export function slidingWindowAggregateProcessor<K, V, A>(
  params: SlidingWindowAggregateParams<K, V, A>,
): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  return () => new SlidingWindowAggregate(params)
}

class SlidingWindowAggregate<K, V, A> implements Processor<K, V, Windowed<K>, Change<A>> {
  private ctx!: ProcessorContext<Windowed<K>, Change<A>>
  private store!: WindowStore<K, ValueAndTimestamp<A>>
  private observedStreamTime = Number.NEGATIVE_INFINITY
  private current!: StreamRecord<K, V>
  private closeTime = 0
  private readonly step = (action: WindowAction<A>): MaybePromise<void> => this.apply(action)
  /** Set when the aggregation emits on window close. */
  private finalEmit: FinalEmitTracker | undefined
  /** The store's record cache forwards each window's updates (emitting on update). */
  private cached = false

  constructor(private readonly params: SlidingWindowAggregateParams<K, V, A>) {}

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
    // Unlike tumbling, hopping and session windows, Kafka Streams' sliding aggregate (3.9 and 4.0) skips null values too.
    if (record.value === null || record.value === undefined) return this.ctx.recordDropped('null-value')
    const { timeDifferenceMs, graceMs } = this.params.windows
    const timestamp = record.timestamp
    // Under upstream watermarks windows close by the task's event time, not by the largest timestamp seen.
    this.observedStreamTime = this.ctx.watermarkMs() ?? Math.max(this.observedStreamTime, timestamp)
    this.closeTime = this.observedStreamTime - graceMs
    if (timestamp + 1 + timeDifferenceMs <= this.closeTime) {
      // Even the record's right window would already be closed: every window it belongs to is.
      this.ctx.recordDropped('late')
      return undefined
    }
    this.current = record
    const early = timestamp < timeDifferenceMs
    const from = early ? 0 : Math.max(0, timestamp - 2 * timeDifferenceMs)
    const windows = this.store.fetchRange(record.key, from, timestamp + 1)
    const updated = isPromiseLike(windows)
      ? windows.then((w) => this.run(early ? this.planEarly(w) : this.planReverse(w)))
      : this.run(early ? this.planEarly(windows) : this.planReverse(windows))
    // Kafka Streams looks for closed windows after every record but early ones (and late ones, above).
    if (this.finalEmit === undefined || early) return updated
    if (isPromiseLike(updated)) return updated.then(() => this.maybeForwardFinalResult(record.headers))
    return this.maybeForwardFinalResult(record.headers)
  }

  /** Kafka Streams' maybeForwardFinalResult: forwards the windows closed since the last emit. */
  private maybeForwardFinalResult(headers: Headers): MaybePromise<void> {
    const tracker = this.finalEmit as FinalEmitTracker
    const { timeDifferenceMs, graceMs } = this.params.windows
    const windowCloseTime = this.observedStreamTime - graceMs
    if (!tracker.shouldEmitFinal(this.ctx, windowCloseTime)) return undefined
    // Sliding windows include their end: closed are those ending before the close time, by start.
    const upper = windowCloseTime - timeDifferenceMs - 1
    if (upper < 0) return undefined
    const last = tracker.lastEmitWindowCloseTime
    const lower = last === undefined ? 0 : Math.max(0, last - timeDifferenceMs)
    return this.fetchAndEmit(headers, windowCloseTime, lower, upper)
  }

  private async fetchAndEmit(headers: Headers, windowCloseTime: number, lower: number, upper: number): Promise<void> {
    await forwardClosedWindows(this.ctx, this.store.fetchAll(lower, upper), headers)
    ;(this.finalEmit as FinalEmitTracker).lastEmitWindowCloseTime = windowCloseTime
  }

  private run(actions: WindowAction<A>[]): MaybePromise<void> {
    return forEachInOrder(actions, this.step)
  }

  /**
   * Kafka Streams walks the fetched windows backwards (latest start first, its stores all iterate in
   * reverse) and updates each as it goes, so the order of the forwarded updates is part of the
   * contract: windows containing the record from the latest start down, then its left window, then
   * the previous record's new right window, its own new left window and its new right window.
   */
  private planReverse(windows: WindowEntry<ValueAndTimestamp<A>>[]): WindowAction<A>[] {
    const td = this.params.windows.timeDifferenceMs
    const ts = this.current.timestamp
    const actions: WindowAction<A>[] = []
    const starts = new Set<number>()
    let leftAggregate: ValueAndTimestamp<A> | undefined
    let rightAggregate: ValueAndTimestamp<A> | undefined
    let leftExists = false
    let rightExists = false
    let previousTimestamp: number | undefined
    for (let i = windows.length - 1; i >= 0; i--) {
      const { windowStart: start, value } = windows[i]!
      starts.add(start)
      const end = start + td
      if (start === ts + 1) {
        rightExists = true
      } else if (end > ts) {
        // The first one met (the latest start) is what the record's own right window would copy.
        rightAggregate ??= value
        actions.push({ start, base: value, copy: false })
      } else if (end === ts) {
        leftExists = true
        actions.push({ start, base: value, copy: false })
        // A left window already holding a record at `ts` means every window of this timestamp exists.
        if (value.timestamp >= ts) return actions
        previousTimestamp = value.timestamp
      } else {
        // The latest window ending before the record: it holds the previous record.
        leftAggregate = value
        previousTimestamp = value.timestamp
        break
      }
    }
    if (previousTimestamp !== undefined) {
      const previousRightStart = previousTimestamp + 1
      if (!starts.has(previousRightStart) && previousRightStart + td >= ts) {
        actions.push({ start: previousRightStart, base: { value: undefined, timestamp: ts }, copy: false })
      }
    }
    if (!leftExists) {
      const leftHasRecords = previousTimestamp !== undefined && ts - td <= previousTimestamp && leftAggregate !== undefined
      const base = leftHasRecords ? { value: (leftAggregate as ValueAndTimestamp<A>).value, timestamp: ts } : { value: undefined, timestamp: ts }
      actions.push({ start: ts - td, base, copy: false })
    }
    if (!rightExists && rightAggregate !== undefined && rightAggregate.timestamp > ts) {
      actions.push({ start: ts + 1, base: rightAggregate, copy: true })
    }
    return actions
  }

  /** Records before `timeDifference` all share the window `[0, timeDifference]`, as in Kafka Streams. */
  private planEarly(windows: WindowEntry<ValueAndTimestamp<A>>[]): WindowAction<A>[] {
    const ts = this.current.timestamp
    const actions: WindowAction<A>[] = []
    const starts = new Set<number>()
    let combined: ValueAndTimestamp<A> | undefined
    let rightAggregate: ValueAndTimestamp<A> | undefined
    let rightExists = false
    let previousTimestamp: number | undefined
    for (const { windowStart: start, value } of windows) {
      starts.add(start)
      if (start === 0) {
        combined = value
        if (value.timestamp < ts) previousTimestamp = value.timestamp
      } else if (start <= ts) {
        rightAggregate = value
        actions.push({ start, base: value, copy: false })
      } else if (start === ts + 1) {
        rightExists = true
      }
    }
    if (rightAggregate === undefined && combined !== undefined && combined.timestamp > ts) rightAggregate = combined
    if (!rightExists && rightAggregate !== undefined && rightAggregate.timestamp > ts) {
      actions.push({ start: ts + 1, base: rightAggregate, copy: true })
    }
    if (previousTimestamp !== undefined && !starts.has(previousTimestamp + 1)) {
      actions.push({ start: previousTimestamp + 1, base: { value: undefined, timestamp: ts }, copy: false })
    }
    actions.push({ start: 0, base: combined ?? { value: undefined, timestamp: ts }, copy: false })
    return actions
  }

  private apply(action: WindowAction<A>): MaybePromise<void> {
    const record = this.current
    const end = action.start + this.params.windows.timeDifferenceMs
    const key: Windowed<K> = { key: record.key, window: { start: action.start, end } }
    let stored: ValueAndTimestamp<A>
    let change: Change<A>
    if (action.copy) {
      stored = action.base as ValueAndTimestamp<A>
      change = { newValue: stored.value, oldValue: null }
    } else {
      // Sliding windows include their end, so a window ending exactly at the close time is still open.
      if (end < this.closeTime) {
        this.ctx.recordDropped('late')
        return undefined
      }
      const previous = action.base.value
      const value = this.params.accumulate(record.key, record.value, previous)
      stored = { value, timestamp: previous === undefined ? record.timestamp : Math.max(record.timestamp, action.base.timestamp) }
      change = { newValue: value, oldValue: previous === undefined ? null : previous }
    }
    const written = this.store.put(record.key, stored, action.start)
    // Emitting on window close, or through the record cache, the update is only stored.
    if (this.finalEmit !== undefined || this.cached) return written
    const forward = { key, value: change, timestamp: stored.timestamp, headers: record.headers }
    if (isPromiseLike(written)) return written.then(() => this.ctx.forward(forward))
    return this.ctx.forward(forward)
  }
}
