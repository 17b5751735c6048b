/**
 * The caching layer: an LRU of clean and dirty entries over a byte store, bounded by a
 * `CacheBudget` (the instance's shared record cache budget, or one of its own). Hot keys are read
 * and written synchronously here, so an aggregation over a RocksDB store allocates no promise per
 * record while its keys stay cached. Dirty entries go down in one `putAll` (one RocksDB write
 * batch) on `flush()`, or in a batch of evictions when the budget overflows.
 *
 * As Kafka Streams' record cache (CachingKeyValueStore and its kin), a cache built with
 * `recordCache` lets its operator hand it a flush listener (`setFlushListener`): the operator then
 * no longer forwards each update itself; the cache forwards each dirty key's latest value, with
 * the value below it as the old value, when it is flushed (at commit) or when an eviction of a
 * dirty entry flushes the whole cache. Repeated updates of a key between commits reach the
 * changelog and downstream once. Without a listener the cache only changes when bytes reach the
 * store below, never what a topology emits.
 */
import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { Headers } from '../../core/record.js'
import type { BytesEntry, BytesStore, BytesWrite, TimeHint } from '../bytes-store.js'
import { CacheBudget, DEFAULT_CACHE_MAX_BYTES, type BudgetedCache } from './cache-budget.js'
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
  /**
   * While dirty: the value in the store below (`null`: absent), the old value a flush forwards;
   * `undefined` when not known (a put of a key never read), read from below at flush.
   */
  below: Buffer | null | undefined
  /** Record time of the last write: the changelog record is stamped with it on flush. */
  timestamp: number
  /** Headers of the record of the last write, forwarded with the value on flush. */
  headers: Headers | undefined
  size: number
  /** Neighbours in recency order (an intrusive list: a touch is four pointer writes). */
  older: CacheEntry | undefined
  newer: CacheEntry | undefined
}

/** Rough bytes of bookkeeping per entry (map slot, index slot, latin1 key string, object). */
const ENTRY_OVERHEAD = 96

export { DEFAULT_CACHE_MAX_BYTES }

/** One flushed key: its latest value and the one below it before the flush (`null`: absent). */
export interface FlushedEntry {
  readonly key: Buffer
  readonly newValue: Buffer | null
  readonly oldValue: Buffer | null
  readonly timestamp: number
  readonly headers: Headers
}

/**
 * What a record cache calls for each dirty key it writes down, in the order the keys were first
 * dirtied (an evicted key first): the operator forwards the change downstream.
 */
export type CacheFlushListener = (entry: FlushedEntry) => MaybePromise<void>

export interface CachingOptions {
  /**
   * The budget the cache counts its bytes against: the instance's shared one, or a number for a
   * budget of its own. Default: 10 MiB of its own.
   */
  readonly budget?: CacheBudget | number
  /** The cache may take a flush listener and hold back its operator's forwarding (the record cache). */
  readonly recordCache?: boolean
  /**
   * For stores whose every scan covers one whole key, from its first entry up to the key followed by
   * 0xff bytes (session stores): the length of their keys' time suffix. It tells the cache which key
   * an evicted entry belongs to, so that the eviction forgets that key's remembered range only (see
   * `CompleteRanges`); without it an eviction forgets them all.
   */
  readonly keySuffixLength?: number
}

const NO_HEADERS: Headers = Object.freeze({}) as Headers

/** An eviction frees the cache down to this fraction of its bound. */
const EVICTION_TARGET = 0.9

/** Scans returning at most this many entries from below are kept whole in the cache (see `CompleteRanges`). */
const LEARNED_SCAN_LIMIT = 64

export class CachingBytesStore implements BytesStore, BudgetedCache {
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
  private readonly budget: CacheBudget
  private readonly recordCache: boolean
  private readonly keySuffixLength: number | undefined
  private listener: CacheFlushListener | undefined
  hits = 0
  misses = 0

  constructor(
    private readonly inner: BytesStore,
    options: CachingOptions = {},
  ) {
    const budget = options.budget ?? DEFAULT_CACHE_MAX_BYTES
    this.budget = typeof budget === 'number' ? new CacheBudget(budget) : budget
    this.recordCache = options.recordCache === true
    this.keySuffixLength = options.keySuffixLength
  }

