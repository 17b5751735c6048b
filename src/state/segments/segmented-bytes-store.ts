/**
 * A byte store split into time segments: each key goes to the segment of its schema time
 * (window start, session end), segment `floor(time / interval)`. Retention then drops whole
 * segments, never single keys: once stream time passes a segment's last time plus retention, the
 * segment is closed and its data deleted. Writes older than retention are dropped and counted.
 *
 * Scans read only the segments a time hint allows and merge them into key order.
 */
import { StateStoreError } from '../../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { BytesEntry, BytesStore, BytesWrite, TimeHint } from '../bytes-store.js'
import { toWrites } from '../bytes-store.js'
import type { SegmentKeySchema } from '../key-schema/key-schema.js'
import { allOf, andThen } from '../maybe-promise-chain.js'
import { concatSorted, mergeSortedStreams } from '../sorted-merge.js'
import type { ChangelogRecord, StateStoreContext } from '../types.js'
import type { RetentionClock } from './retention-clock.js'
import type { SegmentProvider } from './segment-provider.js'

export class SegmentedBytesStore implements BytesStore {
  private readonly segments = new Map<number, BytesStore>()
  /** Live segment ids, ascending. */
  private ids: number[] = []
  private readonly creating = new Map<number, Promise<BytesStore>>()
  private readonly background = new Set<Promise<void>>()
  private backgroundError: unknown = undefined
  private context: StateStoreContext | undefined
  private open = false
  /**
   * Restored records dropped because their time was past retention. Live writes are counted by
   * the typed layer when they arrive; a cached write whose window expires before the flush is
   * simply not written.
   */
  expiredRecords = 0
  private restoring = false

  constructor(
    readonly name: string,
    private readonly schema: SegmentKeySchema,
    private readonly clock: RetentionClock,
    private readonly provider: SegmentProvider,
  ) {}

  get persistent(): boolean {
    return this.provider.persistent
  }

  get isOpen(): boolean {
    return this.open
  }

  /** Ids of the segments currently held, oldest first. */
  get segmentIds(): readonly number[] {
    return this.ids
  }

  async init(context: StateStoreContext): Promise<void> {
    if (this.open) throw new StateStoreError(`State store "${this.name}" is already open. Close it first.`)
    this.context = context
    this.clock.bindWatermark(context.currentWatermarkMs)
    for (const [id, segment] of await this.provider.openExisting(context)) this.addSegment(id, segment)
    this.open = true
  }

  get(key: Buffer): MaybePromise<Buffer | undefined> {
    this.requireOpen()
    const time = this.schema.segmentTimestamp(key)
    if (time < this.clock.minLiveTime()) return undefined
    const id = this.clock.segmentId(time)
    const segment = this.segments.get(id)
    if (segment !== undefined) return segment.get(key)
    const pending = this.creating.get(id)
    return pending === undefined ? undefined : pending.then((s) => s.get(key))
  }

  put(key: Buffer, value: Buffer | null): MaybePromise<void> {
    this.requireOpen()
    const time = this.schema.segmentTimestamp(key)
    this.clock.observe(time)
    const minLive = this.clock.minLiveTime()
    this.dropExpired(minLive)
    if (time < minLive) return
    const id = this.clock.segmentId(time)
    const segment = this.segments.get(id)
    if (segment !== undefined) return segment.put(key, value)
    // Deleting from a segment that does not exist is a no-op; do not create it for that.
    if (value === null && !this.creating.has(id)) return
    return andThen(this.segmentFor(id), (s) => s.put(key, value))
  }

  putAll(writes: readonly BytesWrite[]): MaybePromise<void> {
    this.requireOpen()
    const bySegment = new Map<number, BytesWrite[]>()
    for (const w of writes) {
      const time = this.schema.segmentTimestamp(w.key)
      this.clock.observe(time)
      if (time < this.clock.minLiveTime()) {
        if (this.restoring) this.expiredRecords++
        continue
      }
      const id = this.clock.segmentId(time)
      const group = bySegment.get(id)
      if (group === undefined) bySegment.set(id, [w])
      else group.push(w)
    }
    const minLive = this.clock.minLiveTime()
    this.dropExpired(minLive)
    const results: MaybePromise<void>[] = []
    for (const [id, group] of bySegment) {
      // A batch spanning a drop may hold writes that expired since they were grouped.
      if (id < this.clock.segmentId(minLive)) {
        if (this.restoring) this.expiredRecords += group.length
        continue
      }
      results.push(andThen(this.segmentFor(id), (s) => s.putAll(group)))
    }
    return andThen(allOf(results), () => undefined)
  }

