import type { BrokerContext } from './broker-context.js'
import { BrokerError } from './errors.js'
import { encodeBatch, type PlainRecord } from './log/batch-writer.js'
import { isControlBatch, readBatchHeader } from './log/record-batch.js'
import { canDecode, decodeRecords } from './log/records.js'
import { validateTopicConfig } from './log/topic-config.js'

export interface StoredRecord extends PlainRecord {
  offset: number
}

const READ_CHUNK_BYTES = 1024 * 1024

/**
 * In-process access to the broker's topics, for components that live beside the broker (the
 * embedded schema registry keeps its schemas in `_schemas` this way) and so need no client.
 * Writes are stored as an acks=-1 produce's are (synced too in fsync mode 'always') before they
 * resolve, and wake long-polling fetches like a produce does.
 */
export class LocalTopics {
  constructor(private readonly ctx: BrokerContext) {}

  /** Creates `topic` unless it exists. */
  ensureTopic(topic: string, partitions: number, configs: Record<string, string> = {}): void {
    if (this.ctx.topics.get(topic) !== undefined) return
    for (const [name, value] of Object.entries(configs)) {
      const problem = validateTopicConfig(name, value)
      if (problem !== null) throw new BrokerError(`Cannot create topic "${topic}": ${problem}`)
    }
    this.ctx.topics.create(topic, partitions, configs)
  }

  private log(topic: string, partition: number) {
    const log = this.ctx.topics.partition(topic, partition)
    if (log === undefined) throw new BrokerError(`Topic "${topic}" has no partition ${partition}; create it first.`)
    return log
  }

  /** Appends `records` as one batch and resolves with the offset of the first once it is stored as the broker's durability asks. */
  async append(topic: string, partition: number, records: readonly PlainRecord[]): Promise<number> {
    if (this.ctx.closing) throw new BrokerError('The broker is closing; the records were not written.')
    const log = this.log(topic, partition)
    const result = log.append(encodeBatch(records), this.ctx.now())
    if (result.errorCode !== 0) throw new BrokerError(`Appending to ${topic}-${partition} failed with Kafka error ${result.errorCode}.`)
    this.ctx.fetchWaiters.notify(topic, partition)
    const sync = this.ctx.durability.fsync === 'always' ? log.flush() : result.sync
    if (sync !== undefined) await sync
    return result.baseOffset
  }

  /** Every record of the partition from `fromOffset` on (uncompressed and gzip batches). */
  read(topic: string, partition: number, fromOffset = 0): StoredRecord[] {
    const log = this.log(topic, partition)
    const out: StoredRecord[] = []
    let offset = Math.max(fromOffset, log.logStartOffset)
    while (offset < log.nextOffset) {
      const { records } = log.read(offset, READ_CHUNK_BYTES, true)
      if (records === null) break
      let pos = 0
      while (pos < records.length) {
        const header = readBatchHeader(records, pos, false)
        if (typeof header === 'string') break
        const batch = records.subarray(pos, pos + header.size)
        pos += header.size
        const base = Number(header.baseOffset)
        offset = base + header.lastOffsetDelta + 1
        if (!canDecode(header.attributes) || isControlBatch(header.attributes)) continue
        for (const r of decodeRecords(batch)) {
          const recordOffset = base + r.offsetDelta
          if (recordOffset < fromOffset) continue
          out.push({ offset: recordOffset, key: r.key, value: r.value, timestamp: header.baseTimestamp + r.timestampDelta })
        }
      }
    }
    return out
  }
}
