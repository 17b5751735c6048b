/**
 * The typed session store: sessions become session schema keys (`[key][end][start]`, see
 * `key-schema/session-key-schema.ts`) before they reach the layers below. A session whose end
 * is older than `streamTime - retention` is neither written nor returned.
 */
import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { KeyValue } from '../../core/record.js'
import type { Windowed } from '../../core/windowed.js'
import type { Serde } from '../../serde/serde.js'
import type { BytesStore } from '../bytes-store.js'
import { hasKey } from '../key-schema/key-schema.js'
import type { SessionKeySchema } from '../key-schema/session-key-schema.js'
import { clampTime, MAX_TIME } from '../key-schema/time-bytes.js'
import { allOf, andThen } from '../maybe-promise-chain.js'
import type { RetentionClock } from '../segments/retention-clock.js'
import type { SegmentedBytesStore } from '../segments/segmented-bytes-store.js'
import type { CachedChangeListener, SessionStore } from '../types.js'
import { MeteredStoreBase } from './metered-store.js'

export interface SessionStoreParts {
  readonly schema: SessionKeySchema
  readonly clock: RetentionClock
  readonly segments: SegmentedBytesStore
}

export class MeteredSessionStore<K, V> extends MeteredStoreBase<K, V> implements SessionStore<K, V> {
  private expired = 0

  constructor(
    name: string,
    inner: BytesStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    private readonly parts: SessionStoreParts,
  ) {
    super(name, inner, keySerde, valueSerde)
  }

  setFlushListener(listener: CachedChangeListener<Windowed<K>, V>): boolean {
    const schema = this.parts.schema
    return this.listenToCache(
      (storeKey) =>
        andThen(this.keySerde.deserialize(schema.key(storeKey), this.keyContext), (key) => ({
          key,
          window: { start: schema.sessionStart(storeKey), end: schema.sessionEnd(storeKey) },
        })),
      listener,
    )
  }

  put(sessionKey: Windowed<K>, value: V | null): MaybePromise<void> {
    if (!this.open) this.checkOpen()
    this.puts++
    const { start, end } = sessionKey.window
    const clock = this.parts.clock
    clock.observe(end)
    if (end < clock.minLiveTime()) {
      this.expired++
      return
    }
    const sample = this.sampleStart()
    const k = this.serializeKey(sessionKey.key)
    if (isPromiseLike(k)) return this.sampleEnd(sample, k.then((kb) => this.putSerialized(kb, start, end, value)))
    return this.sampleEnd(sample, this.putSerialized(k, start, end, value))
  }

  remove(sessionKey: Windowed<K>): MaybePromise<void> {
    this.deletes++
    this.puts--
    return this.put(sessionKey, null)
  }

  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): MaybePromise<KeyValue<Windowed<K>, V>[]> {
    if (!this.open) this.checkOpen()
    this.scans++
    const { schema, clock } = this.parts
    const earliestEnd = clampTime(Math.max(earliestSessionEnd, clock.minLiveTime()))
    const latestStart = clampTime(latestSessionStart)
    return andThen(this.serializeKey(key), (k) => {
      const found = this.inner.scan(schema.lowerBound(k, earliestEnd), schema.upperBound(k), {
        timeFrom: earliestEnd,
        timeTo: MAX_TIME,
      })
      return andThen(found, (entries) => {
        const windows: { start: number; end: number }[] = []
        const values: MaybePromise<V>[] = []
        for (const e of entries) {
          if (!hasKey(e.key, k, schema.suffixLength)) continue
          const start = schema.sessionStart(e.key)
          const end = schema.sessionEnd(e.key)
          if (start > latestStart || end < earliestEnd) continue
          windows.push({ start, end })
          values.push(this.valueSerde.deserialize(e.value, this.valueContext))
        }
        return andThen(allOf(values), (vs) =>
          vs.map((value, i): KeyValue<Windowed<K>, V> => [{ key, window: windows[i]! }, value]),
        )
      })
    })
  }

  fetchSession(key: K, sessionStart: number, sessionEnd: number): MaybePromise<V | undefined> {
    if (!this.open) this.checkOpen()
    this.gets++
    if (sessionEnd < this.parts.clock.minLiveTime()) return undefined
    return andThen(this.serializeKey(key), (k) =>
      andThen(this.inner.get(this.parts.schema.toStoreKey(k, sessionStart, sessionEnd)), (raw) => this.deserializeValue(raw)),
    )
  }

  fetch(key: K): MaybePromise<KeyValue<Windowed<K>, V>[]> {
    return this.findSessions(key, 0, MAX_TIME)
  }

  async *all(): AsyncIterableIterator<KeyValue<Windowed<K>, V>> {
    this.checkOpen()
    this.scans++
    const { schema, clock } = this.parts
    const earliestEnd = clampTime(clock.minLiveTime())
    for await (const e of this.inner.iterate(undefined, undefined, { timeFrom: earliestEnd, timeTo: MAX_TIME })) {
      const end = schema.sessionEnd(e.key)
      if (end < earliestEnd) continue
      const key = await this.keySerde.deserialize(schema.key(e.key), this.keyContext)
      const value = await this.valueSerde.deserialize(e.value, this.valueContext)
      yield [{ key, window: { start: schema.sessionStart(e.key), end } }, value]
    }
  }

  async *findSessionsByEndTime(earliestSessionEnd: number, latestSessionEnd: number): AsyncIterableIterator<KeyValue<Windowed<K>, V>> {
    this.checkOpen()
    this.scans++
    const { schema, clock } = this.parts
    const from = clampTime(Math.max(earliestSessionEnd, 0))
    const to = clampTime(latestSessionEnd)
    if (from > to) return
    // Whole segments, as Kafka Streams' time-ordered session store reads them: a session past retention
    // stays until its segment is dropped (what sits in the cache of a dropped segment is not returned).
    const firstLiveSegment = clock.segmentId(clock.minLiveTime())
    for await (const e of this.inner.iterate(undefined, undefined, { timeFrom: from, timeTo: to })) {
      const end = schema.sessionEnd(e.key)
      if (end < from || end > to || clock.segmentId(end) < firstLiveSegment) continue
      const key = await this.keySerde.deserialize(schema.key(e.key), this.keyContext)
      const value = await this.valueSerde.deserialize(e.value, this.valueContext)
      yield [{ key, window: { start: schema.sessionStart(e.key), end } }, value]
    }
  }

  protected override expiredRecords(): number {
    return this.expired + this.parts.segments.expiredRecords
  }

  private putSerialized(k: Buffer, start: number, end: number, value: V | null): MaybePromise<void> {
    const storeKey = this.parts.schema.toStoreKey(k, start, end)
    if (value === null) return this.inner.put(storeKey, null)
    const v = this.valueSerde.serialize(value, this.valueContext)
    if (isPromiseLike(v)) return v.then((vb) => this.inner.put(storeKey, vb))
    return this.inner.put(storeKey, v)
  }
}
