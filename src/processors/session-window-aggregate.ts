import type { Change, Windowed } from '../core/windowed.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers, KeyValue, Record as StreamRecord } from '../core/record.js'
import type { SessionStore } from '../state/types.js'
import type { Accumulator } from './aggregate.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from './api.js'
import { type EmitStrategyType, FinalEmitTracker } from './emit-final.js'

export interface SessionWindowSpec {
  readonly inactivityGapMs: number
  readonly graceMs: number
}

export interface SessionWindowAggregateParams<K, V, A> {
  readonly storeName: string
  readonly windows: SessionWindowSpec
  readonly initializer: () => A
  readonly aggregator: (key: K, value: V, aggregate: A) => A
  readonly merger: (key: K, left: A, right: A) => A
  /** Default 'ON_WINDOW_UPDATE'. */
  readonly emitStrategy?: EmitStrategyType
}

/** Session aggregation with a reducer: the first value of a session is its aggregate. */
export function reducingSessionParams<K, V>(storeName: string, windows: SessionWindowSpec, reducer: (aggregate: V, value: V) => V): SessionWindowAggregateParams<K, V, V | undefined> {
  const accumulate: Accumulator<K, V, V> = (_key, value, previous) => (previous === undefined ? value : reducer(previous, value))
  return {
    storeName,
    windows,
    initializer: () => undefined,
    aggregator: (key, value, aggregate) => accumulate(key, value, aggregate),
    merger: (_key, left, right) => (left === undefined ? right : right === undefined ? left : reducer(left, right)),
  }
}

/**
 * Session window aggregation (Kafka Streams' KStreamSessionWindowAggregate). A record at `t` joins
 * every session of its key that ends within `gap` before `t` or starts within `gap` after it; those
 * sessions merge into one. Each session it touched is removed and retracted with a `null` new value
 * (even one that is extended in place, as Kafka Streams does), then the merged session is forwarded. Output timestamps are the session end (its latest record).
 *
 * With `emitStrategy: 'ON_WINDOW_CLOSE'` nothing is forwarded as sessions change (no retraction
 * either); once the close time (`streamTime - gap - grace`) passes a session's end, the session is
 * read back from the store and forwarded once, ordered by end, start and key as Kafka Streams'
 * time-ordered session store returns them.
 */
export function sessionWindowAggregateProcessor<K, V, A>(
  params: SessionWindowAggregateParams<K, V, A>,
): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  return () => new SessionWindowAggregate(params)
}

class SessionWindowAggregate<K, V, A> implements Processor<K, V, Windowed<K>, Change<A>> {
  private ctx!: ProcessorContext<Windowed<K>, Change<A>>
  private store!: SessionStore<K, A>
  private observedStreamTime = Number.NEGATIVE_INFINITY
  /** Set when the aggregation emits on window close. */
  private finalEmit: FinalEmitTracker | undefined
  /** The store's record cache forwards the sessions' changes (emitting on update). */
  private cached = false

  constructor(private readonly params: SessionWindowAggregateParams<K, V, A>) {}

  init(context: ProcessorContext<Windowed<K>, Change<A>>): void {
    this.ctx = context
    this.store = context.getStateStore(this.params.storeName)
    if (this.params.emitStrategy === 'ON_WINDOW_CLOSE') {
      this.finalEmit = new FinalEmitTracker(context)
      // Under upstream watermarks sessions also close as the task's event time advances without records.
      context.onWatermarkAdvanced((eventTimeMs) => {
        this.observedStreamTime = eventTimeMs
        // No record made it look: the windows go out without headers.
        return this.maybeForwardFinalResult({})
      })
    } else {
      // Kafka Streams' SessionCacheFlushListener: a flushed session goes out at its end.
      this.cached =
        this.store.setFlushListener?.((change) =>
          context.forward({ key: change.key, value: { newValue: change.newValue, oldValue: change.oldValue }, timestamp: change.key.window.end, headers: change.headers }),
        ) ?? false
    }
  }

  process(record: StreamRecord<K, V>): MaybePromise<void> {
    if (record.key === null || record.key === undefined) return this.ctx.recordDropped('null-key')
    // A null value is aggregated like any other (the aggregator sees it), as in Kafka Streams' KStreamSessionWindowAggregate.
    // Under upstream watermarks sessions close by the task's event time, not by the largest timestamp seen.
    this.observedStreamTime = this.ctx.watermarkMs() ?? Math.max(this.observedStreamTime, record.timestamp)
    const gap = this.params.windows.inactivityGapMs
    const overlapping = this.store.findSessions(record.key, record.timestamp - gap, record.timestamp + gap)
    const merged = isPromiseLike(overlapping) ? overlapping.then((sessions) => this.merge(record, sessions)) : this.merge(record, overlapping)
    if (this.finalEmit === undefined) return merged
    // As Kafka Streams does, a late record may still close sessions.
    if (isPromiseLike(merged)) return merged.then(() => this.maybeForwardFinalResult(record.headers))
    return this.maybeForwardFinalResult(record.headers)
  }

