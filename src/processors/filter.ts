import type { ProcessorContext, ProcessorSupplier } from './api.js'

/** `filter` keeps records the predicate accepts; with `negate`, `filterNot` keeps the others. */
export function filterProcessor<K, V>(predicate: (key: K, value: V) => boolean, negate: boolean): ProcessorSupplier<K, V, K, V> {
  return () => {
    let ctx!: ProcessorContext<K, V>
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        if (predicate(record.key, record.value) !== negate) return ctx.forward(record)
        return undefined
      },
    }
  }
}
