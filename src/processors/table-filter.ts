import type { Change } from '../core/windowed.js'
import type { ProcessorContext, ProcessorSupplier } from './api.js'

/**
 * `KTable.filter`: a row the predicate rejects becomes absent (null). Old values are filtered too,
 * so a downstream aggregate subtracts only what it had added; a change that is absent on both sides
 * is not forwarded.
 */
export function tableFilterProcessor<K, V>(predicate: (key: K, value: V) => boolean, negate: boolean): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => {
    let ctx!: ProcessorContext<K, Change<V>>
    const keep = (key: K, value: V | null): V | null => (value !== null && predicate(key, value) !== negate ? value : null)
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        const newValue = keep(record.key, record.value.newValue)
        const oldValue = keep(record.key, record.value.oldValue)
        if (newValue === null && oldValue === null) return undefined
        return ctx.forward({ key: record.key, value: { newValue, oldValue }, timestamp: record.timestamp, headers: record.headers })
      },
    }
  }
}
