/**
 * The in-memory byte store: a `Map` from latin1-encoded key to entry for O(1) point reads and
 * writes of existing keys, plus a `SortedKeyIndex` touched only when a key appears or goes, for
 * range reads. It is the test driver's default store and sits on the hot path of aggregations.
 */
import { StateStoreError } from '../../core/errors.js'
import type { BytesEntry, BytesStore, BytesWrite } from '../bytes-store.js'
import type { ChangelogRecord, StateStoreContext } from '../types.js'
import { SortedKeyIndex } from './sorted-key-index.js'

interface Slot {
  key: Buffer
  value: Buffer
}

/** How many keys an async iterator reads per step; it re-seeks after each batch, so writes between steps are safe. */
const ITERATOR_BATCH = 128

export class MemoryBytesStore implements BytesStore {
  readonly persistent = false
  private readonly slots = new Map<string, Slot>()
  private readonly index = new SortedKeyIndex()
  private open = false
  /** The last key looked up and its id: a get and a put of one key usually come with the same Buffer. */
  private lastKey: Buffer | undefined
  private lastId = ''

  constructor(readonly name: string) {}

  get isOpen(): boolean {
    return this.open
  }

  async init(_context: StateStoreContext): Promise<void> {
    this.openNow()
  }

  /** Opens the store synchronously: a memory store needs nothing from the task (segments use this). */
  openNow(): this {
    this.open = true
    return this
  }

  get(key: Buffer): Buffer | undefined {
    if (!this.open) throw notOpen(this.name)
    return this.slots.get(this.idOf(key))?.value
  }

  put(key: Buffer, value: Buffer | null): void {
    if (!this.open) throw notOpen(this.name)
    const id = this.idOf(key)
    if (value === null) {
      if (this.slots.delete(id)) this.index.remove(id)
      return
    }
    const slot = this.slots.get(id)
    if (slot !== undefined) {
      slot.value = value
      return
    }
    this.slots.set(id, { key, value })
    this.index.insert(id)
  }

  putAll(writes: readonly BytesWrite[]): void {
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!
      this.put(w.key, w.value)
    }
  }

  scan(from: Buffer | undefined, to: Buffer | undefined): BytesEntry[] {
    if (!this.open) throw notOpen(this.name)
    const out: BytesEntry[] = []
    const slots = this.slots
    this.index.forEachInRange(latin1(from), latin1(to), false, (id) => {
      const slot = slots.get(id)!
      out.push({ key: slot.key, value: slot.value })
      return true
    })
    return out
  }

  async *iterate(from: Buffer | undefined, to: Buffer | undefined): AsyncIterableIterator<BytesEntry> {
    const upper = latin1(to)
    let cursor = latin1(from)
    let exclusive = false
    for (;;) {
      if (!this.open) throw notOpen(this.name)
      const batch: string[] = []
      this.index.forEachInRange(cursor, upper, exclusive, (id) => batch.push(id) < ITERATOR_BATCH)
      for (const id of batch) {
        // Read at yield time: a key deleted since the batch was taken is skipped.
        const slot = this.slots.get(id)
        if (slot !== undefined) yield { key: slot.key, value: slot.value }
      }
      if (batch.length < ITERATOR_BATCH) return
      cursor = batch[batch.length - 1]
      exclusive = true
    }
  }

  private idOf(key: Buffer): string {
    if (key === this.lastKey) return this.lastId
    this.lastKey = key
    return (this.lastId = key.toString('latin1'))
  }

  approximateNumEntries(): number {
    return this.slots.size
  }

  async restore(records: readonly ChangelogRecord[]): Promise<void> {
    for (const r of records) this.put(r.key, r.value)
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.open = false
    this.slots.clear()
    this.index.clear()
  }
}

function latin1(key: Buffer | undefined): string | undefined {
  return key === undefined ? undefined : key.toString('latin1')
}

function notOpen(name: string): StateStoreError {
  return new StateStoreError(
    `State store "${name}" is not open. Initialize it with init(context) before use, and do not use it after close().`,
  )
}
