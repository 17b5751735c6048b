import type { Change } from '../core/windowed.js'
import type { ProcessorContext, ProcessorSupplier } from './api.js'

/** `KTable.toStream`: the changelog stream of a table; a deleted row becomes a null value (tombstone). */
export function tableToStreamProcessor<K, V>(): ProcessorSupplier<K, Change<V>, K, V | null> {
  return () => {
    let ctx!: ProcessorContext<K, V | null>
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        return ctx.forward({ key: record.key, value: record.value.newValue, timestamp: record.timestamp, headers: record.headers })
      },
    }
  }
}
