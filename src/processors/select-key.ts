import type { ProcessorContext, ProcessorSupplier } from './api.js'

/** `selectKey` (and the key selection half of `groupBy`): a new key, same value. */
export function selectKeyProcessor<K, V, K2>(selector: (key: K, value: V) => K2): ProcessorSupplier<K, V, K2, V> {
  return () => {
    let ctx!: ProcessorContext<K2, V>
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        return ctx.forward({ key: selector(record.key, record.value), value: record.value, timestamp: record.timestamp, headers: record.headers })
      },
    }
  }
}
