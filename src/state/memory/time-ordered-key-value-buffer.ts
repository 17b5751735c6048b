/**
 * Kafka Streams' in-memory time-ordered buffer: the store of `KTable.suppress`. The latest record of
 * each key lives in a `Map` (the hot path: no value serde runs until the entry is logged), ordered by
 * buffer time in a `SortedKeyIndex`.
 *
 * It is backed up to its changelog at flush, which the task runs before every commit: each key changed
 * since the last flush writes its entry once, or a tombstone once evicted. A window updated by many
 * records between commits so costs one changelog record, and under exactly-once the writes belong to
 * the commit's transaction. It is never persistent: whatever the store supplier, a task that opens it
 * rebuilds it from the changelog, as Kafka Streams does.
 */
import { IllegalStateError, StateStoreError } from '../../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { Headers, KeyValue, Record as StreamRecord } from '../../core/record.js'
import type { Change } from '../../core/windowed.js'
import type { Serde, SerdeContext } from '../../serde/serde.js'
import type {
  BufferedRecord,
  ChangelogRecord,
  ChangelogSink,
  MeteredStore,
  RestorableStore,
  StateStoreContext,
  StoreMetrics,
  TimeOrderedBuffer,
} from '../types.js'
import { decodeBufferedRecord, encodeBufferedRecord } from './buffered-record-format.js'
import { SortedKeyIndex } from './sorted-key-index.js'

interface Slot<K, V> extends BufferedRecord<K, V> {
  /** The serialized key as latin1: the `Map` key, whose string order is the bytes' order. */
  readonly id: string
  readonly keyBytes: Buffer
  /** `[8: buffer time][serialized key]` as latin1: the slot's place in buffer-time order. */
  readonly orderId: string
  record: StreamRecord<K, Change<V>>
  /**
   * The serialized prior value, once known: entries put while counting bytes and restored entries.
   * An old value equal to it is not counted twice, as in Kafka Streams.
   */
  priorBytes: Buffer | null | undefined
  /** The entry's share of `sizeBytes`; 0 for entries put while bytes are not counted. */
  sizeBytes: number
}

export class TimeOrderedKeyValueBuffer<K, V> implements TimeOrderedBuffer<K, V>, RestorableStore, MeteredStore {
  readonly persistent = false
  private readonly byKey = new Map<string, Slot<K, V>>()
  private readonly byTime = new SortedKeyIndex()
  /** Keys to log at the next flush: the slot they had when last changed (evicted: a tombstone). */
  private readonly dirty = new Map<string, Slot<K, V>>()
  private observedStreamTime = Number.NEGATIVE_INFINITY
  /** The sum of the entries' `sizeBytes`. */
  private bytes = 0
  private countingBytes = false
  private putUncounted = false
  private sink: ChangelogSink | undefined
  private keyContext: SerdeContext
  private valueContext: SerdeContext
  private open = false
  private gets = 0
  private puts = 0
  private evictions = 0
  private scans = 0

  constructor(
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    this.keyContext = { topic: `${name}-changelog`, isKey: true }
    this.valueContext = { topic: `${name}-changelog`, isKey: false }
  }

  get isOpen(): boolean {
    return this.open
  }

  get size(): number {
    return this.byKey.size
  }

  get streamTimeMs(): number {
    return this.observedStreamTime
  }

  get sizeBytes(): number {
    return this.countingBytes ? this.bytes : 0
  }

  countBytes(): void {
    if (this.countingBytes) return
    if (this.putUncounted && this.byKey.size > 0) {
      throw new IllegalStateError(
        `Suppression buffer "${this.name}" was asked to count its bytes after entries were put uncounted. Call countBytes() before the first put.`,
      )
    }
    this.countingBytes = true
  }

  async init(context: StateStoreContext): Promise<void> {
    if (this.open) throw new StateStoreError(`State store "${this.name}" is already open. Close it before initializing it again.`)
    // Serdes that register schemas name subjects after the changelog topic, as for every other store.
    const topic = context.changelog?.topic ?? `${context.applicationId}-${this.name}-changelog`
    this.keyContext = { topic, isKey: true }
    this.valueContext = { topic, isKey: false }
    this.sink = context.changelog
    this.open = true
  }

