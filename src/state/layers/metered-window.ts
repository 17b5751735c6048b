/**
 * The typed window store: keys become window schema keys (`key-schema/window-key-schema.ts`)
 * before they reach the layers below. Expiry is applied here as well as in the segmented store,
 * because entries may sit in the cache (or in the oldest segment) after their time has passed:
 * a window older than `streamTime - retention` is neither written nor returned (unless a record cache
 * still holds it, as in Kafka Streams: see `fetchExpired`), stream time being
 * this store's own (the largest window start it holds, see `segments/retention-clock.ts`).
 */
import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { KeyValue } from '../../core/record.js'
import type { Windowed } from '../../core/windowed.js'
import type { Serde } from '../../serde/serde.js'
import type { BytesEntry, BytesStore } from '../bytes-store.js'
import { hasKey } from '../key-schema/key-schema.js'
import { clampTime, MAX_TIME } from '../key-schema/time-bytes.js'
import type { WindowKeySchema } from '../key-schema/window-key-schema.js'
import { allOf, andThen } from '../maybe-promise-chain.js'
import type { RetentionClock } from '../segments/retention-clock.js'
import type { SegmentedBytesStore } from '../segments/segmented-bytes-store.js'
import type { CachedChangeListener, WindowEntry, WindowStore } from '../types.js'
import { MeteredStoreBase } from './metered-store.js'

export interface WindowStoreParts {
  readonly schema: WindowKeySchema
  readonly clock: RetentionClock
  readonly windowSizeMs: number
  /** The bottom of the onion, for its count of records dropped on restore. */
  readonly segments: SegmentedBytesStore
}

export class MeteredWindowStore<K, V> extends MeteredStoreBase<K, V> implements WindowStore<K, V> {
  private seq = 0
  private expired = 0
  /** The last store key built (without duplicates): a window aggregate fetches then puts it. */
  private lastStoreKeyOf: Buffer | undefined
  private lastWindowStart = -1
  private lastStoreKey: Buffer | undefined

  constructor(
    name: string,
    inner: BytesStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    private readonly parts: WindowStoreParts,
  ) {
    super(name, inner, keySerde, valueSerde)
  }

  /** Flushed windows come as `Windowed` keys, each window `[start, start + windowSizeMs)`. */
  setFlushListener(listener: CachedChangeListener<Windowed<K>, V>): boolean {
    const { schema, windowSizeMs } = this.parts
    return this.listenToCache(
      (storeKey) =>
        andThen(this.keySerde.deserialize(schema.key(storeKey), this.keyContext), (key) => {
          const start = schema.windowStart(storeKey)
          return { key, window: { start, end: start + windowSizeMs } }
        }),
      listener,
    )
  }

  put(key: K, value: V | null, windowStart: number): MaybePromise<void> {
    if (!this.open) this.checkOpen()
    this.puts++
    const { schema, clock } = this.parts
    // Join buffers keep every record; a delete has no single record to remove.
    if (value === null && schema.retainDuplicates) return
    clock.observe(windowStart)
    if (windowStart < clock.minLiveTime()) {
      this.expired++
      return
    }
    const start = this.sampleStart()
    const k = this.serializeKey(key)
    if (isPromiseLike(k)) return this.sampleEnd(start, k.then((kb) => this.putSerialized(kb, value, windowStart)))
    return this.sampleEnd(start, this.putSerialized(k, value, windowStart))
  }

  observedStreamTimeMs(): number {
    return this.parts.clock.streamTime()
  }

