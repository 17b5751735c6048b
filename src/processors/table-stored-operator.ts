import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Record as StreamRecord } from '../core/record.js'
import type { Change } from '../core/windowed.js'
import type { KeyValueStore } from '../state/types.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from './api.js'
import { TimestampedForwarder } from './timestamped-forwarder.js'
import type { ValueAndTimestamp } from './value-and-timestamp.js'

export interface StoredTableOperatorSpec<K, V, V2> {
  /** The result row of one input row (never called with null); `null` makes the row absent. */
  readonly compute: (key: K, value: V) => V2 | null
  readonly storeName: string
  /** The operator forwards old values (Kafka's sendOldValues): read from its own store. */
  readonly sendOldValues: boolean
  /** A filter leaves out a change absent before and after, when it knows the old value. */
  readonly skipAbsent: boolean
}

/**
 * `KTable.filter`, `filterNot` or `mapValues` with a store of its own (Kafka Streams' KTableFilter and
 * KTableMapValues given `Materialized.as(name)`): each change's new row is computed from the input's
 * new value, put in the store, and forwarded through the store's record cache when it has one. The
 * old value is the row the store held (when old values are sent), not one recomputed from the
 * input's old value.
 */
export function storedTableOperator<K, V, V2>(spec: StoredTableOperatorSpec<K, V, V2>): ProcessorSupplier<K, Change<V>, K, Change<V2>> {
  return () => new StoredTableOperator(spec)
}

class StoredTableOperator<K, V, V2> implements Processor<K, Change<V>, K, Change<V2>> {
  private ctx!: ProcessorContext<K, Change<V2>>
  private store!: KeyValueStore<K, ValueAndTimestamp<V2>>
  private forwarder!: TimestampedForwarder<K, V2>

  constructor(private readonly spec: StoredTableOperatorSpec<K, V, V2>) {}

  init(context: ProcessorContext<K, Change<V2>>): void {
    this.ctx = context
    this.store = context.getStateStore(this.spec.storeName)
    this.forwarder = new TimestampedForwarder(this.store, context)
  }

  process(record: StreamRecord<K, Change<V>>): MaybePromise<void> {
    const input = record.value.newValue
    const newValue = input === null ? null : this.spec.compute(record.key, input)
    if (!this.spec.sendOldValues) return this.write(record, newValue, null)
    const previous = this.store.get(record.key)
    if (isPromiseLike(previous)) return previous.then((p) => this.write(record, newValue, p === undefined ? null : p.value))
    return this.write(record, newValue, previous === undefined ? null : previous.value)
  }

  private write(record: StreamRecord<K, Change<V>>, newValue: V2 | null, oldValue: V2 | null): MaybePromise<void> {
    if (this.spec.skipAbsent && this.spec.sendOldValues && newValue === null && oldValue === null) return undefined
    const written = this.store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp })
    if (this.forwarder.cached) return written
    const change: StreamRecord<K, Change<V2>> = { key: record.key, value: { newValue, oldValue }, timestamp: record.timestamp, headers: record.headers }
    if (isPromiseLike(written)) return written.then(() => this.ctx.forward(change))
    return this.ctx.forward(change)
  }
}
