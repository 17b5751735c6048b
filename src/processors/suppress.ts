import type { Change, Windowed } from '../core/windowed.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Record as StreamRecord } from '../core/record.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from './api.js'

export type SuppressSpec =
  /**
   * Final results of a windowed table: each window once, when stream time reaches `end + grace`.
   * For sessions `graceMs` includes the gap, and a session accepts updates until stream time passes it.
   */
  | { readonly kind: 'until-window-closes'; readonly graceMs: number; readonly sessionWindows?: boolean }
  /** The latest value of each key, `timeLimitMs` of stream time after its first buffered update. */
  | { readonly kind: 'until-time-limit'; readonly timeLimitMs: number; readonly maxRecords?: number }

interface Buffered<K, V> {
  readonly identity: string
  readonly bufferTime: number
  record: StreamRecord<K, Change<V>>
  /** The value downstream saw before this key entered the buffer. */
  readonly priorValue: V | null
}

/**
 * `KTable.suppress` (Kafka Streams' KTableSuppressProcessor). Buffers the latest change of each key
 * and emits it when its time is up, as judged by the stream time this processor observes; emission
 * happens only when a record arrives, so an idle input keeps results buffered.
 */
export function suppressProcessor<K, V>(spec: SuppressSpec): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => new Suppress<K, V>(spec)
}

class Suppress<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private ctx!: ProcessorContext<K, Change<V>>
  private observedStreamTime = Number.NEGATIVE_INFINITY
  private readonly byKey = new Map<string, Buffered<K, V>>()

  constructor(private readonly spec: SuppressSpec) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.ctx = context
  }

  process(record: StreamRecord<K, Change<V>>): MaybePromise<void> {
    this.observedStreamTime = Math.max(this.observedStreamTime, record.timestamp)
    if (this.windowClosed(record.key as Windowed<unknown>)) {
      // The window's final result went out already (or the window closed before anything of it arrived):
      // an update now would be a second "final" result. After a join of windowed tables each side
      // judges lateness by its own stream time, so such updates do reach this point; drop them as late.
      // A retraction (a session merged away) is not counted: final tombstones are never published.
      if (record.value.newValue !== null) this.ctx.recordDropped('late')
      return undefined
    }
    const identity = keyIdentity(record.key)
    const existing = this.byKey.get(identity)
    if (existing === undefined) {
      this.byKey.set(identity, { identity, bufferTime: this.bufferTime(record), record, priorValue: record.value.oldValue })
    } else {
      existing.record = record
    }
    return this.emitDue()
  }

  /** As the aggregations judge it: a time window is closed at `end + grace`, a session only after it. */
  private windowClosed(key: Windowed<unknown>): boolean {
    if (this.spec.kind !== 'until-window-closes') return false
    const closesAt = key.window.end + this.spec.graceMs
    return this.spec.sessionWindows === true ? closesAt < this.observedStreamTime : closesAt <= this.observedStreamTime
  }

  private bufferTime(record: StreamRecord<K, Change<V>>): number {
    return this.spec.kind === 'until-window-closes' ? (record.key as Windowed<unknown>).window.end : record.timestamp
  }

  private emitDue(): MaybePromise<void> {
    const wait = this.spec.kind === 'until-window-closes' ? this.spec.graceMs : this.spec.timeLimitMs
    const expiry = this.observedStreamTime - wait
    const maxRecords = this.spec.kind === 'until-time-limit' ? (this.spec.maxRecords ?? Infinity) : Infinity
    const due: Buffered<K, V>[] = []
    for (const entry of this.byKey.values()) if (entry.bufferTime <= expiry) due.push(entry)
    due.sort(byBufferTime)
    if (this.byKey.size - due.length > maxRecords) {
      // Over capacity: emit the oldest entries early rather than grow without bound.
      const rest = [...this.byKey.values()].filter((e) => e.bufferTime > expiry).sort(byBufferTime)
      due.push(...rest.slice(0, this.byKey.size - due.length - maxRecords))
    }
    for (const entry of due) this.byKey.delete(entry.identity)
    return this.emit(due, 0)
  }

  private emit(entries: Buffered<K, V>[], from: number): MaybePromise<void> {
    for (let i = from; i < entries.length; i++) {
      const { record, priorValue } = entries[i]!
      // A final result that is a deletion carries no information downstream: drop it, as Kafka Streams does.
      if (record.value.newValue === null && this.spec.kind === 'until-window-closes') continue
      const sent = this.ctx.forward({ ...record, value: { newValue: record.value.newValue, oldValue: priorValue } })
      if (isPromiseLike(sent)) return sent.then(() => this.emit(entries, i + 1))
    }
    return undefined
  }
}

function byBufferTime<K, V>(a: Buffered<K, V>, b: Buffered<K, V>): number {
  return a.bufferTime - b.bufferTime || (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0)
}

/** A stable identity for a key of any shape (windowed keys are objects). */
function keyIdentity(key: unknown): string {
  return typeof key === 'string' ? key : JSON.stringify(key)
}
