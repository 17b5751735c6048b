import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { Headers, Record as StreamRecord } from '../../core/record.js'
import type { KeyValueStore, WindowEntry, WindowStore } from '../../state/types.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from '../api.js'
import { joinTimeTracker, type JoinTimeTracker } from './join-time-tracker.js'
import type { JoinSide, TimestampedKeyAndJoinSide, UnjoinedValues } from './outer-join-store-serdes.js'

/** The window of a stream-stream join, as compiled: how far each side looks and how late records may come. */
export interface JoinWindowSpec {
  readonly beforeMs: number
  readonly afterMs: number
  readonly graceMs: number
}

export interface StreamStreamJoinParams {
  readonly side: JoinSide
  readonly otherStoreName: string
  /**
   * Present for left and outer joins: unmatched records wait there until their window closes. Both
   * sides of a task share it, and through it the stream time both sides have seen.
   */
  readonly outerStoreName: string | undefined
  /** This side emits unmatched records (`joiner(value, null)`): the left side of a left join, both of an outer join. */
  readonly outer: boolean
  readonly windows: JoinWindowSpec
  /** Always `(key, leftValue, rightValue)`: the processor of the right side passes its value second. */
  readonly joiner: (key: unknown, left: unknown, right: unknown) => unknown
}

/**
 * One side of a windowed stream-stream join (Kafka Streams' KStreamKStreamJoin with the fix of
 * KAFKA-10847): a record joins every record of the other side with the same key whose timestamp is
 * within the window; the result carries the larger timestamp. An unmatched record of an outer side
 * waits in the shared outer store and is emitted with a `null` partner only once its window has
 * closed (stream time past its time + window + grace), so no early, spurious `null` result appears.
 */
export function streamStreamJoinProcessor(params: StreamStreamJoinParams): ProcessorSupplier {
  return () => new StreamStreamJoin(params)
}

class StreamStreamJoin implements Processor {
  private ctx!: ProcessorContext
  private other!: WindowStore<unknown, unknown>
  private outerStore: KeyValueStore<TimestampedKeyAndJoinSide<unknown>, UnjoinedValues> | undefined
  private time!: JoinTimeTracker
  // From this side's point of view: the left side looks `before` back and `after` ahead; the right side the reverse.
  private readonly lookBackMs: number
  private readonly lookAheadMs: number

  constructor(private readonly params: StreamStreamJoinParams) {
    const { beforeMs, afterMs } = params.windows
    this.lookBackMs = params.side === 'left' ? beforeMs : afterMs
    this.lookAheadMs = params.side === 'left' ? afterMs : beforeMs
  }

  init(context: ProcessorContext): void {
    this.ctx = context
    this.other = context.getStateStore(this.params.otherStoreName)
    if (this.params.outerStoreName === undefined) {
      // An inner join decides nothing from stream time; a tracker of its own is enough.
      this.time = { streamTime: -1, minTime: Number.NEGATIVE_INFINITY }
    } else {
      const store = context.getStateStore<KeyValueStore<TimestampedKeyAndJoinSide<unknown>, UnjoinedValues>>(this.params.outerStoreName)
      this.outerStore = store
      this.time = joinTimeTracker(store)
      // Under upstream watermarks windows close by the task's event time, records or not; both
      // sides share the store and the tracker, so one of them emits what closed.
      if (context.watermarkMs() !== undefined && this.params.side === 'left') {
        context.onWatermarkAdvanced((eventTimeMs) => {
          this.time.streamTime = eventTimeMs
          return this.mayHaveClosedUnjoined() ? this.emitClosedUnjoined(store, {}) : undefined
        })
      }
    }
  }

