import { Writer } from '../protocol/primitives.js'
import type { PartitionLog } from './partition-log.js'
import { BATCH_HEADER_SIZE, isControlBatch, isTransactional, readBatchHeader, refreshCrc } from './record-batch.js'
import { canDecode, decodeRecords, type RecordView } from './records.js'

/**
 * Log compaction for `cleanup.policy=compact`: keeps the latest record per key in the sealed
 * segments (the active one is never rewritten), and drops tombstones once they are older than
 * `delete.retention.ms`, so a consumer reading from offset 0 still sees every deletion for that
 * long. Offsets never change: kept records keep their offsets and batches their base offsets.
 * Batches in codecs Node cannot open (snappy, lz4, zstd) are kept whole.
 *
 * Transactions, as Kafka's cleaner handles them: nothing at or above the last stable offset is
 * cleaned or counted (an open transaction may still abort), records of aborted transactions are
 * removed and never shadow a committed record of the same key, and markers are kept.
 */
const RECHECK_MS = 10 * 60 * 1000

export function compactLog(log: PartitionLog, now: number, force = false): number {
  if (!log.config.compact || log.segments.length < 2) return 0
  // Nothing sealed since the last pass: only expiring tombstones could change, so look again
  // only now and then.
  const mark = log.compactionMark
  if (!force && mark.activeBase === log.active.baseOffset && now - mark.at < RECHECK_MS) return 0
  log.compactionMark = { activeBase: log.active.baseOffset, at: now }
  // Sealed segments whose newest record is still inside min.compaction.lag.ms stay dirty.
  let cleanable = 0
  const stable = log.lastStableOffset
  const segs = log.segments
  while (cleanable < segs.length - 1 && segs[cleanable].maxTimestamp <= now - log.config.minCompactionLagMs && segs[cleanable].nextOffset <= stable) cleanable++
  if (cleanable === 0) return 0
  const aborted = (batch: Buffer, base: number): boolean => isTransactional(batch.readInt16BE(21)) && log.transactions.isAborted(batch.readBigInt64BE(43), base)

  const latest = new Map<string, number>()
  for (const segment of log.segments) {
    forEachBatch(segment.readAll(), (batch, base) => {
      const attributes = batch.readInt16BE(21)
      if (base >= stable || isControlBatch(attributes) || !canDecode(attributes) || aborted(batch, base)) return
      for (const record of decodeRecords(batch)) {
        if (record.key !== null) latest.set(record.key.toString('latin1'), base + record.offsetDelta)
      }
    })
  }

  let removed = 0
  for (let i = 0; i < cleanable; i++) {
    const segment = log.segments[i]
    const parts: Buffer[] = []
    let changed = false
    forEachBatch(segment.readAll(), (batch, base) => {
      const attributes = batch.readInt16BE(21)
      if (!isControlBatch(attributes) && aborted(batch, base)) {
        removed += batch.readInt32BE(57)
        changed = true
        return
      }
      if (isControlBatch(attributes) || !canDecode(attributes)) {
        parts.push(batch)
        return
      }
      const baseTimestamp = Number(batch.readBigInt64BE(27))
      const records = decodeRecords(batch)
      const kept = records.filter((r) => keep(r, base, baseTimestamp, latest, now, log.config.deleteRetentionMs))
      removed += records.length - kept.length
      if (kept.length === records.length && (attributes & 0x07) === 0) {
        parts.push(batch)
        return
      }
      changed = true
      if (kept.length > 0) parts.push(rebuildBatch(batch, kept))
    })
    if (changed) log.replaceSegment(i, Buffer.concat(parts), now)
  }
  return removed
}

function keep(r: RecordView, base: number, baseTimestamp: number, latest: Map<string, number>, now: number, deleteRetentionMs: number): boolean {
  if (r.key === null) return true
  if (latest.get(r.key.toString('latin1')) !== base + r.offsetDelta) return false
  if (r.isTombstone) return baseTimestamp + r.timestampDelta > now - deleteRetentionMs
  return true
}

function forEachBatch(data: Buffer, visit: (batch: Buffer, base: number) => void): void {
  let pos = 0
  while (pos < data.length) {
    const header = readBatchHeader(data, pos, false)
    if (typeof header === 'string') return
    visit(data.subarray(pos, pos + header.size), Number(header.baseOffset))
    pos += header.size
  }
}

/** A copy of `batch` holding only `kept` records, uncompressed, with a fresh CRC. */
function rebuildBatch(batch: Buffer, kept: RecordView[]): Buffer {
  const w = new Writer(BATCH_HEADER_SIZE + kept.reduce((n, r) => n + r.raw.length, 0))
  w.raw(batch.subarray(0, BATCH_HEADER_SIZE))
  for (const r of kept) w.raw(r.raw)
  const out = w.toBuffer()
  out.writeInt32BE(out.length - 12, 8)
  out.writeInt16BE(batch.readInt16BE(21) & ~0x07, 21)
  out.writeInt32BE(kept.length, 57)
  refreshCrc(out, 0, out.length)
  return out
}
