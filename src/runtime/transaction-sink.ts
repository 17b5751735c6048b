import type { GroupMetadata, KafkaTransactionalProducer, OutgoingRecord, RecordAck, TopicPartitionOffset } from '../kafka/types.js'
import type { RecordSink } from './kafka-services.js'

/**
 * The instance's transactional producer under exactly_once_v2, as the collector's sink: a
 * transaction begins lazily with the first send after a commit, and `commit` adds the consumed
 * offsets to it before committing, so outputs, changelog writes and offsets become visible together.
 */
export class TransactionSink implements RecordSink {
  private open = false
  /** Settles once every send started so far has: commit and abort wait for it, so none is left in flight. */
  private sending: Promise<unknown> = Promise.resolve()

  constructor(private producer: KafkaTransactionalProducer) {}

  /**
   * Sends the next transactions through `producer`: the one in use was fenced and cannot be
   * used again. Whatever transaction was open is forgotten (the broker aborts it).
   */
  replaceProducer(producer: KafkaTransactionalProducer): void {
    this.producer = producer
    this.open = false
  }

  /** Fences the producer's predecessor and aborts its open transaction (see `KafkaTransactionalProducer.init`). */
  async init(): Promise<void> {
    if (!this.open) await this.producer.init()
  }

  /**
   * Sends within the open transaction, beginning one first if none is. Sends run one after the
   * other, so concurrent calls never begin two transactions.
   */
  send(records: readonly OutgoingRecord[]): Promise<RecordAck[]> {
    if (records.length === 0) return Promise.resolve([])
    const sent = this.sending.then(async () => {
      await this.ensureOpen()
      return this.producer.send(records)
    })
    this.sending = sent.catch(() => undefined)
    return sent
  }

  /** Resolves once every send started before it has settled. */
  async flush(): Promise<void> {
    await this.sending
  }

  /** Adds the offsets to the open transaction (beginning one if needed) and commits it. */
  async commit(group: GroupMetadata, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.sending
    if (!this.open && offsets.length === 0) return
    await this.ensureOpen()
    if (offsets.length > 0) await this.producer.sendOffsets(group, offsets)
    await this.producer.commit()
    this.open = false
  }

  /** Aborts the open transaction, if any: none of its records or offsets ever becomes visible. */
  async abort(): Promise<void> {
    // A send still beginning the transaction would otherwise leave it open after the abort.
    await this.sending
    if (!this.open) return
    this.open = false
    await this.producer.abort()
  }

  private async ensureOpen(): Promise<void> {
    if (this.open) return
    await this.producer.begin()
    this.open = true
  }
}
