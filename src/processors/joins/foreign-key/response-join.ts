import type { MaybePromise } from '../../../core/maybe-promise.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../api.js'
import type { TableValueGetter } from '../table-value-getter.js'
import { tableViewGetter, type TableView } from '../table-view.js'
import type { SubscriptionResponse } from './subscription.js'

export interface ResponseJoinParams {
  /** How the left table's current row is read. */
  readonly leftView: TableView
  readonly left: boolean
  readonly joiner: (left: unknown, right: unknown) => unknown
  readonly hashOf: (value: unknown) => MaybePromise<Buffer>
}

/**
 * Left side, on an answer (Kafka Streams' ResponseJoinProcessorSupplier): joins the right value with
 * the left row's current value, unless the left row changed since it subscribed (its hash differs):
 * then a newer answer is on its way and this one is dropped. A missing partner gives a tombstone
 * (inner join) or `joiner(left, null)` (left join).
 */
export function responseJoinProcessor(params: ResponseJoinParams): ProcessorSupplier {
  return () => {
    let ctx!: ProcessorContext
    let leftStore!: TableValueGetter
    const processor: Processor<unknown, SubscriptionResponse<unknown>> = {
      init(context) {
        ctx = context
        leftStore = tableViewGetter(context as ProcessorContext<unknown, unknown>, params.leftView)
      },
      async process(record) {
        const current = await leftStore.get(record.key)
        const currentHash = current === undefined ? null : await params.hashOf(current.value)
        const { hash, foreignValue } = record.value
        const fresh = hash === null || currentHash === null ? hash === currentHash : hash.equals(currentHash)
        // A stale answer is not an error: Kafka Streams only logs it; the fresh answer follows.
        if (!fresh) return undefined
        const result = foreignValue === null && (!params.left || current === undefined) ? null : params.joiner(current === undefined ? null : current.value, foreignValue)
        return ctx.forward({ key: record.key, value: result, timestamp: record.timestamp, headers: record.headers })
      },
    }
    return processor
  }
}
