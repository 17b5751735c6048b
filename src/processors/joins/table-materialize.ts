import type { Change } from '../../core/windowed.js'
import { isPromiseLike } from '../../core/maybe-promise.js'
import type { KeyValueStore } from '../../state/types.js'
import type { ProcessorContext, ProcessorSupplier } from '../api.js'
import { TimestampedForwarder } from '../timestamped-forwarder.js'
import type { ValueAndTimestamp } from '../value-and-timestamp.js'

/**
 * Keeps the rows of a derived table (a filter, a mapValues, a join result) in a store, so that a join
 * can look them up; Kafka Streams reads such tables through value getters of their parents, Tributary
 * materializes them where a join needs them. Updates pass through unchanged, or through the store's
 * record cache when it has one (see `TimestampedForwarder`).
 */
export function tableMaterializeProcessor(storeName: string): ProcessorSupplier<unknown, Change<unknown>, unknown, Change<unknown>> {
  return () => {
    let ctx!: ProcessorContext<unknown, Change<unknown>>
    let store!: KeyValueStore<unknown, ValueAndTimestamp<unknown>>
    let cached = false
    return {
      init(context) {
        ctx = context
        store = context.getStateStore(storeName)
        cached = new TimestampedForwarder(store, context).cached
      },
      process(record) {
        if (record.key === null || record.key === undefined) return ctx.recordDropped('null-key')
        const { newValue } = record.value
        const written = store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp })
        if (cached) return written
        if (isPromiseLike(written)) return written.then(() => ctx.forward(record))
        return ctx.forward(record)
      },
    }
  }
}
