import { closeSync, constants, fstatSync, fdatasync, fdatasyncSync, ftruncateSync, openSync, readSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { BrokerLogger } from '../logger.js'
import { publishLogSync } from './log-sync-channel.js'
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, readBatchHeader, type BatchHeader, type BatchProblem } from './record-batch.js'

/**
 * One segment of a partition log: `<baseOffset>.log` holds record batches exactly as produced
 * (with broker-assigned base offsets), `<baseOffset>.index` one entry per batch (offset relative
 * to the segment base, file position). The batch index also lives in memory, so reads never scan.
 */
export class Segment {
  readonly logPath: string
  readonly indexPath: string
  private fd: number
  private indexFd: number
  size = 0
  /** Base offset, last offset, position, size and max timestamp of every batch, in order. */
  readonly batchBase: number[] = []
  readonly batchLast: number[] = []
  readonly batchPos: number[] = []
  readonly batchSize: number[] = []
  readonly batchMaxTs: number[] = []
  readonly createdAt: number

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    now: number,
  ) {
    const name = String(baseOffset).padStart(20, '0')
    this.logPath = join(dir, `${name}.log`)
    this.indexPath = join(dir, `${name}.index`)
    const flags = constants.O_RDWR | constants.O_CREAT
    this.fd = openSync(this.logPath, flags, 0o644)
    this.indexFd = openSync(this.indexPath, flags, 0o644)
    this.createdAt = now
  }

  static create(dir: string, baseOffset: number, now: number): Segment {
    const segment = new Segment(dir, baseOffset, now)
    ftruncateSync(segment.indexFd, 0)
    return segment
  }

  /**
   * Opens an existing segment and validates every batch (length, magic, CRC, offsets in order).
   * Everything from the first invalid batch on is a torn or corrupt write: it is cut off, since
   * it was never acknowledged as durable.
   */
  static recover(dir: string, baseOffset: number, now: number, logger: BrokerLogger, onBatch?: (header: BatchHeader) => void): Segment {
    const segment = new Segment(dir, baseOffset, now)
    const window = new FileWindow(segment.fd)
    let pos = 0
    let expected = baseOffset
    while (pos < window.fileSize) {
      const header = window.batchAt(pos)
      if (typeof header === 'string' || Number(header.baseOffset) < expected) {
        const reason = typeof header === 'string' ? header : 'offset-out-of-order'
        logger.warn('truncating torn segment tail', { segment: segment.logPath, position: pos, bytes: window.fileSize - pos, reason })
        ftruncateSync(segment.fd, pos)
        break
      }
      onBatch?.(header)
      const base = Number(header.baseOffset)
      segment.track(base, base + header.lastOffsetDelta, pos, header.size, header.maxTimestamp)
      expected = base + header.lastOffsetDelta + 1
      pos += header.size
    }
    segment.size = pos
    segment.rewriteIndex()
    return segment
  }

  private track(base: number, last: number, pos: number, size: number, maxTs: number): void {
    this.batchBase.push(base)
    this.batchLast.push(last)
    this.batchPos.push(pos)
    this.batchSize.push(size)
    this.batchMaxTs.push(maxTs)
  }

  private rewriteIndex(): void {
    const entries = Buffer.allocUnsafe(this.batchBase.length * 8)
    for (let i = 0; i < this.batchBase.length; i++) {
      entries.writeInt32BE(this.batchBase[i] - this.baseOffset, i * 8)
      entries.writeInt32BE(this.batchPos[i], i * 8 + 4)
    }
    ftruncateSync(this.indexFd, 0)
    if (entries.length > 0) writeSync(this.indexFd, entries, 0, entries.length, 0)
  }

  get batchCount(): number {
    return this.batchBase.length
  }

  /** The offset after the last batch, or the base offset when empty. */
  get nextOffset(): number {
    const n = this.batchLast.length
    return n === 0 ? this.baseOffset : this.batchLast[n - 1] + 1
  }

  get maxTimestamp(): number {
    let max = -1
    for (const ts of this.batchMaxTs) if (ts > max) max = ts
    return max
  }

  /** Appends one batch whose base offset has already been assigned. */
  append(data: Buffer, start: number, size: number, base: number, last: number, maxTs: number): void {
    writeSync(this.fd, data, start, size, this.size)
    const entry = Buffer.allocUnsafe(8)
    entry.writeInt32BE(base - this.baseOffset, 0)
    entry.writeInt32BE(this.size, 4)
    writeSync(this.indexFd, entry, 0, 8, this.batchBase.length * 8)
    this.track(base, last, this.size, size, maxTs)
    this.size += size
  }

  /** Index of the first batch whose last offset is >= `offset`, or batchCount. */
  findBatch(offset: number): number {
    let lo = 0
    let hi = this.batchLast.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.batchLast[mid] < offset) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /**
   * Reads whole batches starting with the one holding `offset`, up to `maxBytes`; the first batch
   * is returned even when larger (KIP-74) if `minOneBatch` is set, so a consumer can always progress.
   */
  read(offset: number, maxBytes: number, minOneBatch: boolean, endOffset = Number.MAX_SAFE_INTEGER): Buffer | null {
    const first = this.findBatch(offset)
    if (first >= this.batchCount) return null
    let bytes = 0
    let i = first
    while (i < this.batchCount && this.batchBase[i] < endOffset) {
      const size = this.batchSize[i]
      if (bytes + size > maxBytes && !(minOneBatch && i === first)) break
      bytes += size
      i++
    }
    if (bytes === 0) return null
    const out = Buffer.allocUnsafe(bytes)
    readSync(this.fd, out, 0, bytes, this.batchPos[first])
    return out
  }

  /** Reads the whole segment file (used by compaction). */
  readAll(): Buffer {
    const out = Buffer.allocUnsafe(this.size)
    if (this.size > 0) readSync(this.fd, out, 0, this.size, 0)
    return out
  }

  sync(callback: (err: NodeJS.ErrnoException | null) => void): void {
    fdatasync(this.fd, (err) => {
      if (err === null) publishLogSync(this.logPath)
      callback(err)
    })
  }

  syncNow(): void {
    fdatasyncSync(this.fd)
    publishLogSync(this.logPath)
  }

  close(): void {
    closeSync(this.fd)
    closeSync(this.indexFd)
  }

  delete(): void {
    this.close()
    unlinkSync(this.logPath)
    unlinkSync(this.indexPath)
  }

  /** Replaces this segment's content with `data` (already valid batches), via a rename. */
  static replace(segment: Segment, data: Buffer, now: number, logger: BrokerLogger): Segment {
    const tmp = segment.logPath + '.cleaned'
    writeFileSync(tmp, data)
    const fd = openSync(tmp, constants.O_RDONLY)
    try {
      fdatasyncSync(fd)
      publishLogSync(tmp)
    } finally {
      closeSync(fd)
    }
    segment.close()
    renameSync(tmp, segment.logPath)
    return Segment.recover(segment.dir, segment.baseOffset, now, logger)
  }
}

