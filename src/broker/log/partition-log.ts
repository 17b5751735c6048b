import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import type { BrokerLogger } from '../logger.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { encodeMarker, markerType, type MarkerSpec } from './control-batch.js'
import { FlushSchedule } from './flush-schedule.js'
import { PartitionTransactions } from './partition-transactions.js'
import { isControlBatch, isTransactional, readBatchHeader, setBaseOffset, stampLogAppendTime, type BatchHeader } from './record-batch.js'
import { ProducerState } from './producer-state.js'
import { canDecode, decodeRecords } from './records.js'
import { Segment } from './segment.js'
import type { LogConfig } from './topic-config.js'

export interface AppendResult {
  errorCode: number
  baseOffset: number
  logAppendTime: number
  /** The sync this append made due under flush.messages (shared with other waiters); absent when none. */
  sync?: Promise<void>
}

export interface ReadResult {
  errorCode: number
  records: Buffer | null
}

const START_OFFSET_FILE = 'log-start-offset'

/**
 * The leader epoch of every partition: one broker has led it since it was created. Kafka stamps
 * its leader's epoch into every batch it appends; so does this log, so that the epochs consumers
 * read back (and send as Fetch v12+'s last fetched epoch) agree with Metadata's.
 */
export const LEADER_EPOCH = 0

/**
 * The log of one partition: a list of segments, the last one active. Appends are synchronous
 * writes (the bytes reach the OS page cache before the producer is answered, so a killed broker
 * process loses nothing acknowledged); `flush` adds an fdatasync, shared by every caller that
 * waits on it (group commit). The broker asks for one before answering acks=-1 in fsync mode
 * 'always'; the log asks for one itself when the topic's flush.messages or flush.ms say so.
 */
export class PartitionLog {
  segments: Segment[] = []
  logStartOffset = 0
  /** Active segment base and time of the last compaction, so unchanged logs are not re-read. */
  compactionMark = { activeBase: -1, at: 0 }
  private readonly producers = new ProducerState()
  /** Open and aborted transactions, for the last stable offset and read_committed fetches. */
  readonly transactions = new PartitionTransactions()
  private inFlight: Promise<void> | null = null
  private queued: Promise<void> | null = null
  private closed = false
  private readonly flushSchedule = new FlushSchedule(() => void this.scheduledSync())
  /** The last sync the schedule asked for, so that a failure of it is logged once. */
  private lastScheduledSync: Promise<void> | null = null

  constructor(
    readonly dir: string,
    public config: LogConfig,
    private readonly logger: BrokerLogger,
    now: number,
  ) {
    mkdirSync(dir, { recursive: true })
    const bases = readdirSync(dir)
      .filter((f) => {
        if (f.endsWith('.cleaned')) unlinkSync(join(dir, f)) // a compaction that did not finish
        return f.endsWith('.log')
      })
      .map((f) => Number(f.slice(0, -4)))
      .sort((a, b) => a - b)
    // Transactional batches are replayed once every segment is open: a marker's type is in its
    // record, read back through the recovered index.
    const transactional: BatchHeader[] = []
    const rememberProducer = (h: BatchHeader): void => {
      if (isTransactional(h.attributes)) transactional.push(h)
      if (!isControlBatch(h.attributes)) this.producers.record(h.producerId, h.producerEpoch, h.baseSequence, h.lastOffsetDelta + 1, Number(h.baseOffset))
    }
    for (const base of bases) this.segments.push(Segment.recover(dir, base, now, logger, rememberProducer))
    if (this.segments.length === 0) this.segments.push(Segment.create(dir, 0, now))
    for (const h of transactional) {
      const offset = Number(h.baseOffset)
      if (!isControlBatch(h.attributes)) {
        this.transactions.onData(h.producerId, offset)
        continue
      }
      const batch = this.read(offset, 0, true).records
      if (batch === null) continue
      this.producers.fence(h.producerId, h.producerEpoch)
      this.transactions.onMarker(h.producerId, markerType(batch), offset)
    }
    const startFile = join(dir, START_OFFSET_FILE)
    const persisted = existsSync(startFile) ? Number(readFileSync(startFile, 'utf8')) : 0
    this.logStartOffset = Math.max(persisted, this.segments[0].baseOffset)
    if (this.logStartOffset > this.nextOffset) this.logStartOffset = this.nextOffset
    this.transactions.dropBefore(this.logStartOffset)
  }