  process(record: StreamRecord<unknown, unknown>): MaybePromise<void> {
    const { timestamp } = record
    const watermark = this.ctx.watermarkMs()
    if (watermark !== undefined) this.time.streamTime = watermark
    else if (timestamp > this.time.streamTime) this.time.streamTime = timestamp
    if (record.key === null || record.key === undefined) {
      // Kafka Streams 3.7+ (KIP-962): an outer side still emits a keyless record, with a null partner.
      if (this.params.outer && record.value !== null && record.value !== undefined) {
        return this.ctx.forward({ ...record, value: this.join(record.key, record.value, null) })
      }
      return this.ctx.recordDropped('null-key')
    }
    if (record.value === null || record.value === undefined) return this.ctx.recordDropped('null-value')
    if (this.outerStore === undefined) {
      // Inner join: no shared store to maintain, so a buffer answering synchronously (in memory)
      // costs no promise per record.
      const matches = this.other.fetchRange(record.key, Math.max(0, timestamp - this.lookBackMs), Math.max(0, timestamp + this.lookAheadMs))
      if (isPromiseLike(matches)) return matches.then((m) => this.forwardMatches(record, m, 0))
      return this.forwardMatches(record, matches, 0)
    }
    return this.processWithOuterStore(record, this.outerStore)
  }

  private forwardMatches(record: StreamRecord<unknown, unknown>, matches: readonly WindowEntry<unknown>[], from: number): MaybePromise<void> {
    for (let i = from; i < matches.length; i++) {
      const sent = this.forwardMatch(record, matches[i] as WindowEntry<unknown>)
      if (isPromiseLike(sent)) return sent.then(() => this.forwardMatches(record, matches, i + 1))
    }
    return undefined
  }

  /**
   * Left and outer joins. Synchronous while the stores answer synchronously (in memory, or on
   * RocksDB through the join store cache) and no closed window needs a scan of the shared store.
   */
  private processWithOuterStore(
    record: StreamRecord<unknown, unknown>,
    outerStore: KeyValueStore<TimestampedKeyAndJoinSide<unknown>, UnjoinedValues>,
  ): MaybePromise<void> {
    // The record advanced stream time (under upstream watermarks the event time's listener emits instead).
    if (record.timestamp === this.time.streamTime && this.ctx.watermarkMs() === undefined && this.mayHaveClosedUnjoined()) {
      return this.emitClosedUnjoined(outerStore, record.headers).then(() => this.joinWithOuterStore(record, outerStore))
    }
    return this.joinWithOuterStore(record, outerStore)
  }

  private joinWithOuterStore(
    record: StreamRecord<unknown, unknown>,
    outerStore: KeyValueStore<TimestampedKeyAndJoinSide<unknown>, UnjoinedValues>,
  ): MaybePromise<void> {
    const timeFrom = Math.max(0, record.timestamp - this.lookBackMs)
    const timeTo = Math.max(0, record.timestamp + this.lookAheadMs)
    const matches = this.other.fetchRange(record.key, timeFrom, timeTo)
    if (isPromiseLike(matches)) return matches.then((m) => this.forwardOuterMatches(record, m, 0, outerStore, timeTo))
    return this.forwardOuterMatches(record, matches, 0, outerStore, timeTo)
  }

  private forwardOuterMatches(
    record: StreamRecord<unknown, unknown>,
    matches: readonly WindowEntry<unknown>[],
    from: number,
    outerStore: KeyValueStore<TimestampedKeyAndJoinSide<unknown>, UnjoinedValues>,
    timeTo: number,
  ): MaybePromise<void> {
    for (let i = from; i < matches.length; i++) {
      const match = matches[i] as WindowEntry<unknown>
      // The partner found its match: it must not be emitted later as unmatched.
      const removed = outerStore.put(this.key(this.otherSide(), record.key, match.windowStart), null)
      if (isPromiseLike(removed)) {
        return removed
          .then(() => this.forwardMatch(record, match))
          .then(() => this.forwardOuterMatches(record, matches, i + 1, outerStore, timeTo))
      }
      const sent = this.forwardMatch(record, match)
      if (isPromiseLike(sent)) return sent.then(() => this.forwardOuterMatches(record, matches, i + 1, outerStore, timeTo))
    }
    if (!this.params.outer || matches.length > 0) return undefined
    return this.bufferUnjoined(record, outerStore, timeTo)
  }

