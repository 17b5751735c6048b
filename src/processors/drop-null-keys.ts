import type { ProcessorContext, ProcessorSupplier } from './api.js'

/**
 * Put before a repartition sink: a record with a null key cannot be partitioned by key and would
 * be dropped by the aggregation anyway, so it is dropped (and counted) before the write.
 */
export function dropNullKeysProcessor<K, V>(): ProcessorSupplier<K, V, K, V> {
  return () => {
    let ctx!: ProcessorContext<K, V>
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          ctx.recordDropped('null-key')
          return undefined
        }
        return ctx.forward(record)
      },
    }
  }
}
