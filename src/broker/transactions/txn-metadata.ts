import type { OffsetCommitEntry } from '../groups/index.js'

/**
 * States of a transactional id, as in Kafka's TransactionState. Prepare states are persisted
 * before markers are written, so a broker that dies half-way finishes the job on restart.
 */
export type TxnState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort'

export interface TxnPartition {
  topic: string
  partition: number
}

/** Offsets committed inside the transaction, per consumer group, applied only on commit. */
export interface PendingGroupOffsets {
  groupId: string
  entries: OffsetCommitEntry[]
}

/** What the coordinator knows of one transactional id (Kafka's TransactionMetadata). */
export interface TxnMetadata {
  transactionalId: string
  producerId: bigint
  producerEpoch: number
  timeoutMs: number
  state: TxnState
  partitions: TxnPartition[]
  /** Consumer groups added with AddOffsetsToTxn. */
  groups: string[]
  pendingOffsets: PendingGroupOffsets[]
  /** When the current transaction started (first AddPartitionsToTxn/AddOffsetsToTxn), -1 when none is open. */
  txnStartTimestamp: number
  lastUpdateTimestamp: number
}

export function hasPartition(meta: TxnMetadata, topic: string, partition: number): boolean {
  return meta.partitions.some((p) => p.topic === topic && p.partition === partition)
}

/** The record of the transaction log: the whole metadata of one id, the latest one wins. */
export function encodeTxnRecord(meta: TxnMetadata): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: meta.transactionalId,
      pid: meta.producerId.toString(),
      e: meta.producerEpoch,
      to: meta.timeoutMs,
      s: meta.state,
      ps: meta.partitions.map((p) => [p.topic, p.partition]),
      gs: meta.groups,
      po: meta.pendingOffsets.map((g) => ({
        g: g.groupId,
        es: g.entries.map((e) => [e.topic, e.partition, e.committed.offset.toString(), e.committed.leaderEpoch, e.committed.metadata, e.committed.commitTimestamp]),
      })),
      st: meta.txnStartTimestamp,
      lu: meta.lastUpdateTimestamp,
    }),
    'utf8',
  )
}

const STATES = new Set<string>(['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort'])

/** Returns null for a record this version cannot read (the caller skips it). */
export function decodeTxnRecord(payload: Buffer): TxnMetadata | null {
  try {
    const r = JSON.parse(payload.toString('utf8')) as Record<string, unknown>
    if (typeof r.id !== 'string' || typeof r.pid !== 'string' || typeof r.s !== 'string' || !STATES.has(r.s)) return null
    const partitions = (r.ps as Array<[string, number]>).map(([topic, partition]) => ({ topic, partition }))
    const pendingOffsets = (r.po as Array<{ g: string; es: Array<[string, number, string, number, string | null, number]> }>).map((g) => ({
      groupId: g.g,
      entries: g.es.map(([topic, partition, offset, leaderEpoch, metadata, commitTimestamp]) => ({
        topic,
        partition,
        committed: { offset: BigInt(offset), leaderEpoch, metadata, commitTimestamp },
      })),
    }))
    return {
      transactionalId: r.id,
      producerId: BigInt(r.pid),
      producerEpoch: r.e as number,
      timeoutMs: r.to as number,
      state: r.s as TxnState,
      partitions,
      groups: r.gs as string[],
      pendingOffsets,
      txnStartTimestamp: r.st as number,
      lastUpdateTimestamp: r.lu as number,
    }
  } catch {
    return null
  }
}
