/**
 * A whole key-value store held in memory over RocksDB, for small stores read on every record by
 * keys that are mostly absent: the shared store of a left or outer stream-stream join, whose
 * lookups are of records that just arrived. The caching layer cannot answer such a lookup (a miss
 * must ask RocksDB); this layer can, because it holds every key.
 *
 * It sits below the changelogging layer, so the changelog is written exactly as without it.
 * Writes go down to RocksDB behind the memory copy, batched. On `init` the store on disk is
 * loaded. The copy counts its bytes in a budget every join store of the instance shares
 * (`joinCacheMaxBytes`), or in a bound of its own; when loading it or a write takes the budget over
 * its bound, the copy is dropped and every read goes to RocksDB from then on (after the pending
 * writes went down), until the store is reopened.
 */
import { StateStoreError } from '../../core/errors.js'
import type { MaybePromise } from '../../core/maybe-promise.js'
import type { BytesEntry, BytesStore, BytesWrite, TimeHint } from '../bytes-store.js'
import { MemoryBytesStore } from '../memory/memory-bytes-store.js'
import type { ChangelogRecord, StateStoreContext } from '../types.js'
import { CacheBudget, type BudgetedCache } from './cache-budget.js'
import { WriteBehind } from './write-behind.js'

/** Rough bytes of bookkeeping per entry (map slot, index slot, latin1 id, two Buffer objects). */
const ENTRY_OVERHEAD = 300

export class ResidentKeyValueStore implements BytesStore, BudgetedCache {
  private memory: MemoryBytesStore | undefined
  /** Bytes the copy holds; the budget counts them with the other join stores'. */
  private own = 0
  private readonly budget: CacheBudget
  private readonly writes: WriteBehind
  private context: StateStoreContext | undefined

  constructor(
    private readonly inner: BytesStore,
    /** The instance's shared budget, or a bound of this store's own. */
    bound: CacheBudget | number,
  ) {
    if (typeof bound === 'number' && (!Number.isFinite(bound) || bound <= 0)) {
      throw new StateStoreError(`The in-memory copy of store "${inner.name}" needs a positive number of bytes as its bound, got ${bound}.`)
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

  /** True while every key is held in memory (reads need no RocksDB). */
  get resident(): boolean {
    return this.memory !== undefined
  }

  get sizeBytes(): number {
    return this.own
  }

  /** The budget asks for room (it was resized): a copy larger than `ownBytes` is dropped. */
  shrink(ownBytes: number): Promise<void> {
    if (this.own > ownBytes) this.dropCopy()
    return Promise.resolve()
  }

  async init(context: StateStoreContext): Promise<void> {
    this.context = context
    await this.inner.init(context)
    const memory = new MemoryBytesStore(this.name).openNow()
    this.memory = memory
    this.budget.register(this)
    for await (const entry of this.inner.iterate(undefined, undefined)) {
      this.putInMemory(memory, entry.key, entry.value)
      if (this.memory === undefined) return
    }
  }

  get(key: Buffer): MaybePromise<Buffer | undefined> {
    if (this.memory !== undefined) return this.memory.get(key)
    this.writes.writeDown()
    return this.inner.get(key)
  }

  put(key: Buffer, value: Buffer | null): void {
    if (!this.inner.isOpen) throw notOpen(this.name)
    if (this.memory !== undefined) this.putInMemory(this.memory, key, value)
    this.writes.add(key, value, this.context === undefined ? 0 : this.context.currentRecordTimestamp())
  }

  putAll(writes: readonly BytesWrite[]): void {
    for (let i = 0; i < writes.length; i++) this.put(writes[i]!.key, writes[i]!.value)
  }

  scan(from: Buffer | undefined, to: Buffer | undefined, time?: TimeHint): MaybePromise<BytesEntry[]> {
    if (this.memory !== undefined) return this.memory.scan(from, to)
    this.writes.writeDown()
    return this.inner.scan(from, to, time)
  }

  iterate(from: Buffer | undefined, to: Buffer | undefined, time?: TimeHint): AsyncIterableIterator<BytesEntry> {
    if (this.memory !== undefined) return this.memory.iterate(from, to)
    this.writes.writeDown()
    return this.inner.iterate(from, to, time)
  }

  approximateNumEntries(): MaybePromise<number> {
    if (this.memory !== undefined) return this.memory.approximateNumEntries()
    this.writes.writeDown()
    return this.inner.approximateNumEntries()
  }

  async restore(records: readonly ChangelogRecord[]): Promise<void> {
    await this.writes.settle()
    await this.inner.restore(records)
    for (const r of records) {
      if (this.memory === undefined) return
      this.putInMemory(this.memory, r.key, r.value)
    }
  }

  async flush(): Promise<void> {
    await this.writes.settle()
    await this.inner.flush()
  }

  async close(): Promise<void> {
    try {
      if (this.inner.isOpen) await this.flush()
    } finally {
      this.writes.discard()
      await this.memory?.close()
      this.memory = undefined
      this.budget.unregister(this)
      this.own = 0
      await this.inner.close()
    }
  }

  private putInMemory(memory: MemoryBytesStore, key: Buffer, value: Buffer | null): void {
    const previous = memory.get(key)
    let delta = 0
    if (previous !== undefined) delta -= ENTRY_OVERHEAD + key.length + previous.length
    if (value !== null) delta += ENTRY_OVERHEAD + key.length + value.length
    this.own += delta
    this.budget.change(delta)
    memory.put(key, value)
    if (this.budget.overBudget) this.dropCopy()
  }

  /**
   * Too big to hold: RocksDB, which has (or is about to get) every write, answers from now on.
   * The copy is not cleared: an iteration still walking it ends on what it saw.
   */
  private dropCopy(): void {
    this.memory = undefined
    this.budget.change(-this.own)
    this.own = 0
  }
}

function notOpen(name: string): StateStoreError {
  return new StateStoreError(
    `State store "${name}" is not open. Initialize it with init(context) before use, and do not use it after close().`,
  )
}
