import type { ProcessorContext, ProcessorSupplier } from './api.js'

/** `mapValues`: a new value, same key, so no repartition is needed downstream. */
export function mapValuesProcessor<K, V, V2>(mapper: (value: V, key: K) => V2): ProcessorSupplier<K, V, K, V2> {
  return () => {
    let ctx!: ProcessorContext<K, V2>
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        return ctx.forward({ key: record.key, value: mapper(record.value, record.key), timestamp: record.timestamp, headers: record.headers })
      },
    }
  }
}