  /**
   * Makes this a record cache for its operator: from now on `listener` hears of every dirty key
   * written down, and the operator forwards nothing itself. False (and nothing changes) when the
   * cache was built without `recordCache` (the record cache is switched off).
   */
  setFlushListener(listener: CacheFlushListener): boolean {
    if (!this.recordCache) return false
    this.listener = listener
    return true
  }

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
    this.budget.register(this)
    await this.inner.init(context)
  }

  /**
   * What this record cache holds for `key`, without reading below: `undefined` when it is not cached
   * or this is no record cache. Window stores answer a fetch of a window past retention from it, as
   * Kafka Streams' caching window store does: its cache is read before the store below, and only
   * the store below applies retention. A write-behind cache must stay invisible, so it answers nothing.
   */
  peekRecordCache(key: Buffer): Buffer | null | undefined {
    if (!this.recordCache) return undefined
    const entry = this.entries.get(this.idOf(key))
    if (entry === undefined) return undefined
    this.hits++
    this.touch(entry)
    return entry.value
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
    const context = this.context
    const timestamp = context === undefined ? 0 : context.currentRecordTimestamp()
    const headers = this.listener === undefined ? undefined : context?.currentRecordHeaders?.()
    const entry = this.entries.get(id)
    if (entry !== undefined) {
      if (!entry.dirty) {
        entry.dirty = true
        // A clean entry holds what is below: the old value of the next flush.
        entry.below = entry.value
        this.dirty.add(id)
      }
      entry.value = value
      entry.timestamp = timestamp
      entry.headers = headers
      this.resize(entry)
      this.touch(entry)
    } else {
      const created: CacheEntry = { id, key, value, dirty: true, below: undefined, timestamp, headers, size: 0, older: undefined, newer: undefined }
      created.size = sizeOf(created)
      this.add(created)
      this.dirty.add(id)
    }
    if (this.budget.overBudget) return this.evict()
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

  async shrink(ownBytes: number): Promise<void> {
    await this.settleEvictions()
    const written = this.evictTo(ownBytes)
    if (written !== undefined) await written
  }

  /**
   * The record cache's part of a commit: writes every dirty entry down and, under a flush listener,
   * forwards them. True when something was written. The task calls it on every store until none
   * writes anything (a forward may dirty a downstream store's cache), then `flush()`.
   */
  async flushCache(): Promise<boolean> {
    await this.settleEvictions()
    if (this.dirty.size === 0) return false
    await this.writeDirty(undefined)
    return true
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
    await this.flushCache()
    await this.inner.flush()
  }

  async close(): Promise<void> {
    // Nothing is forwarded from a closing task: a clean close committed (and so flushed) just before,
    // and a task closed after a failure must not emit more.
    this.listener = undefined
    try {
      if (this.inner.isOpen) await this.flush()
    } finally {
      this.entries.clear()
      this.index.clear()
      this.dirty.clear()
      this.complete.clear()
      this.oldest = this.newest = undefined
      this.budget.unregister(this)
      this.bytes = 0
    }
    await this.inner.close()
  }

  /**
   * Writes the dirty entries down in one batch, `evicted` (already out of the cache) first, then the
   * others in the order they were dirtied; under a listener forwards each change after the batch is
   * written. Written-down deletes leave the cache, as in Kafka Streams: a session merge leaves one
   * per record, and keeping them would fill the cache with keys nobody reads again.
   */
  private writeDirty(evicted: readonly CacheEntry[] | undefined): MaybePromise<void> {
    const flushed: CacheEntry[] = []
    // Evicted entries are out of the cache already: nothing of theirs is counted any more.
    if (evicted !== undefined) {
      for (const e of evicted) {
        e.dirty = false
        flushed.push(e)
      }
    }
    const deleted: string[] = []
    for (const id of this.dirty) {
      const e = this.entries.get(id)!
      e.dirty = false
      this.resize(e)
      if (e.value === null) deleted.push(id)
      flushed.push(e)
    }
    this.dirty.clear()
    for (const id of deleted) this.drop(id)
    const writes = new Array<BytesWrite>(flushed.length)
    for (let i = 0; i < flushed.length; i++) {
      const e = flushed[i]!
      writes[i] = { key: e.key, value: e.value, timestamp: e.timestamp }
    }
    const listener = this.listener
    if (listener === undefined) return this.inner.putAll(writes)
    // The old values are read before the batch lands: whatever was below until now.
    const olds = this.valuesBelow(flushed)
    if (isPromiseLike(olds)) return olds.then((o) => andThenVoid(this.inner.putAll(writes), () => this.forwardAll(listener, flushed, o, 0)))
    return andThenVoid(this.inner.putAll(writes), () => this.forwardAll(listener, flushed, olds, 0))
  }

  private valuesBelow(flushed: readonly CacheEntry[]): MaybePromise<(Buffer | null)[]> {
    const olds = new Array<Buffer | null>(flushed.length)
    let pending: Promise<void>[] | undefined
    for (let i = 0; i < flushed.length; i++) {
      const e = flushed[i]!
      if (e.below !== undefined) {
        olds[i] = e.below
        continue
      }
      const found = this.inner.get(e.key)
      if (isPromiseLike(found)) {
        ;(pending ??= []).push(
          found.then((v) => {
            olds[i] = v ?? null
          }),
        )
      } else olds[i] = found ?? null
    }
    for (const e of flushed) e.below = undefined
    if (pending !== undefined) return Promise.all(pending).then(() => olds)
    return olds
  }

  /** Forwards the flushed changes in order, each in the record context of its last write. */
  private forwardAll(listener: CacheFlushListener, flushed: readonly CacheEntry[], olds: readonly (Buffer | null)[], from: number): MaybePromise<void> {
    for (let i = from; i < flushed.length; i++) {
      const e = flushed[i]!
      const oldValue = olds[i]!
      // Nothing to say about a key that was absent and still is (a put and delete between flushes).
      if (e.value === null && oldValue === null) continue
      const change: FlushedEntry = { key: e.key, newValue: e.value, oldValue, timestamp: e.timestamp, headers: e.headers ?? NO_HEADERS }
      const context = this.context
      const sent = context?.inRecordContext === undefined ? listener(change) : context.inRecordContext(e.timestamp, change.headers, () => listener(change))
      if (isPromiseLike(sent)) return sent.then(() => this.forwardAll(listener, flushed, olds, i + 1))
    }
    return undefined
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
    this.budget.change(entry.size)
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

  /** Sets the entry's size from its contents, keeping the budget's total in step. */
  private resize(entry: CacheEntry): void {
    const size = sizeOf(entry)
    this.bytes += size - entry.size
    this.budget.change(size - entry.size)
    entry.size = size
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
    const entry: CacheEntry = { id, key, value, dirty: false, below: undefined, timestamp: 0, headers: undefined, size: 0, older: undefined, newer: undefined }
    entry.size = sizeOf(entry)
    this.add(entry)
  }

  /**
   * Evicts after a read filled the cache. A record cache evicts clean entries only: evicting a dirty
   * one forwards downstream, which must happen in processing order, so it waits for the next put.
   */
  private evictInBackground(): void {
    if (!this.budget.overBudget) return
    if (this.listener !== undefined) {
      this.evictClean()
      return
    }
    const written = this.evict()
    if (written !== undefined) this.track(written)
  }

  /** Drops least recently used clean entries until the budget is a tenth below its bound. */
  private evictClean(): void {
    const budget = this.budget
    const ownBytes = Math.max(0, this.bytes - (budget.usedBytes - budget.maxBytes * EVICTION_TARGET))
    const suffix = this.keySuffixLength
    let evictedLive = false
    let e = this.oldest
    while (this.bytes > ownBytes && e !== undefined && e !== this.newest) {
      const next = e.newer
      if (!e.dirty) {
        if (e.value !== null) {
          evictedLive = true
          if (suffix !== undefined) this.complete.forget(rangeUpperBoundOf(e.id, suffix))
        }
        this.drop(e.id)
      }
      e = next
    }
    if (evictedLive && suffix === undefined) this.complete.clear()
  }

  /**
   * Evicts least recently used entries until the budget is a tenth below its bound, so that
   * evictions (each a write batch below) come in chunks rather than one per put.
   */
  private evict(): MaybePromise<void> {
    const budget = this.budget
    return this.evictTo(Math.max(0, this.bytes - (budget.usedBytes - budget.maxBytes * EVICTION_TARGET)))
  }

  /**
   * Evicts least recently used entries until this cache holds at most `ownBytes`. Dirty entries are
   * written down in one batch; under a flush listener that batch is a flush of every dirty entry,
   * evicted ones first, as a Kafka Streams named cache flushes itself when it evicts a dirty entry.
   */
  private evictTo(ownBytes: number): MaybePromise<void> {
    let evicted: CacheEntry[] | undefined
    let evictedLive = false
    const suffix = this.keySuffixLength
    // Keep the entry just used even if it alone exceeds the bound.
    while (this.bytes > ownBytes && this.oldest !== undefined && this.oldest !== this.newest) {
      const e = this.oldest
      if (e.dirty) (evicted ??= []).push(e)
      // A remembered range stays complete without a deleted key: the key is absent from it either
      // way (below, the delete is in flight or landed). Only evicting a live value breaks it.
      if (e.value !== null) {
        evictedLive = true
        if (suffix !== undefined) this.complete.forget(rangeUpperBoundOf(e.id, suffix))
      }
      this.drop(e.id)
    }
    if (evictedLive && suffix === undefined) this.complete.clear()
    if (evicted === undefined) return undefined
    if (this.listener !== undefined) return this.writeDirty(evicted)
    const writes = evicted.map((e): BytesWrite => ({ key: e.key, value: e.value, timestamp: e.timestamp }))
    return this.inner.putAll(writes)
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
    this.budget.change(-e.size)
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

/** Bytes an entry accounts for: key (twice: Buffer and id), values and bookkeeping. */
function sizeOf(e: CacheEntry): number {
  let size = ENTRY_OVERHEAD + 2 * e.key.length
  if (e.value !== null) size += e.value.length
  if (e.dirty && e.below != null) size += e.below.length
  return size
}

function andThenVoid(first: MaybePromise<void>, next: () => MaybePromise<void>): MaybePromise<void> {
  return isPromiseLike(first) ? first.then(next) : next()
}

/**
 * The upper bound a session store scans a key's entries with (the key followed by 0xff bytes in
 * place of the time suffix), as a latin1 id: the id of that key's remembered range.
 */
function rangeUpperBoundOf(id: string, suffixLength: number): string {
  return id.slice(0, id.length - suffixLength) + '\xff'.repeat(suffixLength)
}