  observeStreamTime(timestamp: number): void {
    if (timestamp > this.observedStreamTime) this.observedStreamTime = timestamp
  }

  put(bufferTime: number, record: StreamRecord<K, Change<V>>, topic?: string): MaybePromise<void> {
    if (!this.open) this.checkOpen()
    this.puts++
    const keyBytes = this.keySerde.serialize(record.key, this.keyContext)
    if (this.countingBytes) {
      if (isPromiseLike(keyBytes)) return keyBytes.then((bytes) => this.putCounted(bytes, bufferTime, record, topic))
      return this.putCounted(keyBytes, bufferTime, record, topic)
    }
    this.putUncounted = true
    if (isPromiseLike(keyBytes)) return keyBytes.then((bytes) => this.putSerialized(bytes, bufferTime, record))
    this.putSerialized(keyBytes, bufferTime, record)
    return undefined
  }

  minBufferTime(): number {
    const first = this.byTime.first()
    return first === undefined ? Number.POSITIVE_INFINITY : timeOf(first)
  }

  evictOldest(): BufferedRecord<K, V> | undefined {
    const first = this.byTime.first()
    if (first === undefined) return undefined
    const slot = this.byKey.get(first.slice(TIME_CHARS))!
    this.remove(slot)
    this.dirty.set(slot.id, slot)
    this.evictions++
    return slot
  }

  get(key: K): MaybePromise<BufferedRecord<K, V> | undefined> {
    this.checkOpen()
    this.gets++
    const keyBytes = this.keySerde.serialize(key, this.keyContext)
    if (isPromiseLike(keyBytes)) return keyBytes.then((bytes) => this.entryOf(bytes))
    return this.entryOf(keyBytes)
  }

  range(from: K, to: K): AsyncIterableIterator<KeyValue<K, BufferedRecord<K, V>>> {
    return this.scan({ from, to })
  }

  all(): AsyncIterableIterator<KeyValue<K, BufferedRecord<K, V>>> {
    return this.scan(undefined)
  }

  approximateNumEntries(): number {
    this.checkOpen()
    return this.byKey.size
  }

  async flush(): Promise<void> {
    const sink = this.sink
    if (sink === undefined || this.dirty.size === 0) {
      this.dirty.clear()
      return
    }
    const changed = [...this.dirty.values()]
    this.dirty.clear()
    for (const slot of changed) {
      if (this.byKey.get(slot.id) !== slot) {
        sink.send(slot.keyBytes, null, slot.record.timestamp)
        continue
      }
      const value = this.encode(slot)
      sink.send(slot.keyBytes, isPromiseLike(value) ? await value : value, slot.record.timestamp)
    }
  }

  /**
   * Rebuilds entries from changelog records, in order; nothing is logged again. The stream time comes
   * back as the largest one logged with any entry read, including entries evicted since.
   */
  async restore(records: readonly ChangelogRecord[]): Promise<void> {
    this.checkOpen()
    for (const { key, value } of records) {
      const id = key.toString('latin1')
      const existing = this.byKey.get(id)
      if (existing !== undefined) this.remove(existing)
      if (value === null) continue
      const parts = decodeBufferedRecord(value, this.name)
      const keyBytes = Buffer.from(key)
      const typedKey = await this.keySerde.deserialize(keyBytes, this.keyContext)
      const values = await Promise.all([parts.priorValue, parts.oldValue, parts.newValue].map((v) => this.deserializeValue(v)))
      const [priorValue = null, oldValue = null, newValue = null] = values
      const record = { key: typedKey, value: { newValue, oldValue }, timestamp: parts.timestamp, headers: parts.headers }
      const slot = this.insert(id, keyBytes, parts.bufferTime, record, priorValue)
      // The bytes are at hand: count them whether or not the owner will ask (the topic is not logged).
      this.setSize(slot, parts.priorValue, parts.oldValue, parts.newValue, undefined)
      this.observeStreamTime(parts.streamTime)
    }
    // Restored entries are already in the changelog.
    this.dirty.clear()
  }

