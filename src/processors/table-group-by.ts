import type { Change } from '../core/windowed.js'
import type { KeyValue } from '../core/record.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { ProcessorContext, ProcessorSupplier } from './api.js'

/**
 * `KTable.groupBy`: re-keys each row. When an update moves a row to another group, the old group
 * gets a subtraction (`oldValue` only) and the new group an addition (`newValue` only); when the
 * group stays the same, one change carries both, so the aggregate updates once.
 */
export function tableGroupByProcessor<K, V, K2, V2>(selector: (key: K, value: V) => KeyValue<K2, V2>): ProcessorSupplier<K, Change<V>, K2, Change<V2>> {
  return () => {
    let ctx!: ProcessorContext<K2, Change<V2>>
    return {
      init(context) {
        ctx = context
      },
      process(record): MaybePromise<void> {
        const { newValue, oldValue } = record.value
        const added = newValue === null ? null : selector(record.key, newValue)
        const removed = oldValue === null ? null : selector(record.key, oldValue)
        const { timestamp, headers } = record
        if (added !== null && removed !== null && sameKey(added[0], removed[0])) {
          return ctx.forward({ key: added[0], value: { newValue: added[1], oldValue: removed[1] }, timestamp, headers })
        }
        const subtraction = removed === null ? undefined : ctx.forward({ key: removed[0], value: { newValue: null, oldValue: removed[1] }, timestamp, headers })
        if (added === null) return subtraction
        const addition = { key: added[0], value: { newValue: added[1], oldValue: null }, timestamp, headers }
        return isPromiseLike(subtraction) ? subtraction.then(() => ctx.forward(addition)) : ctx.forward(addition)
      },
    }
  }
}

/** Group keys are compared by value: primitives directly, objects by their JSON form. */
function sameKey(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  return JSON.stringify(a) === JSON.stringify(b)
}
