/**
 * Segments of RocksDB window and session stores: each segment is a RocksDB database of its own,
 * `<taskDir>/rocksdb/<storeName>/<storeName>.<segment start ms>`, as in Kafka Streams.
 *
 * Why separate databases rather than one database with segment-prefixed keys: dropping an
 * expired segment is then closing a database and deleting its directory, which frees the disk
 * at once and costs no writes. The `rocksdb` binding has no DeleteRange (its `clear` deletes key
 * by key), so a shared database would pay one tombstone per expired key plus compactions to
 * reclaim the space, on the processing path. The price is one write batch per segment when the
 * cache flushes (usually one or two segments are hot) and a few open databases per store
 * (retention / interval + 1, about three).
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { StateStoreError } from '../../core/errors.js'
import type { BytesStore } from '../bytes-store.js'
import type { SegmentProvider } from '../segments/segment-provider.js'
import type { StateStoreContext } from '../types.js'
import { RocksDbBytesStore } from './rocksdb-bytes-store.js'

export class RocksDbSegments implements SegmentProvider {
  readonly persistent = true

  constructor(
    private readonly storeName: string,
    private readonly segmentIntervalMs: number,
  ) {}

  async openExisting(context: StateStoreContext): Promise<Map<number, BytesStore>> {
    const segments = new Map<number, BytesStore>()
    let names: string[]
    try {
      names = await readdir(this.directory(context))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return segments
      throw new StateStoreError(
        `Could not list the segments of state store "${this.storeName}" in ${this.directory(context)}. Check that stateDir is readable.`,
        { cause: error },
      )
    }
    const prefix = `${this.storeName}.`
    for (const name of names) {
      if (!name.startsWith(prefix)) continue
      const start = Number(name.slice(prefix.length))
      if (!Number.isSafeInteger(start) || start % this.segmentIntervalMs !== 0) continue
      segments.set(start / this.segmentIntervalMs, await this.openSegment(name, context))
    }
    return segments
  }

  create(segmentId: number, context: StateStoreContext): Promise<BytesStore> {
    return this.openSegment(`${this.storeName}.${segmentId * this.segmentIntervalMs}`, context)
  }

  async drop(segment: BytesStore): Promise<void> {
    if (segment instanceof RocksDbBytesStore) await segment.destroy()
    else await segment.close()
  }

  private async openSegment(name: string, context: StateStoreContext): Promise<BytesStore> {
    const segment = new RocksDbBytesStore(name, (ctx) => join(this.directory(ctx), name))
    await segment.init(context)
    return segment
  }

  private directory(context: StateStoreContext): string {
    return join(context.taskDir, 'rocksdb', this.storeName)
  }
}