  get active(): Segment {
    return this.segments[this.segments.length - 1]
  }

  /** The high watermark: with one replica, every appended record is committed. */
  get nextOffset(): number {
    return this.active.nextOffset
  }

  /** Kafka's last stable offset: the first offset of the oldest open transaction, else the high watermark. */
  get lastStableOffset(): number {
    return this.transactions.lastStableOffset(this.nextOffset)
  }

  /** The epoch this partition last saw from an idempotent or transactional producer, -1 if none. */
  producerEpoch(producerId: bigint): number {
    return this.producers.epochOf(producerId)
  }

  get sizeInBytes(): number {
    let total = 0
    for (const s of this.segments) total += s.size
    return total
  }

  /**
   * Validates and appends the record batches of one produce request. The batches are written as
   * sent except for the base offset, the leader epoch (and max timestamp for log-append-time topics).
   */
  append(records: Buffer, now: number): AppendResult {
    const batches: Array<{ pos: number; size: number; count: number; header: BatchHeader }> = []
    let pos = 0
    while (pos < records.length) {
      const header = readBatchHeader(records, pos, true)
      if (typeof header === 'string') {
        this.logger.debug('rejecting produced records', { reason: header, log: this.dir })
        return { errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1, logAppendTime: -1 }
      }
      // Offsets are assigned from lastOffsetDelta: a producer's batch holds exactly that many + 1.
      if (header.lastOffsetDelta < 0 || header.recordCount !== header.lastOffsetDelta + 1) {
        this.logger.debug('rejecting produced records', { reason: 'record count does not match last offset delta', log: this.dir })
        return { errorCode: ErrorCode.INVALID_RECORD, baseOffset: -1, logAppendTime: -1 }
      }
      // header.size is the batch with its offset and length fields: Kafka's sizeInBytes.
      if (header.size > this.config.maxMessageBytes) {
        this.logger.debug('rejecting produced records', { reason: `batch of ${header.size} bytes over max.message.bytes ${this.config.maxMessageBytes}`, log: this.dir })
        return { errorCode: ErrorCode.MESSAGE_TOO_LARGE, baseOffset: -1, logAppendTime: -1 }
      }
      if (isControlBatch(header.attributes)) {
        // Only the transaction coordinator writes markers (Kafka refuses them from clients too).
        this.logger.debug('rejecting produced records', { reason: 'control batch from a client', log: this.dir })
        return { errorCode: ErrorCode.INVALID_RECORD, baseOffset: -1, logAppendTime: -1 }
      }
      batches.push({ pos, size: header.size, count: header.lastOffsetDelta + 1, header })
      pos += header.size
    }
    if (batches.length === 0) return { errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1, logAppendTime: -1 }
    let baseOffset = -1
    let syncDue = false
    for (const b of batches) {
      const { producerId, producerEpoch, baseSequence } = b.header
      const check = this.producers.check(producerId, producerEpoch, baseSequence, b.count)
      if (check.kind === 'reject') return { errorCode: check.errorCode, baseOffset: -1, logAppendTime: -1 }
      if (check.kind === 'duplicate') {
        // A retry of a batch already in the log: answer with its offset, write nothing.
        if (baseOffset === -1) baseOffset = check.baseOffset
        continue
      }
      this.maybeRoll(b.size, now)
      const base = this.nextOffset
      if (baseOffset === -1) baseOffset = base
      this.producers.record(producerId, producerEpoch, baseSequence, b.count, base)
      setBaseOffset(records, b.pos, base)
      records.writeInt32BE(LEADER_EPOCH, b.pos + 12) // outside the CRC, which starts at the attributes
      if (this.config.logAppendTime) stampLogAppendTime(records, b.pos, b.size, now)
      const maxTs = Number(records.readBigInt64BE(b.pos + 35))
      this.active.append(records, b.pos, b.size, base, base + b.count - 1, maxTs)
      if (isTransactional(b.header.attributes)) this.transactions.onData(producerId, base)
      syncDue = this.flushSchedule.appended(b.count, this.config) || syncDue
    }
    const result: AppendResult = { errorCode: ErrorCode.NONE, baseOffset, logAppendTime: this.config.logAppendTime ? now : -1 }
    if (syncDue) result.sync = this.scheduledSync()
    return result
  }

