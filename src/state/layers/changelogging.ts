/**
 * The changelogging layer: every write that reaches the byte store is also appended to the
 * task's changelog sink, keyed exactly as stored (window and session stores log their schema
 * keys), so the store can be rebuilt from the topic. Sitting below the cache, it logs what the
 * cache writes down: one record per key per flush, not one per update.
 *
 * Restored records are written without logging them again.
 */
import type { MaybePromise } from '../../core/maybe-promise.js'
import type { BytesEntry, BytesStore, BytesWrite, TimeHint } from '../bytes-store.js'
import type { ChangelogRecord, ChangelogSink, StateStoreContext } from '../types.js'

export class ChangeloggingBytesStore implements BytesStore {
  private sink: ChangelogSink | undefined
  private context: StateStoreContext | undefined

  constructor(private readonly inner: BytesStore) {}

  get name(): string {
    return this.inner.name
  }

  get persistent(): boolean {
    return this.inner.persistent
  }

  get isOpen(): boolean {
    return this.inner.isOpen
  }

  /** The topic changes go to, once initialized with a context that has a changelog. */
  get changelogTopic(): string | undefined {
    return this.sink?.topic
  }

  async init(context: StateStoreContext): Promise<void> {
    this.context = context
    // A context without a sink (logging switched off by the runtime) turns this layer into a pass-through.
    this.sink = context.changelog
    await this.inner.init(context)
  }

  get(key: Buffer): MaybePromise<Buffer | undefined> {
    return this.inner.get(key)
  }

  put(key: Buffer, value: Buffer | null): MaybePromise<void> {
    const result = this.inner.put(key, value)
    if (this.sink !== undefined) this.sink.send(key, value, this.context!.currentRecordTimestamp())
    return result
  }

  putAll(writes: readonly BytesWrite[]): MaybePromise<void> {
    const result = this.inner.putAll(writes)
    const sink = this.sink
    if (sink !== undefined) {
      for (let i = 0; i < writes.length; i++) {
        const w = writes[i]!
        sink.send(w.key, w.value, w.timestamp)
      }
    }
    return result
  }

  scan(from: Buffer | undefined, to: Buffer | undefined, time?: TimeHint): MaybePromise<BytesEntry[]> {
    return this.inner.scan(from, to, time)
  }

  iterate(from: Buffer | undefined, to: Buffer | undefined, time?: TimeHint): AsyncIterableIterator<BytesEntry> {
    return this.inner.iterate(from, to, time)
  }

  approximateNumEntries(): MaybePromise<number> {
    return this.inner.approximateNumEntries()
  }

  restore(records: readonly ChangelogRecord[]): Promise<void> {
    return this.inner.restore(records)
  }

  flush(): Promise<void> {
    return this.inner.flush()
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}
