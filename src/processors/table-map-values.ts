import type { Change } from '../core/windowed.js'
import type { ProcessorContext, ProcessorSupplier } from './api.js'

/**
 * `KTable.mapValues`: maps the new and, when the table upstream sends them (`sendOldValues`), the
 * old value of each change; absent stays absent.
 */
export function tableMapValuesProcessor<K, V, V2>(mapper: (value: V, key: K) => V2, sendOldValues = true): ProcessorSupplier<K, Change<V>, K, Change<V2>> {
  return () => {
    let ctx!: ProcessorContext<K, Change<V2>>
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        const { newValue, oldValue } = record.value
        return ctx.forward({
          key: record.key,
          value: {
            newValue: newValue === null ? null : mapper(newValue, record.key),
            oldValue: oldValue === null || !sendOldValues ? null : mapper(oldValue, record.key),
          },
          timestamp: record.timestamp,
          headers: record.headers,
        })
      },
    }
  }
}