  /**
   * Appends a COMMIT or ABORT marker for the producer's transaction and returns its offset. The
   * marker's epoch becomes the producer's epoch here, so a fenced producer's late writes fail.
   */
  appendMarker(spec: MarkerSpec, now: number): number {
    const batch = encodeMarker(spec)
    this.maybeRoll(batch.length, now)
    const offset = this.nextOffset
    setBaseOffset(batch, 0, offset)
    this.active.append(batch, 0, batch.length, offset, offset, spec.timestamp)
    this.producers.fence(spec.producerId, spec.producerEpoch)
    this.transactions.onMarker(spec.producerId, spec.type, offset)
    if (this.flushSchedule.appended(1, this.config)) void this.scheduledSync()
    return offset
  }

  private maybeRoll(nextBatchSize: number, now: number): void {
    const active = this.active
    if (active.size === 0) return
    const full = active.size + nextBatchSize > this.config.segmentBytes
    const old = this.config.segmentMs >= 0 && now - active.createdAt >= this.config.segmentMs
    if (full || old) this.roll(now)
  }

  /** Seals the active segment (made durable first) and opens a new one at the next offset. */
  roll(now: number): void {
    const active = this.active
    // Synchronous: a later flush() only syncs the new active segment, so the sealed one must
    // already be durable for that flush (fsync 'always', flush.messages, flush.ms, a clean close)
    // to cover every append before it. Rolls are rare.
    active.syncNow()
    this.flushSchedule.synced()
    this.segments.push(Segment.create(this.dir, active.nextOffset, now))
  }

  /** Messages appended since the last sync was asked for (flush.messages counts these). */
  get unsyncedMessages(): number {
    return this.flushSchedule.unsyncedMessages
  }

  /** A sync that flush.messages or flush.ms made due: a failure is logged here, and given to whoever awaits it. */
  private scheduledSync(): Promise<void> {
    const sync = this.flush()
    if (sync !== this.lastScheduledSync) {
      this.lastScheduledSync = sync
      sync.catch((error: unknown) => this.logger.error('fdatasync of a partition log failed', { log: this.dir, error: error instanceof Error ? error.message : String(error) }))
    }
    return sync
  }

  /** Makes every append so far durable (fdatasync); concurrent callers share one sync. */
  flush(): Promise<void> {
    // Whatever is returned below starts its sync after this point, so it covers every append so far.
    this.flushSchedule.synced()
    if (this.queued !== null) return this.queued
    const start = (): Promise<void> => {
      const p = new Promise<void>((resolve, reject) => {
        if (this.closed) return resolve()
        this.active.sync((err) => (err === null ? resolve() : reject(err)))
      }).finally(() => {
        this.inFlight = null
      })
      this.inFlight = p
      return p
    }
    if (this.inFlight === null) return start()
    this.queued = this.inFlight.then(
      () => {
        this.queued = null
        return start()
      },
      () => {
        this.queued = null
        return start()
      },
    )
    return this.queued
  }