  private bufferUnjoined(
    record: StreamRecord<unknown, unknown>,
    outerStore: KeyValueStore<TimestampedKeyAndJoinSide<unknown>, UnjoinedValues>,
    timeTo: number,
  ): MaybePromise<void> {
    // Out of order by more than the window: nothing later can join it, emit now (as Kafka Streams does).
    if (timeTo < this.time.streamTime) return this.ctx.forward({ ...record, value: this.join(record.key, record.value, null) })
    // An unknown minimum (-Infinity, after a restart) stays unknown: the next check scans the store.
    if (record.timestamp < this.time.minTime) this.time.minTime = record.timestamp
    const key = this.key(this.params.side, record.key, record.timestamp)
    const buffered = outerStore.get(key)
    if (isPromiseLike(buffered)) return buffered.then((b) => this.appendUnjoined(outerStore, key, record.value, b))
    return this.appendUnjoined(outerStore, key, record.value, buffered)
  }

  private appendUnjoined(
    outerStore: KeyValueStore<TimestampedKeyAndJoinSide<unknown>, UnjoinedValues>,
    key: TimestampedKeyAndJoinSide<unknown>,
    value: unknown,
    buffered: UnjoinedValues | undefined,
  ): MaybePromise<void> {
    return outerStore.put(key, { side: this.params.side, values: buffered === undefined ? [value] : [...buffered.values, value] })
  }

  private forwardMatch(record: StreamRecord<unknown, unknown>, match: WindowEntry<unknown>): MaybePromise<void> {
    return this.ctx.forward({
      key: record.key,
      value: this.join(record.key, record.value, match.value),
      timestamp: Math.max(record.timestamp, match.windowStart),
      headers: record.headers,
    })
  }

  /** Cheap check first: a scan of the shared store is only worth it if the oldest entry may have closed. */
  private mayHaveClosedUnjoined(): boolean {
    const minTime = this.time.minTime
    return minTime === Number.NEGATIVE_INFINITY || minTime + this.lookAheadMs + this.params.windows.graceMs < this.time.streamTime
  }

  /** Emits (with a null partner) and removes every buffered record whose window has closed. */
  private async emitClosedUnjoined(store: KeyValueStore<TimestampedKeyAndJoinSide<unknown>, UnjoinedValues>, headers: Headers): Promise<void> {
    const { graceMs } = this.params.windows
    const streamTime = this.time.streamTime
    this.time.minTime = Number.POSITIVE_INFINITY
    const emitted: TimestampedKeyAndJoinSide<unknown>[] = []
    let leftOpen = false
    let rightOpen = false
    for await (const [key, unjoined] of store.all()) {
      this.time.minTime = key.timestamp
      if (leftOpen && rightOpen) break
      // The left side's window extends `after` ahead of it, the right side's `before`.
      const lookAhead = key.side === 'left' ? this.params.windows.afterMs : this.params.windows.beforeMs
      if (key.timestamp + lookAhead + graceMs >= streamTime) {
        if (key.side === 'left') leftOpen = true
        else rightOpen = true
        continue
      }
      for (const value of unjoined.values) {
        const joined = key.side === 'left' ? this.params.joiner(key.key, value, null) : this.params.joiner(key.key, null, value)
        await this.ctx.forward({ key: key.key, value: joined, timestamp: key.timestamp, headers })
      }
      emitted.push(key)
    }
    for (const key of emitted) await store.put(key, null)
  }

  private join(key: unknown, thisValue: unknown, otherValue: unknown): unknown {
    return this.params.side === 'left' ? this.params.joiner(key, thisValue, otherValue) : this.params.joiner(key, otherValue, thisValue)
  }

  private otherSide(): JoinSide {
    return this.params.side === 'left' ? 'right' : 'left'
  }

  private key(side: JoinSide, key: unknown, timestamp: number): TimestampedKeyAndJoinSide<unknown> {
    return { timestamp, side, key }
  }
}
