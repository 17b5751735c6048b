import type { Change } from '../core/windowed.js'
import type { ProcessorContext, ProcessorSupplier } from './api.js'

/**
 * `KTable.filter`: a row the predicate rejects becomes absent (null), as Kafka Streams'
 * KTableFilter. With old values (`sendOldValues`: the table upstream keeps a store), old values are
 * filtered too, so a downstream aggregate subtracts only what it had added, and a change absent
 * before and after is not forwarded. Without them, every rejected row goes on as a deletion: the
 * filter cannot tell whether the key was there before.
 */
export function tableFilterProcessor<K, V>(predicate: (key: K, value: V) => boolean, negate: boolean, sendOldValues = true): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => {
    let ctx!: ProcessorContext<K, Change<V>>
    const keep = (key: K, value: V | null): V | null => (value !== null && predicate(key, value) !== negate ? value : null)
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        const newValue = keep(record.key, record.value.newValue)
        const oldValue = sendOldValues ? keep(record.key, record.value.oldValue) : null
        if (sendOldValues && newValue === null && oldValue === null) return undefined
        return ctx.forward({ key: record.key, value: { newValue, oldValue }, timestamp: record.timestamp, headers: record.headers })
      },
    }
  }
}
