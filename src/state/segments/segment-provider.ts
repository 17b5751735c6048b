import type { MaybePromise } from '../../core/maybe-promise.js'
import type { BytesStore } from '../bytes-store.js'
import type { StateStoreContext } from '../types.js'

/**
 * Makes and removes the byte stores that hold one time segment each. In memory a segment is a
 * `MemoryBytesStore`; on disk it is a RocksDB database of its own (see `rocksdb/rocksdb-segments.ts`).
 */
export interface SegmentProvider {
  readonly persistent: boolean
  /** Opens the segments left by a previous run, by segment id. */
  openExisting(context: StateStoreContext): Promise<Map<number, BytesStore>>
  /** Creates an empty, open segment. Synchronous in memory. */
  create(segmentId: number, context: StateStoreContext): MaybePromise<BytesStore>
  /** Closes a segment and deletes its data. */
  drop(segment: BytesStore): Promise<void>
}
