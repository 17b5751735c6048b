import { ErrorCode } from '../protocol/error-codes.js'

/** What to do with a batch from an idempotent producer. */
export type SequenceCheck = { kind: 'append' } | { kind: 'duplicate'; baseOffset: number } | { kind: 'reject'; errorCode: number }

interface AppendedBatch {
  firstSeq: number
  lastSeq: number
  baseOffset: number
}

interface ProducerEntry {
  epoch: number
  /** The last batches appended, newest last: a retry of any of them is answered, not re-appended. */
  recent: AppendedBatch[]
}

/** Kafka keeps five in-flight batches per producer and partition; a retry can be any of them. */
const RECENT_BATCHES = 5
const MAX_SEQ = 0x7fffffff

function nextSeq(seq: number): number {
  return seq === MAX_SEQ ? 0 : seq + 1
}

/**
 * Sequence bookkeeping of idempotent producers for one partition, so a retried batch (same
 * producer, epoch and sequence range) is not written twice and a gap is refused. Rebuilt from the
 * batch headers when the log is recovered.
 */
export class ProducerState {
  private readonly producers = new Map<bigint, ProducerEntry>()

  check(producerId: bigint, epoch: number, firstSeq: number, recordCount: number): SequenceCheck {
    if (producerId < 0n || firstSeq < 0) return { kind: 'append' }
    const entry = this.producers.get(producerId)
    if (entry === undefined) return { kind: 'append' }
    if (epoch < entry.epoch) return { kind: 'reject', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH }
    if (epoch > entry.epoch) return firstSeq === 0 ? { kind: 'append' } : { kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER }
    const lastSeq = (firstSeq + recordCount - 1) % (MAX_SEQ + 1)
    const duplicate = entry.recent.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq)
    if (duplicate !== undefined) return { kind: 'duplicate', baseOffset: duplicate.baseOffset }
    const last = entry.recent[entry.recent.length - 1]
    if (last !== undefined && firstSeq !== nextSeq(last.lastSeq)) return { kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER }
    return { kind: 'append' }
  }

  /**
   * A transaction marker with this epoch was written: a newer epoch replaces the producer's
   * entry (its sequences start over), so writes from an older epoch are refused from now on.
   */
  fence(producerId: bigint, epoch: number): void {
    const entry = this.producers.get(producerId)
    if (entry === undefined || epoch > entry.epoch) this.producers.set(producerId, { epoch, recent: [] })
  }

  /** The producer's current epoch on this partition, -1 when it never wrote here. */
  epochOf(producerId: bigint): number {
    return this.producers.get(producerId)?.epoch ?? -1
  }

  record(producerId: bigint, epoch: number, firstSeq: number, recordCount: number, baseOffset: number): void {
    if (producerId < 0n || firstSeq < 0) return
    let entry = this.producers.get(producerId)
    if (entry === undefined || epoch !== entry.epoch) {
      entry = { epoch, recent: [] }
      this.producers.set(producerId, entry)
    }
    entry.recent.push({ firstSeq, lastSeq: (firstSeq + recordCount - 1) % (MAX_SEQ + 1), baseOffset })
    if (entry.recent.length > RECENT_BATCHES) entry.recent.shift()
  }
}