  scan(from: Buffer | undefined, to: Buffer | undefined, time?: TimeHint): MaybePromise<BytesEntry[]> {
    this.requireOpen()
    // A segment still opening may already hold writes: read once it is there.
    if (this.creating.size > 0) return this.segmentsCreated().then(() => this.scan(from, to, time))
    const parts: MaybePromise<BytesEntry[]>[] = []
    for (const segment of this.segmentsFor(time)) parts.push(segment.scan(from, to))
    const all = allOf(parts)
    return isPromiseLike(all) ? all.then(concatSorted) : concatSorted(all)
  }

  iterate(from: Buffer | undefined, to: Buffer | undefined, time?: TimeHint): AsyncIterableIterator<BytesEntry> {
    this.requireOpen()
    if (this.creating.size > 0) return this.iterateWhenCreated(from, to, time)
    const sources = this.segmentsFor(time).map((segment) => segment.iterate(from, to))
    return sources.length === 1 ? sources[0]! : mergeSortedStreams(sources)
  }

  approximateNumEntries(): MaybePromise<number> {
    const counts = allOf([...this.segments.values()].map((s) => s.approximateNumEntries()))
    return andThen(counts, (c) => c.reduce((sum, n) => sum + n, 0))
  }

  async restore(records: readonly ChangelogRecord[]): Promise<void> {
    this.restoring = true
    let written: MaybePromise<void>
    try {
      written = this.putAll(toWrites(records, 0))
    } finally {
      this.restoring = false
    }
    await written
  }

  async flush(): Promise<void> {
    await this.settle()
    for (const segment of this.segments.values()) await segment.flush()
  }

  async close(): Promise<void> {
    if (!this.open) return
    this.open = false
    await this.settle().catch(() => undefined)
    for (const segment of this.segments.values()) await segment.close()
    this.segments.clear()
    this.ids = []
  }

  private async *iterateWhenCreated(
    from: Buffer | undefined,
    to: Buffer | undefined,
    time: TimeHint | undefined,
  ): AsyncIterableIterator<BytesEntry> {
    await this.segmentsCreated()
    yield* this.iterate(from, to, time)
  }

  private async segmentsCreated(): Promise<void> {
    while (this.creating.size > 0) await Promise.all(this.creating.values())
  }

  /** Live segments that may hold times in the hint, oldest first. */
  private segmentsFor(time: TimeHint | undefined): BytesStore[] {
    const minLive = this.clock.minLiveTime()
    const fromId = this.clock.segmentId(Math.max(time?.timeFrom ?? minLive, minLive))
    const toId = time === undefined ? Number.POSITIVE_INFINITY : this.clock.segmentId(time.timeTo)
    const out: BytesStore[] = []
    for (const id of this.ids) {
      if (id >= fromId && id <= toId) out.push(this.segments.get(id)!)
    }
    return out
  }

  private segmentFor(id: number): MaybePromise<BytesStore> {
    const existing = this.segments.get(id)
    if (existing !== undefined) return existing
    const pending = this.creating.get(id)
    if (pending !== undefined) return pending
    const created = this.provider.create(id, this.context!)
    if (!isPromiseLike(created)) {
      this.addSegment(id, created)
      return created
    }
    const adding = created.then((segment) => {
      this.creating.delete(id)
      this.addSegment(id, segment)
      return segment
    })
    this.creating.set(id, adding)
    return adding
  }

  private addSegment(id: number, segment: BytesStore): void {
    this.segments.set(id, segment)
    let at = this.ids.length
    while (at > 0 && this.ids[at - 1]! > id) at--
    this.ids.splice(at, 0, id)
  }

  /** Drops every segment whose newest time is older than `minLive`. */
  private dropExpired(minLive: number): void {
    const firstLive = this.clock.segmentId(minLive)
    while (this.ids.length > 0 && this.ids[0]! < firstLive) {
      const id = this.ids.shift()!
      const segment = this.segments.get(id)!
      this.segments.delete(id)
      this.track(this.provider.drop(segment))
    }
  }

  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work.then(
      () => void this.background.delete(tracked),
      (error: unknown) => {
        this.background.delete(tracked)
        this.backgroundError ??= error
      },
    )
    this.background.add(tracked)
  }

  /** Waits for segment creation and drops in flight; rethrows the first failure among them. */
  private async settle(): Promise<void> {
    while (this.creating.size > 0 || this.background.size > 0) {
      await Promise.allSettled([...this.creating.values(), ...this.background])
    }
    if (this.backgroundError !== undefined) {
      const error = this.backgroundError
      this.backgroundError = undefined
      throw error
    }
  }

  private requireOpen(): void {
    if (!this.open) {
      throw new StateStoreError(
        `State store "${this.name}" is not open. Initialize it with init(context) before use, and do not use it after close().`,
      )
    }
  }
}
