/**
 * The byte-level store contract shared by everything below the metered layer: the in-memory and
 * RocksDB stores, the time-segmented stores built from them, and the caching and changelogging
 * decorators. Keys and values are Buffers; keys order by `Buffer.compare`. Window and session
 * stores use the same contract with keys in their key schema (see `key-schema/`), so one caching
 * layer and one changelogging layer serve every store type.
 *
 * Buffers handed to a store are owned by it afterwards: callers must not mutate them.
 */
import type { MaybePromise } from '../core/maybe-promise.js'
import type { ChangelogRecord, StateStore } from './types.js'

export interface BytesEntry {
  readonly key: Buffer
  readonly value: Buffer
}

/** A write in a batch. `null` deletes; `timestamp` is the record time the write is logged with. */
export interface BytesWrite {
  readonly key: Buffer
  readonly value: Buffer | null
  readonly timestamp: number
}

/**
 * Optional hint for time-segmented stores: only segments that may hold times in
 * `[timeFrom, timeTo]` need to be read. Key-value stores ignore it. Callers still filter results
 * by time themselves: a segment holds a span of times.
 */
export interface TimeHint {
  readonly timeFrom: number
  readonly timeTo: number
}

export interface BytesStore extends StateStore {
  get(key: Buffer): MaybePromise<Buffer | undefined>
  /** `null` deletes the key. */
  put(key: Buffer, value: Buffer | null): MaybePromise<void>
  /** Applies the writes in order, as one write batch where the store has batches. */
  putAll(writes: readonly BytesWrite[]): MaybePromise<void>
  /**
   * Entries with `from <= key <= to` (an absent bound is open), in key order, collected into an
   * array: for bounded reads such as one key's windows. Synchronous when the data is in memory.
   */
  scan(from: Buffer | undefined, to: Buffer | undefined, time?: TimeHint): MaybePromise<BytesEntry[]>
  /** The same entries as `scan`, streamed: for unbounded reads. */
  iterate(from: Buffer | undefined, to: Buffer | undefined, time?: TimeHint): AsyncIterableIterator<BytesEntry>
  approximateNumEntries(): MaybePromise<number>
  /** Writes changelog records without logging them again (see `RestorableStore`). */
  restore(records: readonly ChangelogRecord[]): Promise<void>
  /**
   * A record cache's own answer for `key` (`null`: cached as absent), without reading below;
   * `undefined` when the key is not cached. Only record caches have it (see `CachingBytesStore`).
   */
  peekRecordCache?(key: Buffer): Buffer | null | undefined
}

/** Turns a stream of writes (e.g. restored records) into batch writes stamped with one time. */
export function toWrites(records: readonly ChangelogRecord[], timestamp: number): BytesWrite[] {
  const writes = new Array<BytesWrite>(records.length)
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    writes[i] = { key: r.key, value: r.value, timestamp }
  }
  return writes
}
