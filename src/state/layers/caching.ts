/**
 * The caching layer: an LRU of clean and dirty entries over a byte store, bounded by
 * `maxBytes`. Hot keys are read and written synchronously here, so an aggregation over a RocksDB
 * store allocates no promise per record while its keys stay cached. Dirty entries go down in one
 * `putAll` (one RocksDB write batch) on `flush()`, or in a batch of evictions when the cache
 * overflows.
 *
 * Unlike Kafka Streams' record cache this layer does not hold back downstream forwarding:
 * operators forward every update themselves, so the cache changes only when bytes reach the
 * store below, never what a topology emits.
 */
import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { BytesEntry, BytesStore, BytesWrite, TimeHint } from '../bytes-store.js'
import { SortedKeyIndex } from '../memory/sorted-key-index.js'
import { CompleteRanges } from './complete-ranges.js'
import { overlaySorted, overlaySortedStream, type OverlayEntry } from '../sorted-merge.js'
import type { ChangelogRecord, StateStoreContext } from '../types.js'

interface CacheEntry {
  readonly id: string
  readonly key: Buffer
  /** `null`: known absent, or deleted and not yet written down (when dirty). */
  value: Buffer | null
  dirty: boolean
  /** Record time of the last write: the changelog record is stamped with it on flush. */
  timestamp: number
  size: number
  /** Neighbours in recency order (an intrusive list: a touch is four pointer writes). */
  older: CacheEntry | undefined
  newer: CacheEntry | undefined
}

/** Rough bytes of bookkeeping per entry (map slot, index slot, latin1 key string, object). */
const ENTRY_OVERHEAD = 96

export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024

/** An eviction frees the cache down to this fraction of its bound. */
const EVICTION_TARGET = 0.9

/** Scans returning at most this many entries from below are kept whole in the cache (see `CompleteRanges`). */
const LEARNED_SCAN_LIMIT = 64

export class CachingBytesStore implements BytesStore {
  private readonly entries = new Map<string, CacheEntry>()
  /**
   * Recency order, least recently used first. Not the `Map`'s insertion order with delete and
   * re-insert on touch: V8 leaves a hole per delete that iteration from the front must skip, so
   * eviction there degrades with every touch.
   */
  private oldest: CacheEntry | undefined
  private newest: CacheEntry | undefined
  /** The cached keys in order, so range reads can lay the cache over the store below. */
  private readonly index = new SortedKeyIndex()
  /** Dirty keys in the order they were first dirtied since the last flush. */
  private readonly dirty = new Set<string>()
  /** Evictions written down in the background by `get` (which cannot return their promise). */
  private readonly pendingEvictions = new Set<Promise<void>>()
  private evictionError: unknown = undefined
  private bytes = 0
  /** The last key looked up and its id: a get and a put of one key usually come with the same Buffer. */
  private lastKey: Buffer | undefined
  private lastId = ''
  /**
   * Counts removals from the cache (evictions, written-down deletes, restores). A read from below
   * that was in flight across a removal may predate the write that removal implies, so its result
   * is returned but not cached.
   */
  private removals = 0
  private readonly complete = new CompleteRanges()
  private context: StateStoreContext | undefined
  hits = 0
  misses = 0

  /**
   * @param keySuffixLength For stores whose every scan covers one whole key, from its first entry
   *   up to the key followed by 0xff bytes (session stores): the length of their keys' time
   *   suffix. It tells the cache which key an evicted entry belongs to, so that the eviction
   *   forgets that key's remembered range only (see `CompleteRanges`); without it an eviction
   *   forgets them all.
   */
  constructor(
    private readonly inner: BytesStore,
    private readonly maxBytes: number = DEFAULT_CACHE_MAX_BYTES,
    private readonly keySuffixLength?: number,
  ) {}

  get name(): string {
    return this.inner.name
  }

  get persistent(): boolean {
    return this.inner.persistent
  }

  get isOpen(): boolean {
    return this.inner.isOpen
  }

  /** Bytes the cache accounts for (keys, values and bookkeeping). */
  get sizeBytes(): number {
    return this.bytes
  }

  get dirtyCount(): number {
    return this.dirty.size
  }

  async init(context: StateStoreContext): Promise<void> {
    this.context = context
    await this.inner.init(context)
  }

  get(key: Buffer): MaybePromise<Buffer | undefined> {
    const id = this.idOf(key)
    const entry = this.entries.get(id)
    if (entry !== undefined) {
      this.hits++
      this.touch(entry)
      return entry.value ?? undefined
    }
    this.misses++
    const found = this.inner.get(key)
    if (isPromiseLike(found)) {
      const removals = this.removals
      return found.then((value) => {
        // A put that landed while the read was in flight is newer: keep it.
        if (!this.entries.has(id) && removals === this.removals) this.fillClean(id, key, value)
        return value
      })
    }
    this.fillClean(id, key, found)
    return found
  }

