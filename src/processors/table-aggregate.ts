import type { Change } from '../core/windowed.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Record as StreamRecord } from '../core/record.js'
import type { KeyValueStore } from '../state/types.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from './api.js'
import { TimestampedForwarder } from './timestamped-forwarder.js'
import type { ValueAndTimestamp } from './value-and-timestamp.js'

export interface TableAggregateParams<K, V, A> {
  readonly storeName: string
  /** Adds a row's new value; `aggregate` is undefined for a group's first row. */
  readonly add: (key: K, value: V, aggregate: A | undefined) => A
  /** Removes a row's old value from the group's aggregate. */
  readonly subtract: (key: K, value: V, aggregate: A) => A
}

/**
 * `KGroupedTable.aggregate/reduce/count` (Kafka Streams' KTableAggregate): subtract the old value,
 * add the new value, store and forward the new aggregate with the old one (through the store's
 * record cache when it has one, see `TimestampedForwarder`).
 */
export function tableAggregateProcessor<K, V, A>(params: TableAggregateParams<K, V, A>): ProcessorSupplier<K, Change<V>, K, Change<A>> {
  return () => new TableAggregate(params)
}

class TableAggregate<K, V, A> implements Processor<K, Change<V>, K, Change<A>> {
  private ctx!: ProcessorContext<K, Change<A>>
  private store!: KeyValueStore<K, ValueAndTimestamp<A>>
  private forwarder!: TimestampedForwarder<K, A>

  constructor(private readonly params: TableAggregateParams<K, V, A>) {}

  init(context: ProcessorContext<K, Change<A>>): void {
    this.ctx = context
    this.store = context.getStateStore(this.params.storeName)
    this.forwarder = new TimestampedForwarder(this.store, context)
  }

  process(record: StreamRecord<K, Change<V>>): MaybePromise<void> {
    if (record.key === null || record.key === undefined) return this.ctx.recordDropped('null-key')
    const previous = this.store.get(record.key)
    if (isPromiseLike(previous)) return previous.then((p) => this.update(record, p))
    return this.update(record, previous)
  }

  private update(record: StreamRecord<K, Change<V>>, previous: ValueAndTimestamp<A> | undefined): MaybePromise<void> {
    const { newValue, oldValue } = record.value
    const before = previous === undefined ? undefined : previous.value
    let aggregate = before
    if (oldValue !== null && aggregate !== undefined) aggregate = this.params.subtract(record.key, oldValue, aggregate)
    if (newValue !== null) aggregate = this.params.add(record.key, newValue, aggregate)
    const timestamp = previous === undefined ? record.timestamp : Math.max(previous.timestamp, record.timestamp)
    const stored = aggregate === undefined ? null : { value: aggregate, timestamp }
    if (this.forwarder.cached) return this.store.put(record.key, stored)
    const change = {
      key: record.key,
      value: { newValue: aggregate === undefined ? null : aggregate, oldValue: before === undefined ? null : before },
      timestamp,
      headers: record.headers,
    }
    const written = this.store.put(record.key, stored)
    if (isPromiseLike(written)) return written.then(() => this.ctx.forward(change))
    return this.ctx.forward(change)
  }
}
