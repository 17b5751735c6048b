import type { GroupMetadata, KafkaTransactionalProducer, OutgoingRecord, RecordAck, TopicPartitionOffset } from '../kafka/types.js'
import type { RecordSink } from './kafka-services.js'

/**
 * The instance's transactional producer under exactly_once_v2, as the collector's sink: a
 * transaction begins lazily with the first send after a commit, and `commit` adds the consumed
 * offsets to it before committing, so outputs, changelog writes and offsets become visible together.
 */
export class TransactionSink implements RecordSink {
  private open = false

  constructor(private producer: KafkaTransactionalProducer) {}

  /**
   * Sends the next transactions through `producer`: the one in use was fenced and cannot be
   * used again. Whatever transaction was open is forgotten (the broker aborts it).
   */
  replaceProducer(producer: KafkaTransactionalProducer): void {
    this.producer = producer
    this.open = false
  }

  async send(records: readonly OutgoingRecord[]): Promise<RecordAck[]> {
    if (records.length === 0) return []
    await this.ensureOpen()
    return this.producer.send(records)
  }

  /** Sends are acknowledged when they resolve; nothing else is in flight. */
  async flush(): Promise<void> {}

  /** Adds the offsets to the open transaction (beginning one if needed) and commits it. */
  async commit(group: GroupMetadata, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (!this.open && offsets.length === 0) return
    await this.ensureOpen()
    if (offsets.length > 0) await this.producer.sendOffsets(group, offsets)
    await this.producer.commit()
    this.open = false
  }

  /** Aborts the open transaction, if any: none of its records or offsets ever becomes visible. */
  async abort(): Promise<void> {
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