  put(key: Buffer, value: Buffer | null): MaybePromise<void> {
    const id = this.idOf(key)
    const timestamp = this.context === undefined ? 0 : this.context.currentRecordTimestamp()
    const size = ENTRY_OVERHEAD + 2 * key.length + (value === null ? 0 : value.length)
    const entry = this.entries.get(id)
    if (entry !== undefined) {
      this.bytes += size - entry.size
      entry.value = value
      entry.timestamp = timestamp
      entry.size = size
      if (!entry.dirty) {
        entry.dirty = true
        this.dirty.add(id)
      }
      this.touch(entry)
    } else {
      this.add({ id, key, value, dirty: true, timestamp, size, older: undefined, newer: undefined })
      this.dirty.add(id)
    }
    if (this.bytes > this.maxBytes) return this.evict()
  }

  putAll(writes: readonly BytesWrite[]): MaybePromise<void> {
    let pending: Promise<void>[] | undefined
    for (const w of writes) {
      const r = this.put(w.key, w.value)
      if (isPromiseLike(r)) (pending ??= []).push(r)
    }
    if (pending !== undefined) return Promise.all(pending).then(() => undefined)
  }

  /**
   * The cache's entries in the range laid over the store's. A small bounded scan answered from
   * below (RocksDB) is remembered whole, so the next scan inside that range (the same key's
   * sessions or windows, for the next record) is answered here, synchronously.
   *
   * Segmented stores read only the segments of the time hint, so a scan is complete only for
   * the key its caller asked about; `CompleteRanges` therefore answers only scans with the same
   * upper bound (the same key). Callers filter results by key and time.
   */
  scan(from: Buffer | undefined, to: Buffer | undefined, time?: TimeHint): MaybePromise<BytesEntry[]> {
    const over = this.cachedRange(from, to)
    if (from !== undefined && to !== undefined && this.complete.covers(from.toString('latin1'), to.toString('latin1'))) {
      this.hits++
      return overlaySorted(over, [])
    }
    const under = this.inner.scan(from, to, time)
    if (!isPromiseLike(under)) {
      // An answer from memory costs nothing to repeat; one from disk that happened to need no
      // read (no segment there yet) is worth remembering.
      if (this.inner.persistent && from !== undefined && to !== undefined && under.length <= LEARNED_SCAN_LIMIT) {
        this.learn(from, to, under)
      }
      return overlaySorted(over, under)
    }
    this.misses++
    const removals = this.removals
    return under.then((u) => {
      if (from !== undefined && to !== undefined && u.length <= LEARNED_SCAN_LIMIT && removals === this.removals) {
        this.learn(from, to, u)
      }
      return overlaySorted(over, u)
    })
  }

  iterate(from: Buffer | undefined, to: Buffer | undefined, time?: TimeHint): AsyncIterableIterator<BytesEntry> {
    return overlaySortedStream(this.cachedRange(from, to), this.inner.iterate(from, to, time))
  }

  approximateNumEntries(): MaybePromise<number> {
    const under = this.inner.approximateNumEntries()
    if (isPromiseLike(under)) return under.then((n) => n + this.dirty.size)
    return under + this.dirty.size
  }

  async restore(records: readonly ChangelogRecord[]): Promise<void> {
    // An eviction still being written must not land over a restored value.
    await this.settleEvictions()
    for (const r of records) this.drop(r.key.toString('latin1'))
    this.complete.clear()
    await this.inner.restore(records)
  }

  /**
   * Writes every dirty entry down in one batch, then flushes the store below. If the write fails
   * the entries are not retried: the task must be closed and its store restored from the
   * changelog, as Kafka Streams does with a store that failed to flush.
   */
  async flush(): Promise<void> {
    await this.settleEvictions()
    if (this.dirty.size > 0) {
      const writes: BytesWrite[] = []
      const deleted: string[] = []
      for (const id of this.dirty) {
        const e = this.entries.get(id)!
        e.dirty = false
        writes.push({ key: e.key, value: e.value, timestamp: e.timestamp })
        if (e.value === null) deleted.push(id)
      }
      this.dirty.clear()
      // Written-down deletes leave the cache, as in Kafka Streams: a session merge leaves one per
      // record, and keeping them would fill the cache with keys nobody reads again.
      for (const id of deleted) this.drop(id)
      await this.inner.putAll(writes)
    }
    await this.inner.flush()
  }

  async close(): Promise<void> {
    if (this.inner.isOpen) await this.flush()
    this.entries.clear()
    this.index.clear()
    this.dirty.clear()
    this.complete.clear()
    this.oldest = this.newest = undefined
    this.bytes = 0
    await this.inner.close()
  }

  private idOf(key: Buffer): string {
    if (key === this.lastKey) return this.lastId
    this.lastKey = key
    return (this.lastId = key.toString('latin1'))
  }