/** Reads a segment file through a sliding window, so recovery never holds a whole segment. */
class FileWindow {
  private static readonly CHUNK = 8 * 1024 * 1024
  readonly fileSize: number
  private buf = Buffer.alloc(0)
  private start = 0

  constructor(private readonly fd: number) {
    this.fileSize = fstatSync(fd).size
  }

  private ensure(pos: number, n: number): boolean {
    if (pos >= this.start && pos + n <= this.start + this.buf.length) return true
    if (n < 0 || pos + n > this.fileSize) return false
    const length = Math.min(this.fileSize - pos, Math.max(FileWindow.CHUNK, n))
    this.buf = Buffer.allocUnsafe(length)
    readSync(this.fd, this.buf, 0, length, pos)
    this.start = pos
    return true
  }

  /** The validated header (CRC included) of the batch at `pos`, or why there is none. */
  batchAt(pos: number): BatchHeader | BatchProblem {
    if (!this.ensure(pos, BATCH_HEADER_SIZE)) return 'truncated'
    const size = this.buf.readInt32BE(pos - this.start + 8) + LOG_OVERHEAD
    if (size >= BATCH_HEADER_SIZE && !this.ensure(pos, size)) return 'truncated'
    return readBatchHeader(this.buf, pos - this.start, true)
  }
}
