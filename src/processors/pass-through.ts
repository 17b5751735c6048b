import type { ProcessorContext, ProcessorSupplier } from './api.js'

/** Forwards every record unchanged: `merge` and each branch of `split` compile to one. */
export function passThroughProcessor<K, V>(): ProcessorSupplier<K, V, K, V> {
  return () => {
    let ctx!: ProcessorContext<K, V>
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        return ctx.forward(record)
      },
    }
  }
}
