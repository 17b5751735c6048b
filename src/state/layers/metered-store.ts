/**
 * What the three metered (typed) stores share: the serde contexts, lifecycle forwarding to the
 * byte layers below, restore, and cheap operation counters. Latency is measured on one point
 * operation in 64 so that timing costs nothing on the other 63.
 */
import { StateStoreError } from '../../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { Serde, SerdeContext } from '../../serde/serde.js'
import type { BytesStore } from '../bytes-store.js'
import { andThen } from '../maybe-promise-chain.js'
import type { CachedChangeListener, ChangelogRecord, MeteredStore, RestorableStore, StateStore, StateStoreContext, StoreMetrics } from '../types.js'
import type { CacheFlushListener } from './caching.js'

const SAMPLE_MASK = 63

export abstract class MeteredStoreBase<K, V> implements StateStore, RestorableStore, MeteredStore {
  protected keyContext: SerdeContext
  protected valueContext: SerdeContext
  protected context: StateStoreContext | undefined
  /** Checked on every operation: a cached layer below would otherwise accept writes after close. */
  protected open = false
  protected gets = 0
  protected puts = 0
  protected deletes = 0
  protected scans = 0
  /**
   * The last primitive key serialized, with its bytes: an aggregation reads then writes the same
   * key, so the second serialization (and, below, the cache's lookup id) comes for free. Object
   * keys are not remembered: they could be mutated between the calls.
   */
  private lastKey: unknown = undefined
  private lastKeyBytes: Buffer | undefined = undefined
  private ops = 0
  private sampledNs = 0
  private samples = 0

  constructor(
    readonly name: string,
    protected readonly inner: BytesStore,
    protected readonly keySerde: Serde<K>,
    protected readonly valueSerde: Serde<V>,
  ) {
    const topic = `${name}-changelog`
    this.keyContext = { topic, isKey: true }
    this.valueContext = { topic, isKey: false }
  }

  get persistent(): boolean {
    return this.inner.persistent
  }

  get isOpen(): boolean {
    return this.inner.isOpen
  }

  async init(context: StateStoreContext): Promise<void> {
    if (this.inner.isOpen) {
      throw new StateStoreError(`State store "${this.name}" is already open. Close it before initializing it again.`)
    }
    // Serdes that register schemas name subjects after the changelog topic, as Kafka Streams does.
    const topic = context.changelog?.topic ?? `${context.applicationId}-${this.name}-changelog`
    this.keyContext = { topic, isKey: true }
    this.valueContext = { topic, isKey: false }
    this.context = context
    await this.inner.init(context)
    this.open = true
  }

  flush(): Promise<void> {
    return this.inner.flush()
  }

  flushCache(): Promise<boolean> {
    return this.inner.flushCache === undefined ? Promise.resolve(false) : this.inner.flushCache()
  }

  /**
   * Hands the record cache below a listener that decodes each flushed entry with `decodeKey` and
   * the value serde; false when there is no record cache below.
   */
  protected listenToCache<KC>(decodeKey: (storeKey: Buffer) => MaybePromise<KC>, listener: CachedChangeListener<KC, V>): boolean {
    const below = this.inner as BytesStore & { setFlushListener?: (l: CacheFlushListener) => boolean }
    if (typeof below.setFlushListener !== 'function') return false
    return below.setFlushListener((entry) =>
      andThen(decodeKey(entry.key), (key) =>
        andThen(this.valueOrNull(entry.newValue), (newValue) =>
          andThen(this.valueOrNull(entry.oldValue), (oldValue) => listener({ key, newValue, oldValue, timestamp: entry.timestamp, headers: entry.headers })),
        ),
      ),
    )
  }

  private valueOrNull(data: Buffer | null): MaybePromise<V | null> {
    return data === null ? null : this.valueSerde.deserialize(data, this.valueContext)
  }

  close(): Promise<void> {
    this.open = false
    return this.inner.close()
  }

  restore(records: readonly ChangelogRecord[]): Promise<void> {
    return this.inner.restore(records)
  }

  metrics(): StoreMetrics {
    return {
      gets: this.gets,
      puts: this.puts,
      deletes: this.deletes,
      scans: this.scans,
      avgLatencyNs: this.samples === 0 ? 0 : this.sampledNs / this.samples,
      expiredRecords: this.expiredRecords(),
    }
  }

  protected expiredRecords(): number {
    return 0
  }

  /** A start time when this operation is sampled for latency, else 0. */
  protected sampleStart(): number {
    return (++this.ops & SAMPLE_MASK) === 0 ? performance.now() : 0
  }

  /** Records the latency of a sampled operation once `result` is ready; returns `result`. */
  protected sampleEnd<T>(start: number, result: MaybePromise<T>): MaybePromise<T> {
    if (start === 0) return result
    if (!isPromiseLike(result)) {
      this.record(start)
      return result
    }
    return result.then((value) => {
      this.record(start)
      return value
    })
  }

  protected serializeKey(key: K): MaybePromise<Buffer> {
    if (key === this.lastKey && this.lastKeyBytes !== undefined) return this.lastKeyBytes
    const k = this.keySerde.serialize(key, this.keyContext)
    if (!isPromiseLike(k) && (typeof key !== 'object' || key === null)) {
      this.lastKey = key
      this.lastKeyBytes = k
    }
    return k
  }

  protected deserializeValue(data: Buffer | undefined): MaybePromise<V | undefined> {
    return data === undefined ? undefined : this.valueSerde.deserialize(data, this.valueContext)
  }

  protected checkOpen(): void {
    if (!this.open) {
      throw new StateStoreError(
        `State store "${this.name}" is not open. Initialize it with init(context) before use, and do not use it after close().`,
      )
    }
  }

  private record(start: number): void {
    this.sampledNs += (performance.now() - start) * 1e6
    this.samples++
  }
}
