/**
 * The live-window cache: a window-store layer that keeps every live segment's entries in memory
 * over a RocksDB segmented store, so that a stream-stream join reads its buffers synchronously,
 * with no iterator and no promise per record. RocksDB stays the durable local copy: every write
 * goes down to it, batched, behind the memory copy. It sits below the changelogging layer, so
 * the changelog receives exactly the writes it receives without this layer.
 *
 * Memory follows retention: the cache holds the same segments as the store below (same clock,
 * same segment interval) and drops a segment as soon as stream time leaves it behind, so a join
 * buffer costs about `before + after + grace` of records.
 *
 * Memory is also bounded: by a budget every join store of the instance shares
 * (`joinCacheMaxBytes`), or by a bound of its own. When a write takes the budget over its bound,
 * this store's oldest segments still in memory are spilled: they leave memory, and reads of their times go to RocksDB (after
 * the pending writes went down), so answers stay complete. Every segment up to the newest spilled
 * one is read from RocksDB from then on; segments created later start in memory again, so the
 * cache recovers once the spilled segments expire.
 *
 * On `init` the segments already on disk are loaded, newest first, as far as the bound allows.
 */
import { StateStoreError } from '../../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { BytesEntry, BytesStore, BytesWrite, TimeHint } from '../bytes-store.js'
import { WindowSegmentIndex } from '../memory/window-segment-index.js'
import type { RetentionClock } from '../segments/retention-clock.js'
import type { SegmentedBytesStore } from '../segments/segmented-bytes-store.js'
import { concatSorted } from '../sorted-merge.js'
import type { ChangelogRecord, StateStoreContext } from '../types.js'
import { CacheBudget, type BudgetedCache } from './cache-budget.js'
import { WriteBehind } from './write-behind.js'

/** A window or session key schema: the time that picks a key's segment, and the length of that suffix. */
export interface CachedKeySchema {
  readonly suffixLength: number
  segmentTimestamp(storeKey: Buffer): number
}

/** Default bound of the in-memory copies of an instance's join stores (buffers' live windows and shared stores) together. */
export const DEFAULT_JOIN_CACHE_MAX_BYTES = 256 * 1024 * 1024

export class LiveWindowCache implements BytesStore, BudgetedCache {
  private readonly segments = new Map<number, WindowSegmentIndex>()
  /** Ids of the segments held in memory, ascending. */
  private ids: number[] = []
  /** Segments with ids at or below this are read from the store below (spilled, or never loaded). */
  private spilledThrough = Number.NEGATIVE_INFINITY
  /** Bytes this cache holds; the budget counts them with the other join stores'. */
  private own = 0
  private readonly budget: CacheBudget
  /** Writes not yet handed to the store below. */
  private readonly writes: WriteBehind
  private context: StateStoreContext | undefined
  /** Reads answered (in part) by the store below: a measure of how much the bound costs. */
  readsBelow = 0
  /** Segments that left memory because of the bound, since the store was opened. */
  spilledSegments = 0

  constructor(
    private readonly inner: SegmentedBytesStore,
    private readonly schema: CachedKeySchema,
    private readonly clock: RetentionClock,
    /** The instance's shared budget, or a bound of this store's own. */
    bound: CacheBudget | number = DEFAULT_JOIN_CACHE_MAX_BYTES,
  ) {
    if (typeof bound === 'number' && (!Number.isFinite(bound) || bound <= 0)) {
      throw new StateStoreError(
        `The live-window cache of store "${inner.name}" needs a positive number of bytes as its bound, got ${bound}.`,
      )
    }
    this.budget = typeof bound === 'number' ? new CacheBudget(bound, 'joinCacheMaxBytes') : bound
    this.writes = new WriteBehind(inner)
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
    return this.own
  }

  /** The budget asks for room (it was resized): spills the oldest segments down to `ownBytes`. */
  shrink(ownBytes: number): Promise<void> {
    this.spillWhile(() => this.own > ownBytes)
    return Promise.resolve()
  }

  /** Ids of the segments held in memory, oldest first. */
  get cachedSegmentIds(): readonly number[] {
    return this.ids
  }

  async init(context: StateStoreContext): Promise<void> {
    this.context = context
    await this.inner.init(context)
    this.budget.register(this)
    await this.load()
  }