  fetch(key: K, windowStart: number): MaybePromise<V | undefined> {
    if (!this.open) this.checkOpen()
    this.gets++
    if (windowStart < this.parts.clock.minLiveTime()) return this.fetchExpired(key, windowStart)
    const schema = this.parts.schema
    if (!schema.retainDuplicates) {
      const k = this.serializeKey(key)
      if (isPromiseLike(k)) return k.then((kb) => this.fetchOne(kb, windowStart))
      return this.fetchOne(k, windowStart)
    }
    return andThen(this.serializeKey(key), (k) => {
      const found = this.inner.scan(schema.lowerBound(k, windowStart), schema.upperBound(k, windowStart), {
        timeFrom: windowStart,
        timeTo: windowStart,
      })
      return andThen(found, (entries) => {
        const first = entries.find((e) => hasKey(e.key, k, schema.suffixLength))
        return this.deserializeValue(first?.value)
      })
    })
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): MaybePromise<WindowEntry<V>[]> {
    if (!this.open) this.checkOpen()
    this.scans++
    const from = clampTime(Math.max(timeFrom, this.parts.clock.minLiveTime()))
    const to = clampTime(timeTo)
    if (from > to) return []
    const schema = this.parts.schema
    return andThen(this.serializeKey(key), (k) =>
      andThen(this.inner.scan(schema.lowerBound(k, from), schema.upperBound(k, to), { timeFrom: from, timeTo: to }), (entries) => {
        const windows: number[] = []
        const values: MaybePromise<V>[] = []
        for (const e of entries) {
          if (!hasKey(e.key, k, schema.suffixLength)) continue
          const windowStart = schema.windowStart(e.key)
          if (windowStart < from || windowStart > to) continue
          windows.push(windowStart)
          values.push(this.valueSerde.deserialize(e.value, this.valueContext))
        }
        return andThen(allOf(values), (vs) => vs.map((value, i): WindowEntry<V> => ({ windowStart: windows[i]!, value })))
      }),
    )
  }

  fetchAll(timeFrom: number, timeTo: number): AsyncIterableIterator<KeyValue<Windowed<K>, V>> {
    this.checkOpen()
    this.scans++
    return this.iterateWindows(timeFrom, timeTo)
  }

  all(): AsyncIterableIterator<KeyValue<Windowed<K>, V>> {
    return this.fetchAll(0, MAX_TIME)
  }

  protected override expiredRecords(): number {
    return this.expired + this.parts.segments.expiredRecords
  }

  /**
   * A window past retention is gone, unless a record cache still holds it: Kafka Streams' caching
   * window store answers a fetch from its cache first, and only the store below applies retention.
   */
  private fetchExpired(key: K, windowStart: number): MaybePromise<V | undefined> {
    const inner = this.inner
    if (inner.peekRecordCache === undefined || this.parts.schema.retainDuplicates) return undefined
    return andThen(this.serializeKey(key), (k) => {
      const cached = inner.peekRecordCache!(this.parts.schema.toStoreKey(k, windowStart, 0))
      return cached === undefined || cached === null ? undefined : this.deserializeValue(cached)
    })
  }

  private fetchOne(k: Buffer, windowStart: number): MaybePromise<V | undefined> {
    const raw = this.inner.get(this.storeKey(k, windowStart))
    if (isPromiseLike(raw)) return raw.then((r) => this.deserializeValue(r))
    return this.deserializeValue(raw)
  }

  private storeKey(k: Buffer, windowStart: number): Buffer {
    if (k === this.lastStoreKeyOf && windowStart === this.lastWindowStart) return this.lastStoreKey!
    this.lastStoreKeyOf = k
    this.lastWindowStart = windowStart
    return (this.lastStoreKey = this.parts.schema.toStoreKey(k, windowStart, 0))
  }

  private putSerialized(k: Buffer, value: V | null, windowStart: number): MaybePromise<void> {
    const schema = this.parts.schema
    const storeKey = schema.retainDuplicates ? schema.toStoreKey(k, windowStart, this.seq++) : this.storeKey(k, windowStart)
    if (value === null) return this.inner.put(storeKey, null)
    const v = this.valueSerde.serialize(value, this.valueContext)
    if (isPromiseLike(v)) return v.then((vb) => this.inner.put(storeKey, vb))
    return this.inner.put(storeKey, v)
  }

  private async *iterateWindows(timeFrom: number, timeTo: number): AsyncIterableIterator<KeyValue<Windowed<K>, V>> {
    const { schema, clock, windowSizeMs } = this.parts
    const from = clampTime(Math.max(timeFrom, clock.minLiveTime()))
    const to = clampTime(timeTo)
    if (from > to) return
    const entries: AsyncIterable<BytesEntry> = this.inner.iterate(undefined, undefined, { timeFrom: from, timeTo: to })
    for await (const e of entries) {
      const start = schema.windowStart(e.key)
      if (start < from || start > to) continue
      const key = await this.keySerde.deserialize(schema.key(e.key), this.keyContext)
      const value = await this.valueSerde.deserialize(e.value, this.valueContext)
      yield [{ key, window: { start, end: start + windowSizeMs } }, value]
    }
  }
}
