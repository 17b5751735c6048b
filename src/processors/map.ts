import type { KeyValue } from '../core/record.js'
import type { ProcessorContext, ProcessorSupplier } from './api.js'

/** `map`: a new key and value for each record; the key may change, so a grouping after it repartitions. */
export function mapProcessor<K, V, K2, V2>(mapper: (key: K, value: V) => KeyValue<K2, V2>): ProcessorSupplier<K, V, K2, V2> {
  return () => {
    let ctx!: ProcessorContext<K2, V2>
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        const [key, value] = mapper(record.key, record.value)
        return ctx.forward({ key, value, timestamp: record.timestamp, headers: record.headers })
      },
    }
  }
}