  get(key: Buffer): MaybePromise<Buffer | undefined> {
    this.requireOpen()
    const time = this.schema.segmentTimestamp(key)
    if (time < this.clock.minLiveTime()) return undefined
    const id = this.clock.segmentId(time)
    if (id <= this.spilledThrough) {
      this.readsBelow++
      this.writes.writeDown()
      return this.inner.get(key)
    }
    const segment = this.segments.get(id)
    if (segment === undefined) return undefined
    const latin1 = key.toString('latin1')
    const keyLength = key.length - this.schema.suffixLength
    return segment.get(latin1.slice(0, keyLength), latin1.slice(keyLength))
  }

  put(key: Buffer, value: Buffer | null): void {
    this.requireOpen()
    const time = this.schema.segmentTimestamp(key)
    this.clock.observe(time)
    const minLive = this.clock.minLiveTime()
    this.dropExpired(minLive)
    if (time < minLive) return
    const id = this.clock.segmentId(time)
    if (id > this.spilledThrough) {
      let segment = this.segments.get(id)
      if (segment === undefined && value !== null) segment = this.addSegment(id, new WindowSegmentIndex())
      if (segment !== undefined) this.grow(this.putInto(segment, key, value))
      if (this.budget.overBudget) this.spill()
    }
    const timestamp = this.context === undefined ? 0 : this.context.currentRecordTimestamp()
    this.writes.add(key, value, timestamp)
  }

