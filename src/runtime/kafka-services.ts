import type { KafkaReader, OutgoingRecord, RecordAck } from '../kafka/types.js'
import type { ChangelogEntry, ChangelogReader, CollectedRecord, RecordCollector } from './types.js'

/** Where the collector sends: the idempotent producer, or the open transaction under exactly-once. */
export interface RecordSink {
  send(records: readonly OutgoingRecord[]): Promise<RecordAck[]>
  flush(): Promise<void>
}

/**
 * The collector of every task of an instance: records wait in memory until `flush()` sends them
 * and waits for their acks, so offsets are committed only after what they produced is durable.
 */
export class KafkaRecordCollector implements RecordCollector {
  private pending: OutgoingRecord[] = []
  private readonly acked = new Map<string, bigint>()

  constructor(private readonly producer: RecordSink) {}

  send(record: CollectedRecord): void {
    const headers = Object.entries(record.headers)
    this.pending.push({
      topic: record.topic,
      ...(record.partition === undefined ? {} : { partition: record.partition }),
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
      headers,
    })
  }

  pendingRecords(): number {
    return this.pending.length
  }

  /** Sends everything collected and resolves once the cluster acknowledged all of it. */
  async flush(): Promise<void> {
    const batch = this.pending
    this.pending = []
    if (batch.length > 0) {
      // Records sent to an explicit partition (changelogs) are written one after the other from the
      // partition's ack: the last one's offset is what a checkpoint needs.
      const explicit = new Map<string, number>()
      for (const record of batch) {
        if (record.partition === undefined) continue
        const key = `${record.topic}\u0000${record.partition}`
        explicit.set(key, (explicit.get(key) ?? 0) + 1)
      }
      const acks = await this.producer.send(batch)
      for (const ack of acks) {
        const key = `${ack.topic}\u0000${ack.partition}`
        const count = explicit.get(key)
        if (count !== undefined) this.acked.set(key, ack.offset + BigInt(count) - 1n)
      }
    }
    await this.producer.flush()
  }

  /** Forgets what was collected and not yet sent (the instance is failing). */
  discard(): void {
    this.pending = []
  }

  lastAckedOffset(topic: string, partition: number): bigint | undefined {
    return this.acked.get(`${topic}\u0000${partition}`)
  }
}

/** The task engine's changelog reader over the adapter's reader. */
export class KafkaChangelogReader implements ChangelogReader {
  constructor(private readonly reader: KafkaReader) {}

  endOffset(topic: string, partition: number): Promise<bigint> {
    return this.reader.endOffset({ topic, partition })
  }

  async read(topic: string, partition: number, fromOffset: bigint, maxRecords: number): Promise<readonly ChangelogEntry[]> {
    const entries: ChangelogEntry[] = []
    const end = await this.reader.endOffset({ topic, partition })
    const to = fromOffset + BigInt(maxRecords) < end ? fromOffset + BigInt(maxRecords) : end
    if (to <= fromOffset) return entries
    await this.reader.readRange({ topic, partition }, fromOffset, to, (records) => {
      for (const r of records) entries.push({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value })
    })
    return entries
  }
}
