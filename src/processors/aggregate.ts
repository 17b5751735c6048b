import type { Change } from '../core/windowed.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Record as StreamRecord } from '../core/record.js'
import type { KeyValueStore } from '../state/types.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from './api.js'
import { TimestampedForwarder } from './timestamped-forwarder.js'
import type { ValueAndTimestamp } from './value-and-timestamp.js'

/**
 * Folds a value into the previous aggregate, which is `undefined` for the first value of a key.
 * `count`, `reduce` and `aggregate` all compile to one of these.
 */
export type Accumulator<K, V, A> = (key: K, value: V, previous: A | undefined) => A

export interface StreamAggregateParams<K, V, A> {
  readonly storeName: string
  readonly accumulate: Accumulator<K, V, A>
}

/**
 * Unwindowed `groupByKey().aggregate()`: one aggregate per key in a key-value store. Updates go
 * downstream as table changes with the largest input timestamp of the key: through the store's
 * record cache (a key's latest aggregate at commit or eviction), or each one at once when there is
 * none. Records with a null key or value are dropped (and counted), as in Kafka Streams.
 */
export function streamAggregateProcessor<K, V, A>(params: StreamAggregateParams<K, V, A>): ProcessorSupplier<K, V, K, Change<A>> {
  return () => new StreamAggregate(params)
}

class StreamAggregate<K, V, A> implements Processor<K, V, K, Change<A>> {
  private ctx!: ProcessorContext<K, Change<A>>
  private store!: KeyValueStore<K, ValueAndTimestamp<A>>
  private forwarder!: TimestampedForwarder<K, A>

  constructor(private readonly params: StreamAggregateParams<K, V, A>) {}

  init(context: ProcessorContext<K, Change<A>>): void {
    this.ctx = context
    this.store = context.getStateStore(this.params.storeName)
    this.forwarder = new TimestampedForwarder(this.store, context)
  }

  process(record: StreamRecord<K, V>): MaybePromise<void> {
    if (record.key === null || record.key === undefined) return this.ctx.recordDropped('null-key')
    if (record.value === null || record.value === undefined) return this.ctx.recordDropped('null-value')
    const previous = this.store.get(record.key)
    if (isPromiseLike(previous)) return previous.then((p) => this.update(record, p))
    return this.update(record, previous)
  }

  private update(record: StreamRecord<K, V>, previous: ValueAndTimestamp<A> | undefined): MaybePromise<void> {
    const oldValue = previous === undefined ? undefined : previous.value
    const value = this.params.accumulate(record.key, record.value, oldValue)
    const timestamp = previous === undefined ? record.timestamp : Math.max(previous.timestamp, record.timestamp)
    if (this.forwarder.cached) return this.store.put(record.key, { value, timestamp })
    const forward = {
      key: record.key,
      value: { newValue: value, oldValue: oldValue === undefined ? null : oldValue },
      timestamp,
      headers: record.headers,
    }
    const written = this.store.put(record.key, { value, timestamp })
    if (isPromiseLike(written)) return written.then(() => this.ctx.forward(forward))
    return this.ctx.forward(forward)
  }
}
