import { ControlType } from './control-batch.js'

/** An aborted transaction of one partition: its first data offset and the offset of its abort marker. */
export interface AbortedTxn {
  producerId: bigint
  firstOffset: number
  lastOffset: number
}

/**
 * The transactions of one partition, as Kafka's ProducerStateManager and transaction index keep
 * them: the first offset of each open transaction (which bounds the last stable offset) and the
 * range of every aborted one (which read_committed consumers are told to skip). Rebuilt from the
 * log on start: transactional data batches open a transaction, markers close it.
 */
export class PartitionTransactions {
  private readonly open = new Map<bigint, number>()
  private readonly aborted: AbortedTxn[] = []

  /** A transactional data batch was appended at `offset`. */
  onData(producerId: bigint, offset: number): void {
    if (!this.open.has(producerId)) this.open.set(producerId, offset)
  }

  /** A marker was appended at `offset`; a marker without an open transaction changes nothing. */
  onMarker(producerId: bigint, type: number, offset: number): void {
    const first = this.open.get(producerId)
    if (first === undefined) return
    this.open.delete(producerId)
    if (type === ControlType.ABORT) this.aborted.push({ producerId, firstOffset: first, lastOffset: offset })
  }

  isOpen(producerId: bigint): boolean {
    return this.open.has(producerId)
  }

  openProducers(): bigint[] {
    return [...this.open.keys()]
  }

  /** The first offset of the oldest open transaction, else `highWatermark`. */
  lastStableOffset(highWatermark: number): number {
    let lso = highWatermark
    for (const first of this.open.values()) if (first < lso) lso = first
    return lso
  }

  /** Aborted transactions overlapping [from, to): what a read_committed fetch of that range must skip. */
  abortedOverlapping(from: number, to: number): AbortedTxn[] {
    const out: AbortedTxn[] = []
    for (let i = this.firstEndingAtOrAfter(from); i < this.aborted.length; i++) {
      if (this.aborted[i].firstOffset < to) out.push(this.aborted[i])
    }
    return out
  }

  /** Whether the record at `offset` of `producerId` belongs to an aborted transaction. */
  isAborted(producerId: bigint, offset: number): boolean {
    for (let i = this.firstEndingAtOrAfter(offset + 1); i < this.aborted.length; i++) {
      const a = this.aborted[i]
      if (a.producerId === producerId && a.firstOffset <= offset) return true
    }
    return false
  }

  /** Aborted transactions are kept in marker order: the first whose marker is at or after `offset`. */
  private firstEndingAtOrAfter(offset: number): number {
    let lo = 0
    let hi = this.aborted.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.aborted[mid].lastOffset < offset) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Forgets aborted transactions wholly below the log start offset (their data is gone). */
  dropBefore(logStartOffset: number): void {
    let keep = 0
    for (const a of this.aborted) if (a.lastOffset >= logStartOffset) this.aborted[keep++] = a
    this.aborted.length = keep
  }
}
