import { join } from 'node:path'
import { CoordinatorLog } from '../groups/coordinator-log.js'
import { DEFAULT_DURABILITY, type LogDurability } from '../log/durability.js'
import type { BrokerLogger } from '../logger.js'
import { decodeTxnRecord, encodeTxnRecord, type TxnMetadata } from './txn-metadata.js'

/** Rewrite the log once it holds this many records and four times what the live state needs. */
const COMPACT_AFTER_RECORDS = 1000
const COMPACTION_RATIO = 4

/**
 * The transaction log, the embedded counterpart of Kafka's `__transaction_state` topic: one
 * checksummed record per state change of a transactional id, replayed on start (the latest
 * record of each id wins) and compacted to the live state now and then. Synced as `durability`
 * says, like any log.
 */
export class TxnStore {
  private readonly log: CoordinatorLog
  private readonly latest = new Map<string, TxnMetadata>()
  private recordsInLog = 0
  private compacting = false

  constructor(dataDir: string, private readonly logger: BrokerLogger, durability: LogDurability = DEFAULT_DURABILITY) {
    this.log = new CoordinatorLog(join(dataDir, '__transaction_state', 'transactions.log'), logger, durability)
  }

  async load(): Promise<TxnMetadata[]> {
    const payloads = await this.log.open()
    let skipped = 0
    for (const payload of payloads) {
      const meta = decodeTxnRecord(payload)
      if (meta === null) skipped++
      else this.latest.set(meta.transactionalId, meta)
    }
    if (skipped > 0) this.logger.warn('skipped unreadable transaction log records', { skipped })
    this.recordsInLog = payloads.length
    return [...this.latest.values()]
  }

  /** Resolves once the new metadata is stored (written, and synced if the durability asks). */
  async write(meta: TxnMetadata): Promise<void> {
    await this.log.append([encodeTxnRecord(meta)], () => {
      this.latest.set(meta.transactionalId, meta)
      this.recordsInLog++
    })
    if (!this.compacting && this.recordsInLog >= Math.max(COMPACT_AFTER_RECORDS, COMPACTION_RATIO * this.latest.size)) {
      this.compacting = true
      this.log
        .rewrite(() => {
          this.recordsInLog = this.latest.size
          return [...this.latest.values()].map(encodeTxnRecord)
        })
        .catch(() => undefined) // the log reported it; the uncompacted file stays correct
        .finally(() => (this.compacting = false))
    }
  }

  /** Writes waiting in the log or being made durable. */
  get queuedWrites(): number {
    return this.log.queuedOperations
  }

  close(): Promise<void> {
    return this.log.close()
  }
}