  async close(): Promise<void> {
    this.open = false
    this.byKey.clear()
    this.byTime.clear()
    this.dirty.clear()
    this.observedStreamTime = Number.NEGATIVE_INFINITY
    // Counting stays on: the owner asked for it once, for the store's lifetime.
    this.bytes = 0
    this.putUncounted = false
  }

  metrics(): StoreMetrics {
    return { gets: this.gets, puts: this.puts, deletes: this.evictions, scans: this.scans, avgLatencyNs: 0, expiredRecords: 0 }
  }

  private putSerialized(keyBytes: Buffer, bufferTime: number, record: StreamRecord<K, Change<V>>): void {
    const id = keyBytes.toString('latin1')
    const slot = this.byKey.get(id)
    if (slot === undefined) {
      this.insert(id, keyBytes, bufferTime, record, record.value.oldValue)
      return
    }
    slot.record = record
    this.dirty.set(id, slot)
  }

  /** A put while counting bytes: the old and new value are serialized to be counted. */
  private putCounted(keyBytes: Buffer, bufferTime: number, record: StreamRecord<K, Change<V>>, topic: string | undefined): MaybePromise<void> {
    const old = this.serializeValue(record.value.oldValue)
    const next = this.serializeValue(record.value.newValue)
    if (isPromiseLike(old) || isPromiseLike(next)) {
      return Promise.all([old, next]).then(([o, n]) => this.putWithBytes(keyBytes, bufferTime, record, topic, o, n))
    }
    this.putWithBytes(keyBytes, bufferTime, record, topic, old, next)
    return undefined
  }

  private putWithBytes(
    keyBytes: Buffer,
    bufferTime: number,
    record: StreamRecord<K, Change<V>>,
    topic: string | undefined,
    oldBytes: Buffer | null,
    newBytes: Buffer | null,
  ): void {
    const id = keyBytes.toString('latin1')
    let slot = this.byKey.get(id)
    if (slot === undefined) {
      slot = this.insert(id, keyBytes, bufferTime, record, record.value.oldValue)
    } else {
      slot.record = record
      this.dirty.set(id, slot)
    }
    // A new key's prior value is the old value of its first record.
    this.setSize(slot, slot.priorBytes === undefined ? oldBytes : slot.priorBytes, oldBytes, newBytes, topic)
  }

  /** Kafka Streams' computeRecordSize, with BufferValue's and ProcessorRecordContext's estimates. */
  private setSize(slot: Slot<K, V>, priorBytes: Buffer | null, oldBytes: Buffer | null, newBytes: Buffer | null, topic: string | undefined): void {
    let size = 8 + slot.keyBytes.length + (priorBytes?.length ?? 0) + (newBytes?.length ?? 0)
    if (oldBytes !== null && (priorBytes === null || !oldBytes.equals(priorBytes))) size += oldBytes.length
    size += RECORD_CONTEXT_BYTES + (topic?.length ?? 0) + headerBytes(slot.record.headers)
    this.bytes += size - slot.sizeBytes
    slot.sizeBytes = size
    slot.priorBytes = priorBytes
  }

  private insert(id: string, keyBytes: Buffer, bufferTime: number, record: StreamRecord<K, Change<V>>, priorValue: V | null): Slot<K, V> {
    const slot: Slot<K, V> = { id, keyBytes, orderId: orderIdOf(bufferTime, id), bufferTime, priorValue, record, priorBytes: undefined, sizeBytes: 0 }
    this.byKey.set(id, slot)
    this.byTime.insert(slot.orderId)
    this.dirty.set(id, slot)
    return slot
  }

  private remove(slot: Slot<K, V>): void {
    this.byKey.delete(slot.id)
    this.byTime.remove(slot.orderId)
    this.bytes -= slot.sizeBytes
  }

