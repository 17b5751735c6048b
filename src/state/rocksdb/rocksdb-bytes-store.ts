/**
 * A byte store on one RocksDB database (by default `<taskDir>/rocksdb/<storeName>`).
 *
 * The native binding runs reads and writes on a thread pool, so a `get` issued after a `put` may
 * execute before it. Writes that are not yet acknowledged are therefore kept in an in-flight
 * map that `get` consults first and range reads lay over what the database returns: a reader
 * always sees its own writes, even when the writer did not await them, without waiting for them.
 *
 * Two writes handed to the pool at once may also land in either order, which would leave an
 * older value of a key in place. So writes are issued one batch at a time: writes made while one
 * is in flight queue up and go down together as the next batch (a group commit).
 *
 * Writes therefore need not be awaited: `put` returns at once, like a write to RocksDB through
 * Kafka Streams' synchronous JNI calls. A write that fails is reported by the next operation and
 * by `flush()` (every commit flushes), so no failure goes unnoticed past a commit.
 */
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { StateStoreError } from '../../core/errors.js'
import type { MaybePromise } from '../../core/maybe-promise.js'
import { toWrites, type BytesEntry, type BytesStore, type BytesWrite } from '../bytes-store.js'
import type { ChangelogRecord, StateStoreContext } from '../types.js'
import { overlaySortedStream, type OverlayEntry } from '../sorted-merge.js'
import { RocksDb, type BatchWrite, type RocksIterator } from './rocksdb-binding.js'

interface InflightWrite {
  readonly key: Buffer
  readonly value: Buffer | null
  readonly seq: number
}

/** Where a store's database lives, given the context of the task that owns it. */
export type LocateDb = (context: StateStoreContext) => string

export const defaultLocation =
  (name: string): LocateDb =>
  (context) =>
    join(context.taskDir, 'rocksdb', name)

export class RocksDbBytesStore implements BytesStore {
  readonly persistent = true
  private db: RocksDb | undefined
  private readonly inflight = new Map<string, InflightWrite>()
  private readonly pendingWrites = new Set<Promise<void>>()
  /** The first write that failed since the last check; reported by the next operation or flush. */
  private writeError: unknown
  /** Writes waiting for the batch in flight to land; they are written next, as one batch. */
  private queued: { operations: BatchWrite[]; done: Promise<void>; release: () => void } | undefined
  private writing: Promise<void> | undefined
  private readonly pendingReads = new Set<Promise<unknown>>()
  private readonly iterators = new Set<RocksIterator>()
  /** Releases of native iterators still under way; close() waits for them. */
  private readonly endings = new Set<Promise<void>>()
  private seq = 0

  constructor(
    readonly name: string,
    private readonly locate: LocateDb = defaultLocation(name),
  ) {}

  get isOpen(): boolean {
    return this.db !== undefined
  }

  /** The database directory, once open. */
  get location(): string | undefined {
    return this.db?.location
  }

  async init(context: StateStoreContext): Promise<void> {
    if (this.db !== undefined) throw new StateStoreError(`RocksDB store "${this.name}" is already open. Close it first.`)
    const location = this.locate(context)
    try {
      await mkdir(location, { recursive: true })
    } catch (cause) {
      throw new StateStoreError(
        `Could not create the directory ${location} for state store "${this.name}". Check that stateDir is writable.`,
        { cause },
      )
    }
    this.db = await RocksDb.open(location, this.name)
  }

  get(key: Buffer): MaybePromise<Buffer | undefined> {
    const db = this.requireOpen()
    this.throwIfWriteFailed()
    if (this.inflight.size > 0) {
      const write = this.inflight.get(key.toString('latin1'))
      if (write !== undefined) return write.value ?? undefined
    }
    const read = db.get(key)
    this.pendingReads.add(read)
    const untrack = (): void => void this.pendingReads.delete(read)
    read.then(untrack, untrack)
    return read
  }

  put(key: Buffer, value: Buffer | null): void {
    this.requireOpen()
    const ids = [this.markInflight(key, value)]
    this.trackWrite(this.enqueue([value === null ? { type: 'del', key } : { type: 'put', key, value }]), ids)
  }

  putAll(writes: readonly BytesWrite[]): void {
    if (writes.length === 0) return
    this.requireOpen()
    const operations: BatchWrite[] = []
    const ids: [string, number][] = []
    for (const w of writes) {
      operations.push(w.value === null ? { type: 'del', key: w.key } : { type: 'put', key: w.key, value: w.value })
      ids.push(this.markInflight(w.key, w.value))
    }
    this.trackWrite(this.enqueue(operations), ids)
  }

  /** Writes `operations` after every earlier write, batched with the others queued meanwhile. */
  private enqueue(operations: BatchWrite[]): Promise<void> {
    if (this.writing === undefined) {
      this.writing = this.write(operations)
      return this.writing
    }
    let queued = this.queued
    if (queued === undefined) {
      const batch: BatchWrite[] = []
      let release: () => void = () => undefined
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      queued = { operations: batch, release, done: gate.then(() => this.write(batch)) }
      this.queued = queued
    }
    for (const op of operations) queued.operations.push(op)
    return queued.done
  }