  /** Whole batches from `offset`, up to `maxBytes`, none starting at or after `endOffset` (the LSO for read_committed). */
  read(offset: number, maxBytes: number, minOneBatch: boolean, endOffset = Number.MAX_SAFE_INTEGER): ReadResult {
    if (offset < this.logStartOffset || offset > this.nextOffset) {
      return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: null }
    }
    for (const segment of this.segments) {
      if (segment.nextOffset <= offset) continue
      const records = segment.read(offset, maxBytes, minOneBatch, endOffset)
      if (records !== null) return { errorCode: ErrorCode.NONE, records }
    }
    return { errorCode: ErrorCode.NONE, records: null }
  }

  /**
   * ListOffsets by time: the offset of the first record whose timestamp is >= `timestamp`, or -1
   * when there is none. Batches are located by their max timestamp; inside a batch the records
   * are read when the codec allows (none, gzip), else the batch's first offset is the answer.
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } {
    for (const segment of this.segments) {
      for (let i = 0; i < segment.batchCount; i++) {
        if (segment.batchMaxTs[i] < timestamp || segment.batchLast[i] < this.logStartOffset) continue
        const base = segment.batchBase[i]
        const fallback = { offset: Math.max(base, this.logStartOffset), timestamp: segment.batchMaxTs[i] }
        const batch = segment.read(base, 0, true)
        if (batch === null) return fallback
        const attributes = batch.readInt16BE(21)
        if (!canDecode(attributes) || (attributes & 0x08) !== 0) return fallback // log-append time: one timestamp per batch
        const baseTimestamp = Number(batch.readBigInt64BE(27))
        for (const record of decodeRecords(batch)) {
          const offset = base + record.offsetDelta
          const ts = baseTimestamp + record.timestampDelta
          if (ts >= timestamp && offset >= this.logStartOffset) return { offset, timestamp: ts }
        }
        return fallback
      }
    }
    return { offset: -1, timestamp: -1 }
  }

  /**
   * ListOffsets MAX_TIMESTAMP (KIP-734), as Kafka finds it: the first batch with the largest max
   * timestamp, then its first record with that timestamp. Every record of a log-append-time batch
   * has it; in a batch the broker cannot open (snappy, lz4, zstd) the batch's first offset answers.
   */
  offsetOfMaxTimestamp(): { offset: number; timestamp: number } {
    let found: { segment: Segment; index: number } | undefined
    for (const segment of this.segments) {
      for (let i = 0; i < segment.batchCount; i++) {
        if (segment.batchLast[i] < this.logStartOffset) continue
        if (found === undefined || segment.batchMaxTs[i] > found.segment.batchMaxTs[found.index]) found = { segment, index: i }
      }
    }
    if (found === undefined) return { offset: -1, timestamp: -1 }
    const base = found.segment.batchBase[found.index]
    const maxTs = found.segment.batchMaxTs[found.index]
    const first = { offset: Math.max(base, this.logStartOffset), timestamp: maxTs }
    const batch = found.segment.read(base, 0, true)
    if (batch === null) return first
    const attributes = batch.readInt16BE(21)
    if (!canDecode(attributes) || (attributes & 0x08) !== 0) return first
    const baseTimestamp = Number(batch.readBigInt64BE(27))
    for (const record of decodeRecords(batch)) {
      const offset = base + record.offsetDelta
      if (baseTimestamp + record.timestampDelta === maxTs && offset >= this.logStartOffset) return { offset, timestamp: maxTs }
    }
    return first
  }

  /** DeleteRecords: moves the log start offset and drops segments wholly below it. */
  deleteRecordsBefore(offset: number): void {
    if (offset <= this.logStartOffset) return
    this.logStartOffset = offset
    this.persistStartOffset()
    this.transactions.dropBefore(offset)
    while (this.segments.length > 1 && this.segments[1].baseOffset <= offset) {
      this.segments.shift()?.delete()
    }
  }

  private persistStartOffset(): void {
    const file = join(this.dir, START_OFFSET_FILE)
    writeFileSync(file + '.tmp', String(this.logStartOffset))
    renameSync(file + '.tmp', file)
  }

  /** Drops the oldest segments, used by retention; the active segment is rolled first if needed. */
  dropOldestSegments(count: number, now: number): void {
    if (count <= 0) return
    if (count >= this.segments.length) {
      this.roll(now)
      count = this.segments.length - 1
    }
    for (let i = 0; i < count; i++) this.segments.shift()?.delete()
    if (this.segments[0].baseOffset > this.logStartOffset) {
      this.logStartOffset = this.segments[0].baseOffset
      this.persistStartOffset()
      this.transactions.dropBefore(this.logStartOffset)
    }
  }

  replaceSegment(index: number, data: Buffer, now: number): void {
    this.segments[index] = Segment.replace(this.segments[index], data, now, this.logger)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.flushSchedule.stop()
    for (const s of this.segments) s.close()
  }

  /** Closes the log and removes its files (topic deletion). */
  destroy(): void {
    this.close()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
