import type { Change } from '../../../core/windowed.js'
import type { KeyValueStore } from '../../../state/types.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../api.js'
import type { Subscriber, SubscriptionResponse } from './subscription.js'

/**
 * Right side, on a right-row change (Kafka Streams' ForeignTableJoinProcessorSupplier): every left
 * row subscribed to this foreign key gets the new right value (null when the row was deleted),
 * tagged with the hash it subscribed with.
 */
export function foreignTableJoinProcessor(subscriptionStoreName: string): ProcessorSupplier {
  return () => {
    let ctx!: ProcessorContext<unknown, SubscriptionResponse<unknown>>
    let subscriptions!: KeyValueStore<unknown, readonly Subscriber<unknown>[]>
    const processor: Processor<unknown, Change<unknown>, unknown, SubscriptionResponse<unknown>> = {
      init(context) {
        ctx = context
        subscriptions = context.getStateStore(subscriptionStoreName)
      },
      async process(record) {
        if (record.key === null || record.key === undefined) return ctx.recordDropped('null-key')
        const subscribers = (await subscriptions.get(record.key)) ?? []
        for (const subscriber of subscribers) {
          await ctx.forward({
            key: subscriber.primaryKey,
            value: { hash: subscriber.hash, foreignValue: record.value.newValue },
            timestamp: Math.max(record.timestamp, subscriber.timestamp),
            headers: record.headers,
          })
        }
        return undefined
      },
    }
    return processor
  }
}