  /** Hands one batch to RocksDB; when it lands, the queued writes go next. */
  private write(operations: BatchWrite[]): Promise<void> {
    const db = this.requireOpen()
    const only = operations.length === 1 ? operations[0]! : undefined
    const written = only !== undefined && only.type === 'put' ? db.put(only.key, only.value ?? null) : db.batch(operations)
    const next = (): void => {
      const queued = this.queued
      this.queued = undefined
      this.writing = queued?.done
      queued?.release()
    }
    written.then(next, next)
    return written
  }

  async scan(from: Buffer | undefined, to: Buffer | undefined): Promise<BytesEntry[]> {
    const out: BytesEntry[] = []
    for await (const entry of this.iterate(from, to)) out.push(entry)
    return out
  }

  iterate(from: Buffer | undefined, to: Buffer | undefined): AsyncIterableIterator<BytesEntry> {
    const db = this.requireOpen()
    this.throwIfWriteFailed()
    if (from !== undefined && to !== undefined && Buffer.compare(from, to) > 0) return emptyIterator()
    // Writes not yet acknowledged may or may not be in what the iterator reads; taken now and laid
    // over it, they are seen either way, so a read never waits for the writes before it.
    const pending = this.inflightInRange(from, to)
    const rows = this.rows(db, from, to)
    return pending.length === 0 ? rows : overlaySortedStream(pending, rows)
  }

  private async *rows(db: RocksDb, from: Buffer | undefined, to: Buffer | undefined): AsyncIterableIterator<BytesEntry> {
    const iterator = db.iterator(from, to)
    this.iterators.add(iterator)
    try {
      for (;;) {
        const entry = await iterator.next()
        if (entry === undefined) return
        yield entry
      }
    } finally {
      // Releasing the native iterator is not waited for: it gives nothing back, and close() ends
      // any iterator still open.
      this.iterators.delete(iterator)
      const ending: Promise<void> = iterator.end().then(
        () => void this.endings.delete(ending),
        () => void this.endings.delete(ending),
      )
      this.endings.add(ending)
    }
  }

  /** In-flight writes with keys in `[from, to]`, in key order. */
  private inflightInRange(from: Buffer | undefined, to: Buffer | undefined): OverlayEntry[] {
    if (this.inflight.size === 0) return []
    const found: OverlayEntry[] = []
    for (const w of this.inflight.values()) {
      if (from !== undefined && Buffer.compare(w.key, from) < 0) continue
      if (to !== undefined && Buffer.compare(w.key, to) > 0) continue
      found.push({ key: w.key, value: w.value })
    }
    return found.sort((a, b) => Buffer.compare(a.key, b.key))
  }

  approximateNumEntries(): number {
    return this.requireOpen().estimateNumKeys()
  }

  async restore(records: readonly ChangelogRecord[]): Promise<void> {
    this.putAll(toWrites(records, 0))
    await this.writesLanded()
  }

  async flush(): Promise<void> {
    await this.writesLanded()
  }

  async close(): Promise<void> {
    const db = this.db
    if (db === undefined) return
    let failure: unknown
    try {
      await this.writesLanded()
    } catch (error) {
      failure = error
    }
    while (this.pendingReads.size > 0) await Promise.allSettled(this.pendingReads)
    for (const iterator of this.iterators) await iterator.end()
    this.iterators.clear()
    await Promise.all(this.endings)
    this.db = undefined
    await db.close()
    if (failure !== undefined) throw failure
  }

  /** Closes the store and deletes its files (a dropped segment, or a wiped store). */
  async destroy(): Promise<void> {
    const location = this.db?.location
    await this.close()
    if (location !== undefined) await rm(location, { recursive: true, force: true })
  }

  private markInflight(key: Buffer, value: Buffer | null): [string, number] {
    const id = key.toString('latin1')
    const seq = ++this.seq
    this.inflight.set(id, { key, value, seq })
    return [id, seq]
  }

  private trackWrite(write: Promise<void>, ids: [string, number][]): void {
    const landed = (): void => {
      for (const [id, seq] of ids) if (this.inflight.get(id)?.seq === seq) this.inflight.delete(id)
      this.pendingWrites.delete(tracked)
    }
    const tracked: Promise<void> = write.then(landed, (error: unknown) => {
      this.writeError ??= error
      landed()
    })
    this.pendingWrites.add(tracked)
  }

  /** Waits for every write made so far, then reports the first one that failed. */
  private async writesLanded(): Promise<void> {
    while (this.pendingWrites.size > 0) await Promise.all(this.pendingWrites)
    this.throwIfWriteFailed()
  }

  private throwIfWriteFailed(): void {
    if (this.writeError === undefined) return
    const cause = this.writeError
    this.writeError = undefined
    throw cause instanceof StateStoreError
      ? cause
      : new StateStoreError(`A write to RocksDB store "${this.name}" failed: ${(cause as Error)?.message ?? String(cause)}.`, { cause })
  }

  private requireOpen(): RocksDb {
    if (this.db === undefined) {
      throw new StateStoreError(
        `RocksDB store "${this.name}" is not open. Initialize it with init(context) before use, and do not use it after close().`,
      )
    }
    return this.db
  }
}

async function* emptyIterator(): AsyncIterableIterator<BytesEntry> {}