  /** Kafka Streams' maybeForwardFinalResult: forwards the sessions closed since the last emit. */
  private maybeForwardFinalResult(headers: Headers): MaybePromise<void> {
    const tracker = this.finalEmit as FinalEmitTracker
    const { inactivityGapMs, graceMs } = this.params.windows
    const windowCloseTime = this.observedStreamTime - graceMs - inactivityGapMs
    if (!tracker.shouldEmitFinal(this.ctx, windowCloseTime)) return undefined
    // Sessions include their end: closed are those ending before the close time.
    const upper = windowCloseTime - 1
    if (upper < 0) return undefined
    const lower = Math.max(0, tracker.lastEmitWindowCloseTime ?? 0)
    // A session may be a single point: [t, t] is read even when both bounds are equal.
    if (upper < lower) return undefined
    return this.fetchAndEmit(headers, windowCloseTime, lower, upper)
  }

  private async fetchAndEmit(headers: Headers, windowCloseTime: number, lower: number, upper: number): Promise<void> {
    const closed: KeyValue<Windowed<K>, A>[] = []
    for await (const entry of this.store.findSessionsByEndTime(lower, upper)) closed.push(entry)
    // The store iterates by key bytes: a stable sort by end, then start, gives the time-ordered store's order.
    closed.sort((a, b) => a[0].window.end - b[0].window.end || a[0].window.start - b[0].window.start)
    for (const [key, value] of closed) {
      await this.ctx.forward({ key, value: { newValue: value, oldValue: null }, timestamp: key.window.end, headers })
    }
    ;(this.finalEmit as FinalEmitTracker).lastEmitWindowCloseTime = windowCloseTime
  }

  private merge(record: StreamRecord<K, V>, sessions: KeyValue<Windowed<K>, A>[]): MaybePromise<void> {
    const { initializer, aggregator, merger, windows } = this.params
    let start = record.timestamp
    let end = record.timestamp
    let aggregate = initializer()
    for (const [session, value] of sessions) {
      start = Math.min(start, session.window.start)
      end = Math.max(end, session.window.end)
      aggregate = merger(record.key, aggregate, value)
    }
    // A session can still grow until `gap` after its end, so it closes at end + gap + grace.
    if (end + windows.inactivityGapMs + windows.graceMs < this.observedStreamTime) {
      this.ctx.recordDropped('late')
      return undefined
    }
    aggregate = aggregator(record.key, record.value, aggregate)
    const merged = { key: record.key, window: { start, end } }
    // A record that only extends nothing (a brand-new session) has nothing to retract.
    const retracted = start === record.timestamp && end === record.timestamp ? [] : sessions
    return this.retract(record, retracted, 0, merged, aggregate)
  }

  /** Removes and retracts the merged-away sessions one by one, then writes and forwards the merged one. */
  private retract(
    record: StreamRecord<K, V>,
    sessions: KeyValue<Windowed<K>, A>[],
    from: number,
    merged: Windowed<K>,
    aggregate: A,
  ): MaybePromise<void> {
    // Emitting on window close, or through the record cache, sessions are only written.
    const emitFinal = this.finalEmit !== undefined || this.cached
    for (let i = from; i < sessions.length; i++) {
      const [session, value] = sessions[i]!
      const removed = this.store.remove(session)
      if (emitFinal) {
        if (isPromiseLike(removed)) return removed.then(() => this.retract(record, sessions, i + 1, merged, aggregate))
        continue
      }
      const retraction = { key: session, value: { newValue: null, oldValue: value }, timestamp: session.window.end, headers: record.headers }
      const sent = isPromiseLike(removed) ? removed.then(() => this.ctx.forward(retraction)) : this.ctx.forward(retraction)
      if (isPromiseLike(sent)) return sent.then(() => this.retract(record, sessions, i + 1, merged, aggregate))
    }
    // A null aggregate (a reduce of a lone null value) is no session: the store removes it and a tombstone goes downstream.
    const absent = aggregate === null || aggregate === undefined
    const written = this.store.put(merged, absent ? null : aggregate)
    if (emitFinal) return written
    const update = {
      key: merged,
      value: { newValue: absent ? null : aggregate, oldValue: null },
      timestamp: merged.window.end,
      headers: record.headers,
    }
    if (isPromiseLike(written)) return written.then(() => this.ctx.forward(update))
    return this.ctx.forward(update)
  }
}
