/** Segments of in-memory window and session stores: one `MemoryBytesStore` per segment. */
import type { BytesStore } from '../bytes-store.js'
import type { SegmentProvider } from '../segments/segment-provider.js'
import { MemoryBytesStore } from './memory-bytes-store.js'

export class MemorySegments implements SegmentProvider {
  readonly persistent = false

  constructor(
    private readonly storeName: string,
    private readonly segmentIntervalMs: number,
  ) {}

  async openExisting(): Promise<Map<number, BytesStore>> {
    return new Map()
  }

  create(segmentId: number): BytesStore {
    return new MemoryBytesStore(`${this.storeName}.${segmentId * this.segmentIntervalMs}`).openNow()
  }

  async drop(segment: BytesStore): Promise<void> {
    await segment.close()
  }
}
