import type { ProcessorContext, ProcessorSupplier } from './api.js'

/** `peek` runs a side effect and forwards the record unchanged; `foreach` (terminal) does not forward. */
export function peekProcessor<K, V>(action: (key: K, value: V) => void, terminal: boolean): ProcessorSupplier<K, V, K, V> {
  return () => {
    let ctx!: ProcessorContext<K, V>
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        action(record.key, record.value)
        return terminal ? undefined : ctx.forward(record)
      },
    }
  }
}
