/**
 * The typed key-value store operators use: serializes keys and values with the store's serdes
 * and hands Buffers to the layers below. Point operations stay synchronous whenever the serdes
 * and the layer below are (a cached or in-memory key): no promise is allocated then.
 */
import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { KeyValue } from '../../core/record.js'
import { andThen } from '../maybe-promise-chain.js'
import type { CachedChangeListener, KeyValueStore } from '../types.js'
import { MeteredStoreBase } from './metered-store.js'

export class MeteredKeyValueStore<K, V> extends MeteredStoreBase<K, V> implements KeyValueStore<K, V> {
  get(key: K): MaybePromise<V | undefined> {
    if (!this.open) this.checkOpen()
    this.gets++
    const start = this.sampleStart()
    const k = this.serializeKey(key)
    if (isPromiseLike(k)) return this.sampleEnd(start, k.then((kb) => this.getSerialized(kb)))
    return this.sampleEnd(start, this.getSerialized(k))
  }

  put(key: K, value: V | null): MaybePromise<void> {
    if (!this.open) this.checkOpen()
    this.puts++
    const start = this.sampleStart()
    const k = this.serializeKey(key)
    if (isPromiseLike(k)) return this.sampleEnd(start, k.then((kb) => this.putSerialized(kb, value)))
    return this.sampleEnd(start, this.putSerialized(k, value))
  }

  setFlushListener(listener: CachedChangeListener<K, V>): boolean {
    return this.listenToCache((k) => this.keySerde.deserialize(k, this.keyContext), listener)
  }

  putIfAbsent(key: K, value: V): MaybePromise<V | undefined> {
    this.checkOpen()
    return andThen(this.serializeKey(key), (k) => {
      this.gets++
      return andThen(this.getSerialized(k), (existing) => {
        if (existing !== undefined) return existing
        this.puts++
        return andThen(this.putSerialized(k, value), () => undefined)
      })
    })
  }

  delete(key: K): MaybePromise<V | undefined> {
    this.checkOpen()
    this.deletes++
    return andThen(this.serializeKey(key), (k) =>
      andThen(this.getSerialized(k), (previous) => andThen(this.inner.put(k, null), () => previous)),
    )
  }

  range(from: K, to: K): AsyncIterableIterator<KeyValue<K, V>> {
    return this.iterateTyped(from, to, true)
  }

  all(): AsyncIterableIterator<KeyValue<K, V>> {
    return this.iterateTyped(undefined, undefined, false)
  }

  approximateNumEntries(): MaybePromise<number> {
    this.checkOpen()
    return this.inner.approximateNumEntries()
  }

  private getSerialized(k: Buffer): MaybePromise<V | undefined> {
    const raw = this.inner.get(k)
    if (isPromiseLike(raw)) return raw.then((r) => this.deserializeValue(r))
    return this.deserializeValue(raw)
  }

  private putSerialized(k: Buffer, value: V | null): MaybePromise<void> {
    if (value === null) return this.inner.put(k, null)
    const v = this.valueSerde.serialize(value, this.valueContext)
    if (isPromiseLike(v)) return v.then((vb) => this.inner.put(k, vb))
    return this.inner.put(k, v)
  }

  private async *iterateTyped(from: K | undefined, to: K | undefined, bounded: boolean): AsyncIterableIterator<KeyValue<K, V>> {
    this.checkOpen()
    this.scans++
    const lower = bounded ? await this.keySerde.serialize(from as K, this.keyContext) : undefined
    const upper = bounded ? await this.keySerde.serialize(to as K, this.keyContext) : undefined
    if (lower !== undefined && upper !== undefined && Buffer.compare(lower, upper) > 0) return
    for await (const entry of this.inner.iterate(lower, upper)) {
      const key = await this.keySerde.deserialize(entry.key, this.keyContext)
      const value = await this.valueSerde.deserialize(entry.value, this.valueContext)
      yield [key, value]
    }
  }
}
