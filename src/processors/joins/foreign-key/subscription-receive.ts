import type { Record as StreamRecord } from '../../../core/record.js'
import type { KeyValueStore } from '../../../state/types.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../api.js'
import type { TableValueGetter } from '../table-value-getter.js'
import { tableViewGetter, type TableView } from '../table-view.js'
import { Instruction, keyIdentity, type Subscriber, type Subscription, type SubscriptionResponse } from './subscription.js'

/**
 * Right side, first step (Kafka Streams' SubscriptionReceiveProcessorSupplier): records or removes
 * the subscription in the subscription store, so that later right-row updates reach the subscriber.
 * The store keeps, per foreign key, the list of subscribed left keys: Tributary's stores have no
 * prefix scan, so the list stands in for Kafka's `(foreignKey, primaryKey)` range.
 */
export function subscriptionReceiveProcessor(storeName: string): ProcessorSupplier {
  return () => {
    let ctx!: ProcessorContext
    let store!: KeyValueStore<unknown, readonly Subscriber<unknown>[]>
    const processor: Processor<unknown, Subscription<unknown>> = {
      init(context) {
        ctx = context
        store = context.getStateStore(storeName)
      },
      async process(record: StreamRecord<unknown, Subscription<unknown>>) {
        const subscription = record.value
        if (record.key === null || record.key === undefined) {
          // Only a left join's "answer me anyway" may carry no foreign key; it subscribes to nothing.
          if (subscription.instruction !== Instruction.propagateNullIfNoForeignValue) return ctx.recordDropped('null-key')
          return ctx.forward(record)
        }
        const id = keyIdentity(subscription.primaryKey)
        const current = (await store.get(record.key)) ?? []
        const others = current.filter((s) => keyIdentity(s.primaryKey) !== id)
        const unsubscribe = subscription.instruction === Instruction.deleteKeyNoPropagate || subscription.instruction === Instruction.deleteKeyAndPropagate
        const next = unsubscribe ? others : [...others, { primaryKey: subscription.primaryKey, hash: subscription.hash, timestamp: record.timestamp }]
        await store.put(record.key, next.length === 0 ? null : next)
        return ctx.forward(record)
      },
    }
    return processor
  }
}

/**
 * Right side, second step (Kafka Streams' SubscriptionJoinProcessorSupplier): answers a subscription
 * with the right row of its foreign key, as the instruction asks, keyed by the left row's key again.
 */
export function subscriptionJoinProcessor(rightView: TableView): ProcessorSupplier {
  return () => {
    let ctx!: ProcessorContext<unknown, SubscriptionResponse<unknown>>
    let right!: TableValueGetter
    const processor: Processor<unknown, Subscription<unknown>, unknown, SubscriptionResponse<unknown>> = {
      init(context) {
        ctx = context
        right = tableViewGetter(context as ProcessorContext<unknown, unknown>, rightView)
      },
      async process(record) {
        const { hash, instruction, primaryKey } = record.value
        const row = record.key === null || record.key === undefined ? undefined : await right.get(record.key)
        const answer = (foreignValue: unknown, timestamp: number) =>
          ctx.forward({ key: primaryKey, value: { hash, foreignValue }, timestamp, headers: record.headers })
        const withRowTime = row === undefined ? record.timestamp : Math.max(record.timestamp, row.timestamp)
        switch (instruction) {
          case Instruction.deleteKeyAndPropagate:
            return answer(null, record.timestamp)
          case Instruction.propagateNullIfNoForeignValue:
            return answer(row === undefined ? null : row.value, withRowTime)
          case Instruction.propagateOnlyIfForeignValue:
            return row === undefined ? undefined : answer(row.value, withRowTime)
          case Instruction.deleteKeyNoPropagate:
            return undefined
        }
      },
    }
    return processor
  }
}