  private entryOf(keyBytes: Buffer): BufferedRecord<K, V> | undefined {
    const slot = this.byKey.get(keyBytes.toString('latin1'))
    // A copy: the slot takes the key's later records.
    return slot === undefined ? undefined : { record: slot.record, bufferTime: slot.bufferTime, priorValue: slot.priorValue }
  }

  private async *scan(bounds: { from: K; to: K } | undefined): AsyncIterableIterator<KeyValue<K, BufferedRecord<K, V>>> {
    this.checkOpen()
    this.scans++
    const from = bounds === undefined ? undefined : (await this.keySerde.serialize(bounds.from, this.keyContext)).toString('latin1')
    const to = bounds === undefined ? undefined : (await this.keySerde.serialize(bounds.to, this.keyContext)).toString('latin1')
    const ids = [...this.byKey.keys()].filter((id) => (from === undefined || id >= from) && (to === undefined || id <= to)).sort()
    for (const id of ids) {
      const slot = this.byKey.get(id)
      if (slot !== undefined) yield [slot.record.key, { record: slot.record, bufferTime: slot.bufferTime, priorValue: slot.priorValue }]
    }
  }

  private encode(slot: Slot<K, V>): MaybePromise<Buffer> {
    const { record, priorValue } = slot
    const prior = this.serializeValue(priorValue)
    const old = this.serializeValue(record.value.oldValue)
    const next = this.serializeValue(record.value.newValue)
    const build = (priorBytes: Buffer | null, oldBytes: Buffer | null, newBytes: Buffer | null) =>
      encodeBufferedRecord({
        bufferTime: slot.bufferTime,
        timestamp: record.timestamp,
        streamTime: this.observedStreamTime,
        headers: record.headers,
        priorValue: priorBytes,
        oldValue: oldBytes,
        newValue: newBytes,
      })
    if (isPromiseLike(prior) || isPromiseLike(old) || isPromiseLike(next)) return Promise.all([prior, old, next]).then(([p, o, n]) => build(p, o, n))
    return build(prior, old, next)
  }

  private serializeValue(value: V | null): MaybePromise<Buffer | null> {
    return value === null ? null : this.valueSerde.serialize(value, this.valueContext)
  }

  private deserializeValue(bytes: Buffer | null): MaybePromise<V | null> {
    return bytes === null ? null : this.valueSerde.deserialize(bytes, this.valueContext)
  }

  private checkOpen(): void {
    if (!this.open) {
      throw new StateStoreError(
        `State store "${this.name}" is not open. Initialize it with init(context) before use, and do not use it after close().`,
      )
    }
  }
}

const TIME_CHARS = 8
/** A record context's timestamp (8), offset (8) and partition (4), as Kafka Streams counts them. */
const RECORD_CONTEXT_BYTES = 20

/** Each header's name, in UTF-16 units as Java's `toCharArray().length`, and its value bytes. */
function headerBytes(headers: Headers): number {
  let size = 0
  for (const name in headers) size += name.length + headers[name].length
  return size
}
const TWO_POW_31 = 2147483648
const TWO_POW_32 = 4294967296

/** Eight latin1 characters of the time in offset binary (so negative times sort first), then the key. */
function orderIdOf(bufferTime: number, id: string): string {
  const high = Math.floor(bufferTime / TWO_POW_32)
  const low = bufferTime - high * TWO_POW_32
  const h = high + TWO_POW_31
  return String.fromCharCode(h >>> 24, (h >>> 16) & 255, (h >>> 8) & 255, h & 255, low >>> 24, (low >>> 16) & 255, (low >>> 8) & 255, low & 255) + id
}

function timeOf(orderId: string): number {
  let high = 0
  let low = 0
  for (let i = 0; i < 4; i++) high = high * 256 + orderId.charCodeAt(i)
  for (let i = 4; i < TIME_CHARS; i++) low = low * 256 + orderId.charCodeAt(i)
  return (high - TWO_POW_31) * TWO_POW_32 + low
}