  putAll(writes: readonly BytesWrite[]): void {
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!
      this.put(w.key, w.value)
    }
  }

  /**
   * Entries in `[from, to]` within the time hint: from memory, plus from the store below for the
   * spilled segments the hint reaches. A scan of one key (both bounds the same key, as window
   * fetches are) is a map lookup per segment.
   */
  scan(from: Buffer | undefined, to: Buffer | undefined, time?: TimeHint): MaybePromise<BytesEntry[]> {
    this.requireOpen()
    const minLive = this.clock.minLiveTime()
    const timeFrom = Math.max(time?.timeFrom ?? 0, minLive)
    const timeTo = time?.timeTo ?? Number.POSITIVE_INFINITY
    const fromId = this.clock.segmentId(timeFrom)
    const toId = timeTo === Number.POSITIVE_INFINITY ? timeTo : this.clock.segmentId(timeTo)
    const keyLength = this.singleKeyLength(from, to)
    const cached: BytesEntry[] = []
    if (keyLength >= 0) {
      const bounds = from!.toString('latin1')
      const keyId = bounds.slice(0, keyLength)
      const fromSuffix = bounds.slice(keyLength)
      const toSuffix = to!.toString('latin1', keyLength)
      for (const id of this.ids) {
        if (id < fromId) continue
        if (id > toId) break
        this.segments.get(id)!.scanKey(keyId, fromSuffix, toSuffix, cached)
      }
    } else {
      for (const id of this.ids) {
        if (id >= fromId && id <= toId) this.segments.get(id)!.scanAll(from, to, cached)
      }
      if (cached.length > 1) cached.sort((a, b) => Buffer.compare(a.key, b.key))
    }
    if (fromId > this.spilledThrough) return cached
    // Part of the range is only on disk: read it there, the pending writes first.
    this.readsBelow++
    this.writes.writeDown()
    const spilledTo = Math.min(timeTo, (this.spilledThrough + 1) * this.clock.segmentIntervalMs - 1)
    const below = this.inner.scan(from, to, { timeFrom, timeTo: spilledTo })
    // Spilled segments are older than cached ones: for one key, their entries come first.
    if (isPromiseLike(below)) return below.then((b) => concatSorted([b, cached]))
    return concatSorted([below, cached])
  }

  /** Unbounded reads (interactive queries, `all`) stream from the store below, which has every write. */
  iterate(from: Buffer | undefined, to: Buffer | undefined, time?: TimeHint): AsyncIterableIterator<BytesEntry> {
    this.requireOpen()
    this.writes.writeDown()
    return this.inner.iterate(from, to, time)
  }

  approximateNumEntries(): MaybePromise<number> {
    this.writes.writeDown()
    return this.inner.approximateNumEntries()
  }

  async restore(records: readonly ChangelogRecord[]): Promise<void> {
    await this.writes.settle()
    await this.inner.restore(records)
    // The store below has observed every record's time: only what it kept live is cached.
    const minLive = this.clock.minLiveTime()
    this.dropExpired(minLive)
    for (const r of records) {
      const time = this.schema.segmentTimestamp(r.key)
      if (time < minLive) continue
      const id = this.clock.segmentId(time)
      if (id <= this.spilledThrough) continue
      let segment = this.segments.get(id)
      if (segment === undefined && r.value !== null) segment = this.addSegment(id, new WindowSegmentIndex())
      if (segment !== undefined) this.grow(this.putInto(segment, r.key, r.value))
      if (this.budget.overBudget) this.spill()
    }
  }

  /**
   * Hands the pending writes down and waits for them. A failed write is not retried: the task
   * must be closed and its store restored from the changelog, as after any failed flush.
   */
  async flush(): Promise<void> {
    await this.writes.settle()
    await this.inner.flush()
  }

  async close(): Promise<void> {
    try {
      if (this.inner.isOpen) await this.flush()
    } finally {
      this.segments.clear()
      this.ids = []
      this.budget.unregister(this)
      this.own = 0
      this.writes.discard()
      this.spilledThrough = Number.NEGATIVE_INFINITY
      await this.inner.close()
    }
  }

  /** Loads the segments on disk into memory, newest first; those that do not fit stay on disk. */
  private async load(): Promise<void> {
    const interval = this.clock.segmentIntervalMs
    const onDisk = [...this.inner.segmentIds].reverse()
    for (const id of onDisk) {
      const segment = new WindowSegmentIndex()
      const hint = { timeFrom: id * interval, timeTo: (id + 1) * interval - 1 }
      for await (const entry of this.inner.iterate(undefined, undefined, hint)) {
        this.putInto(segment, entry.key, entry.value)
        if (this.budget.usedBytes + segment.bytes > this.budget.maxBytes) break
      }
      if (this.budget.usedBytes + segment.bytes > this.budget.maxBytes) {
        this.spilledThrough = id
        this.spilledSegments++
        return
      }
      if (segment.keyCount > 0) this.addSegment(id, segment)
      this.grow(segment.bytes)
    }
  }

  /** The length of the record key of a one-key scan (both bounds hold the same key), else -1. */
  private singleKeyLength(from: Buffer | undefined, to: Buffer | undefined): number {
    if (from === undefined || to === undefined || from.length !== to.length) return -1
    const keyLength = from.length - this.schema.suffixLength
    if (keyLength < 0 || from.compare(to, 0, keyLength, 0, keyLength) !== 0) return -1
    return keyLength
  }

  /** Writes into a cached segment, the key split into record key and suffix; returns the change in bytes. */
  private putInto(segment: WindowSegmentIndex, storeKey: Buffer, value: Buffer | null): number {
    const id = storeKey.toString('latin1')
    const keyLength = storeKey.length - this.schema.suffixLength
    return segment.put(id.slice(0, keyLength), id.slice(keyLength), storeKey, value)
  }

  private addSegment(id: number, segment: WindowSegmentIndex): WindowSegmentIndex {
    this.segments.set(id, segment)
    let at = this.ids.length
    while (at > 0 && this.ids[at - 1]! > id) at--
    this.ids.splice(at, 0, id)
    return segment
  }

  /** Forgets the cached segments whose newest time is older than `minLive` (the store below drops them too). */
  private dropExpired(minLive: number): void {
    const ids = this.ids
    if (ids.length === 0 || ids[0]! >= this.clock.segmentId(minLive)) return
    const firstLive = this.clock.segmentId(minLive)
    while (ids.length > 0 && ids[0]! < firstLive) this.forget(ids.shift()!)
  }

  /** Moves the oldest cached segments out of memory until the budget fits its bound again, or none is left. */
  private spill(): void {
    this.spillWhile(() => this.budget.overBudget)
  }

  private spillWhile(tooBig: () => boolean): void {
    while (tooBig() && this.ids.length > 0) {
      const id = this.ids.shift()!
      this.forget(id)
      this.spilledThrough = Math.max(this.spilledThrough, id)
      this.spilledSegments++
    }
  }

  private forget(id: number): void {
    const segment = this.segments.get(id)
    if (segment === undefined) return
    this.segments.delete(id)
    this.grow(-segment.bytes)
  }

  private grow(delta: number): void {
    this.own += delta
    this.budget.change(delta)
  }

  private requireOpen(): void {
    if (!this.inner.isOpen) {
      throw new StateStoreError(
        `State store "${this.name}" is not open. Initialize it with init(context) before use, and do not use it after close().`,
      )
    }
  }
}
