import { brokerErrorNames } from '../kafka/errors.js'
import type { OutgoingRecord, RecordAck } from '../kafka/types.js'
import type { RecordSink } from './kafka-services.js'

/** Broker errors that reject a record for what it is: sending it again can never succeed. */
const RECORD_REJECTIONS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP', 'CORRUPT_MESSAGE'])

/** True when the cluster refused a record of the send for good (not a connection or leadership problem). */
export function isRecordRejection(error: unknown): boolean {
  return brokerErrorNames(error).some((name) => RECORD_REJECTIONS.has(name))
}

/**
 * The production exception handler 'continue' under at_least_once: when the cluster rejects a send
 * for a record-level reason (e.g. MESSAGE_TOO_LARGE), its records are sent again one at a time, and
 * those rejected again are dropped and reported. Records of the failed send that the cluster had
 * accepted may therefore be written twice, which at-least-once allows. Changelog records (sent to an
 * explicit partition) are never dropped: a store whose changelog misses a write would restore wrong,
 * so their rejection still fails the instance. Any other error fails the send as before.
 */
export class ProductionErrorSink implements RecordSink {
  private droppedCount = 0

  constructor(
    private readonly inner: RecordSink,
    private readonly onDropped: (record: OutgoingRecord, error: unknown) => void = () => undefined,
  ) {}

  /** Records dropped since the sink was created. */
  dropped(): number {
    return this.droppedCount
  }

  async send(records: readonly OutgoingRecord[]): Promise<RecordAck[]> {
    try {
      return await this.inner.send(records)
    } catch (error) {
      if (!isRecordRejection(error)) throw error
      return this.sendOneByOne(records)
    }
  }

  flush(): Promise<void> {
    return this.inner.flush()
  }

  private async sendOneByOne(records: readonly OutgoingRecord[]): Promise<RecordAck[]> {
    // The collector derives the last offset of a changelog partition from one ack per partition
    // (first offset + records sent there - 1): answer in that shape.
    const sent = new Map<string, { topic: string; partition: number; last: bigint; count: bigint }>()
    for (const record of records) {
      let acks: RecordAck[]
      try {
        acks = await this.inner.send([record])
      } catch (error) {
        if (record.partition !== undefined || !isRecordRejection(error)) throw error
        this.droppedCount++
        this.onDropped(record, error)
        continue
      }
      for (const ack of acks) {
        const key = `${ack.topic}\u0000${ack.partition}`
        const known = sent.get(key)
        sent.set(key, { topic: ack.topic, partition: ack.partition, last: ack.offset, count: (known?.count ?? 0n) + 1n })
      }
    }
    return [...sent.values()].map((p) => ({ topic: p.topic, partition: p.partition, offset: p.last - p.count + 1n }))
  }
}