  /** Moves `entry` to the most recently used end. */
  private touch(entry: CacheEntry): void {
    if (entry === this.newest) return
    this.unlink(entry)
    this.append(entry)
  }

  private add(entry: CacheEntry): void {
    this.entries.set(entry.id, entry)
    this.index.insert(entry.id)
    this.bytes += entry.size
    this.append(entry)
  }

  private append(entry: CacheEntry): void {
    entry.older = this.newest
    entry.newer = undefined
    if (this.newest !== undefined) this.newest.newer = entry
    else this.oldest = entry
    this.newest = entry
  }

  private unlink(entry: CacheEntry): void {
    if (entry.older !== undefined) entry.older.newer = entry.newer
    else this.oldest = entry.newer
    if (entry.newer !== undefined) entry.newer.older = entry.older
    else this.newest = entry.older
    entry.older = entry.newer = undefined
  }

  private fillClean(id: string, key: Buffer, value: Buffer | undefined): void {
    this.addClean(id, key, value ?? null)
    this.evictInBackground()
  }

  /** Caches what a scan read below, then marks its range complete. */
  private learn(from: Buffer, to: Buffer, found: readonly BytesEntry[]): void {
    for (const e of found) {
      const id = e.key.toString('latin1')
      if (!this.entries.has(id)) this.addClean(id, e.key, e.value)
    }
    this.complete.add(from.toString('latin1'), to.toString('latin1'))
    // Evicting afterwards: an eviction forgets the new range again.
    this.evictInBackground()
  }

  private addClean(id: string, key: Buffer, value: Buffer | null): void {
    const size = ENTRY_OVERHEAD + 2 * key.length + (value === null ? 0 : value.length)
    this.add({ id, key, value, dirty: false, timestamp: 0, size, older: undefined, newer: undefined })
  }

  private evictInBackground(): void {
    if (this.bytes > this.maxBytes) {
      const written = this.evict()
      if (written !== undefined) this.track(written)
    }
  }

  /**
   * Evicts least recently used entries until the cache is a tenth below its bound, so that
   * evictions (each a write batch below) come in chunks rather than one per put. Dirty entries are
   * written down in one batch.
   */
  private evict(): MaybePromise<void> {
    let writes: BytesWrite[] | undefined
    let evictedLive = false
    const target = this.maxBytes * EVICTION_TARGET
    const suffix = this.keySuffixLength
    // Keep the entry just used even if it alone exceeds the bound.
    while (this.bytes > target && this.oldest !== undefined && this.oldest !== this.newest) {
      const e = this.oldest
      if (e.dirty) (writes ??= []).push({ key: e.key, value: e.value, timestamp: e.timestamp })
      // A remembered range stays complete without a deleted key: the key is absent from it either
      // way (below, the delete is in flight or landed). Only evicting a live value breaks it.
      if (e.value !== null) {
        evictedLive = true
        if (suffix !== undefined) this.complete.forget(rangeUpperBoundOf(e.id, suffix))
      }
      this.drop(e.id)
    }
    if (evictedLive && suffix === undefined) this.complete.clear()
    if (writes !== undefined) return this.inner.putAll(writes)
  }

  private drop(id: string): void {
    const e = this.entries.get(id)
    if (e === undefined) return
    this.removals++
    this.unlink(e)
    this.entries.delete(id)
    this.index.remove(id)
    this.dirty.delete(id)
    this.bytes -= e.size
  }

  private cachedRange(from: Buffer | undefined, to: Buffer | undefined): OverlayEntry[] {
    const over: OverlayEntry[] = []
    const entries = this.entries
    this.index.forEachInRange(from?.toString('latin1'), to?.toString('latin1'), false, (id) => {
      const e = entries.get(id)!
      over.push({ key: e.key, value: e.value })
      return true
    })
    return over
  }

  private track(write: Promise<void>): void {
    const tracked: Promise<void> = write.then(
      () => {
        this.pendingEvictions.delete(tracked)
      },
      (error: unknown) => {
        this.pendingEvictions.delete(tracked)
        this.evictionError ??= error
      },
    )
    this.pendingEvictions.add(tracked)
  }

  private async settleEvictions(): Promise<void> {
    while (this.pendingEvictions.size > 0) await Promise.all(this.pendingEvictions)
    if (this.evictionError !== undefined) {
      const error = this.evictionError
      this.evictionError = undefined
      throw error
    }
  }
}

/**
 * The upper bound a session store scans a key's entries with (the key followed by 0xff bytes in
 * place of the time suffix), as a latin1 id: the id of that key's remembered range.
 */
function rangeUpperBoundOf(id: string, suffixLength: number): string {
  return id.slice(0, id.length - suffixLength) + '\xff'.repeat(suffixLength)
}
