import type { ProcessorContext, ProcessorSupplier } from './api.js'

export interface SplitBranch<K, V> {
  readonly childName: string
  readonly predicate: (key: K, value: V) => boolean
}

/**
 * `split`: each record goes to the first branch whose predicate accepts it, else to the default
 * branch (if any), else nowhere.
 */
export function splitProcessor<K, V>(branches: readonly SplitBranch<K, V>[], defaultChild: string | undefined): ProcessorSupplier<K, V, K, V> {
  return () => {
    let ctx!: ProcessorContext<K, V>
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        for (const branch of branches) {
          if (branch.predicate(record.key, record.value)) return ctx.forward(record, branch.childName)
        }
        return defaultChild === undefined ? undefined : ctx.forward(record, defaultChild)
      },
    }
  }
}
