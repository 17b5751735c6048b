import type { MaybePromise } from '../core/maybe-promise.js'
import type { Record as StreamRecord } from '../core/record.js'
import type { Change } from '../core/windowed.js'
import type { CachedChange, CachedStore } from '../state/types.js'
import type { ProcessorContext } from './api.js'
import type { ValueAndTimestamp } from './value-and-timestamp.js'

/**
 * How an operator whose table lives in a timestamped store forwards its changes (Kafka Streams'
 * TimestampedTupleForwarder with its TimestampedCacheFlushListener). Over a record cache the cache
 * forwards: each key's latest value when it is flushed at commit or evicted, with the value written
 * down before as the old value, stamped with the value's timestamp. Without one (`cacheMaxBytes:
 * 0`) the operator forwards every update itself.
 */
export class TimestampedForwarder<K, V> {
  /** True when the store's record cache forwards: the operator must not. */
  readonly cached: boolean

  constructor(
    store: CachedStore<K, ValueAndTimestamp<V>>,
    private readonly ctx: ProcessorContext<K, Change<V>>,
  ) {
    this.cached = store.setFlushListener?.((change) => ctx.forward(flushedRecord(change))) ?? false
  }

  /** Forwards `record` unless the record cache will. */
  maybeForward(record: StreamRecord<K, Change<V>>): MaybePromise<void> {
    if (this.cached) return undefined
    return this.ctx.forward(record)
  }
}

function flushedRecord<K, V>(change: CachedChange<K, ValueAndTimestamp<V>>): StreamRecord<K, Change<V>> {
  const { newValue, oldValue } = change
  return {
    key: change.key,
    value: { newValue: newValue === null ? null : newValue.value, oldValue: oldValue === null ? null : oldValue.value },
    timestamp: newValue === null ? change.timestamp : newValue.timestamp,
    headers: change.headers,
  }
}
