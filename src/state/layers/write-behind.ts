/**
 * Writes to a byte store behind an in-memory copy that already answers reads: they are queued
 * and handed down as one batch (one RocksDB write batch per segment) every `batchSize` writes,
 * before any read that the store below must answer, and on flush. The batch is not waited for; a
 * failure is reported by the next `settle()` (every flush settles), like the caching layer's
 * evictions.
 */
import { isPromiseLike } from '../../core/maybe-promise.js'
import type { BytesStore, BytesWrite } from '../bytes-store.js'

const DEFAULT_BATCH_SIZE = 1024

export class WriteBehind {
  private pending: BytesWrite[] = []
  private readonly writing = new Set<Promise<void>>()
  private failure: unknown = undefined

  constructor(
    private readonly below: BytesStore,
    private readonly batchSize: number = DEFAULT_BATCH_SIZE,
  ) {}

  get pendingCount(): number {
    return this.pending.length
  }

  add(key: Buffer, value: Buffer | null, timestamp: number): void {
    if (this.pending.push({ key, value, timestamp }) >= this.batchSize) this.writeDown()
  }

  /** Hands the queued writes down as one batch, without waiting for it. */
  writeDown(): void {
    if (this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    const written = this.below.putAll(batch)
    if (!isPromiseLike(written)) return
    const tracked: Promise<void> = written.then(
      () => void this.writing.delete(tracked),
      (error: unknown) => {
        this.writing.delete(tracked)
        this.failure ??= error
      },
    )
    this.writing.add(tracked)
  }

  /** Writes the queue down and waits for every batch; rethrows the first failure among them. */
  async settle(): Promise<void> {
    this.writeDown()
    while (this.writing.size > 0) await Promise.all(this.writing)
    if (this.failure !== undefined) {
      const error = this.failure
      this.failure = undefined
      throw error
    }
  }

  /** Forgets the queue (the store is closing after a failed flush). */
  discard(): void {
    this.pending = []
  }
}
