import type { KafkaProducer, KafkaTransactionalProducer } from '../kafka/types.js'
import type { TransactionSink } from './transaction-sink.js'

/** How a fenced transactional producer is replaced: a new one for the same transactional id, behind the same transaction. */
export interface ProducerRenewal {
  readonly transaction: TransactionSink
  readonly create: () => KafkaTransactionalProducer
}

/**
 * The instance's producer. Under exactly_once_v2 a fenced transactional producer cannot be used
 * again, so `renew` closes it and puts a new incarnation behind the transaction; without a
 * renewal (at-least-once) it stays the same producer for the life of the instance.
 */
export class ProducerHolder {
  private retired = false

  constructor(
    private producer: KafkaProducer | KafkaTransactionalProducer,
    private readonly renewal?: ProducerRenewal,
  ) {}

  current(): KafkaProducer | KafkaTransactionalProducer {
    return this.producer
  }

  async renew(): Promise<void> {
    // A producer created while the instance closes would never be closed.
    if (this.renewal === undefined || this.retired) return
    await this.producer.close().catch(() => undefined)
    const renewed = this.renewal.create()
    this.producer = renewed
    this.renewal.transaction.replaceProducer(renewed)
  }

  /** The instance is closing: `renew` does nothing from now on. */
  retire(): void {
    this.retired = true
  }
}
