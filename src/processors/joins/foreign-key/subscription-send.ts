import type { Change } from '../../../core/windowed.js'
import type { MaybePromise } from '../../../core/maybe-promise.js'
import type { Record as StreamRecord } from '../../../core/record.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../api.js'
import { Instruction, keyIdentity, type Subscription } from './subscription.js'

export interface SubscriptionSendParams {
  readonly left: boolean
  readonly foreignKeyExtractor: (value: unknown) => unknown
  /** murmur3 of the serialized left value. */
  readonly hashOf: (value: unknown) => MaybePromise<Buffer>
}

/**
 * Left side of a foreign-key join (Kafka Streams' SubscriptionSendProcessorSupplier): turns each
 * change of a left row into subscription messages keyed by foreign key: unsubscribe from the old
 * foreign key when it changed, subscribe to the new one, and say whether a missing right row must
 * still produce a (null) answer so that an earlier joined row gets deleted.
 */
export function subscriptionSendProcessor(params: SubscriptionSendParams): ProcessorSupplier {
  return () => new SubscriptionSend(params)
}

class SubscriptionSend implements Processor<unknown, Change<unknown>, unknown, Subscription<unknown>> {
  private ctx!: ProcessorContext<unknown, Subscription<unknown>>

  constructor(private readonly params: SubscriptionSendParams) {}

  init(context: ProcessorContext<unknown, Subscription<unknown>>): void {
    this.ctx = context
  }

  async process(record: StreamRecord<unknown, Change<unknown>>): Promise<void> {
    const { newValue, oldValue } = record.value
    if (record.key === null || record.key === undefined) return this.ctx.recordDropped('null-key')
    const extract = this.params.foreignKeyExtractor
    const oldForeignKey = oldValue === null ? null : nullable(extract(oldValue))
    const newForeignKey = newValue === null ? null : nullable(extract(newValue))
    const hash = newValue === null ? null : await this.params.hashOf(newValue)
    const send = (foreignKey: unknown, instruction: Instruction): MaybePromise<void> =>
      this.ctx.forward({ key: foreignKey, value: { hash, instruction, primaryKey: record.key }, timestamp: record.timestamp, headers: record.headers })
    const changed = keyIdentity(newForeignKey) !== keyIdentity(oldForeignKey)

    if (this.params.left) {
      // Idempotent delete of an absent row: nothing to say.
      if (oldValue === null && newValue === null) return
      if (oldForeignKey !== null && changed) await send(oldForeignKey, Instruction.deleteKeyNoPropagate)
      // Always ask for an answer (a null foreign key included: it comes back as a null right row),
      // so a left join always produces its result row.
      await send(newForeignKey, Instruction.propagateNullIfNoForeignValue)
      return
    }
    if (newValue === null) {
      if (oldForeignKey !== null) await send(oldForeignKey, Instruction.deleteKeyAndPropagate)
      return
    }
    if (newForeignKey === null) {
      this.ctx.recordDropped('null-key')
      if (oldForeignKey !== null) await send(oldForeignKey, Instruction.deleteKeyAndPropagate)
      return
    }
    if (oldForeignKey === null) {
      // A new row: no earlier result to delete, so answer only on a match.
      await send(newForeignKey, Instruction.propagateOnlyIfForeignValue)
    } else if (changed) {
      await send(oldForeignKey, Instruction.deleteKeyNoPropagate)
      await send(newForeignKey, Instruction.propagateNullIfNoForeignValue)
    } else {
      await send(newForeignKey, Instruction.propagateOnlyIfForeignValue)
    }
  }
}

function nullable(value: unknown): unknown {
  return value === undefined ? null : value
}
