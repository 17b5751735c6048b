import type { Change } from '../core/windowed.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Record as StreamRecord } from '../core/record.js'
import type { KeyValueStore } from '../state/types.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from './api.js'
import { TimestampedForwarder } from './timestamped-forwarder.js'
import type { ValueAndTimestamp } from './value-and-timestamp.js'

/**
 * Turns a topic into a table: each record upserts its key (a null value deletes it) in the table's
 * store, and the change (new and old value) goes downstream with the record's timestamp, through the
 * store's record cache when it has one (see `TimestampedForwarder`). A table
 * nothing reads or needs old values of keeps no store (`storeName` undefined, Kafka's
 * unmaterialized KTableSource): each change goes on with no old value.
 */
export function tableSourceProcessor<K, V>(storeName: string | undefined): ProcessorSupplier<K, V | null, K, Change<V>> {
  return storeName === undefined ? () => new StorelessTableSource<K, V>() : () => new TableSource<K, V>(storeName)
}

class StorelessTableSource<K, V> implements Processor<K, V | null, K, Change<V>> {
  private ctx!: ProcessorContext<K, Change<V>>

  init(context: ProcessorContext<K, Change<V>>): void {
    this.ctx = context
  }

  process(record: StreamRecord<K, V | null>): MaybePromise<void> {
    if (record.key === null || record.key === undefined) return this.ctx.recordDropped('null-key')
    const newValue = record.value === undefined ? null : record.value
    return this.ctx.forward({ key: record.key, value: { newValue, oldValue: null }, timestamp: record.timestamp, headers: record.headers })
  }
}

class TableSource<K, V> implements Processor<K, V | null, K, Change<V>> {
  private ctx!: ProcessorContext<K, Change<V>>
  private store!: KeyValueStore<K, ValueAndTimestamp<V>>
  private forwarder!: TimestampedForwarder<K, V>

  constructor(private readonly storeName: string) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.ctx = context
    this.store = context.getStateStore(this.storeName)
    this.forwarder = new TimestampedForwarder(this.store, context)
  }

  process(record: StreamRecord<K, V | null>): MaybePromise<void> {
    if (record.key === null || record.key === undefined) return this.ctx.recordDropped('null-key')
    const previous = this.store.get(record.key)
    if (isPromiseLike(previous)) return previous.then((p) => this.upsert(record, p))
    return this.upsert(record, previous)
  }

  private upsert(record: StreamRecord<K, V | null>, previous: ValueAndTimestamp<V> | undefined): MaybePromise<void> {
    const newValue = record.value === undefined ? null : record.value
    const stored = newValue === null ? null : { value: newValue, timestamp: record.timestamp }
    if (this.forwarder.cached) return this.store.put(record.key, stored)
    const change = {
      key: record.key,
      value: { newValue, oldValue: previous === undefined ? null : previous.value },
      timestamp: record.timestamp,
      headers: record.headers,
    }
    const written = this.store.put(record.key, stored)
    if (isPromiseLike(written)) return written.then(() => this.ctx.forward(change))
    return this.ctx.forward(change)
  }
}
