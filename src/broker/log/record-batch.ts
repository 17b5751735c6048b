import { crc32c } from './crc32c.js'

/**
 * Layout of a Kafka record batch (magic 2). The broker treats a batch as opaque bytes: it reads
 * the header to validate and index it and rewrites only the base offset (and, for log-append-time
 * topics, the max timestamp and CRC).
 */
export const BATCH_HEADER_SIZE = 61
export const LOG_OVERHEAD = 12 // baseOffset int64 + batchLength int32
const OFF_LENGTH = 8
const OFF_MAGIC = 16
const OFF_CRC = 17
const OFF_ATTRIBUTES = 21
const OFF_LAST_OFFSET_DELTA = 23
const OFF_BASE_TIMESTAMP = 27
const OFF_MAX_TIMESTAMP = 35
const OFF_PRODUCER_ID = 43
const OFF_RECORD_COUNT = 57

export interface BatchHeader {
  baseOffset: bigint
  /** Bytes of the whole batch including the 12-byte log overhead. */
  size: number
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  attributes: number
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  recordCount: number
}

export type BatchProblem = 'truncated' | 'bad-magic' | 'bad-crc' | 'bad-length'

/** Reads the header of the batch at `pos`; returns a problem instead when it is not a valid batch. */
export function readBatchHeader(buf: Buffer, pos: number, checkCrc: boolean): BatchHeader | BatchProblem {
  if (pos + BATCH_HEADER_SIZE > buf.length) return 'truncated'
  const batchLength = buf.readInt32BE(pos + OFF_LENGTH)
  if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) return 'bad-length'
  const size = batchLength + LOG_OVERHEAD
  if (pos + size > buf.length) return 'truncated'
  if (buf[pos + OFF_MAGIC] !== 2) return 'bad-magic'
  if (checkCrc && crc32c(buf, pos + OFF_ATTRIBUTES, pos + size) !== buf.readUInt32BE(pos + OFF_CRC)) return 'bad-crc'
  return {
    baseOffset: buf.readBigInt64BE(pos),
    size,
    lastOffsetDelta: buf.readInt32BE(pos + OFF_LAST_OFFSET_DELTA),
    baseTimestamp: Number(buf.readBigInt64BE(pos + OFF_BASE_TIMESTAMP)),
    maxTimestamp: Number(buf.readBigInt64BE(pos + OFF_MAX_TIMESTAMP)),
    attributes: buf.readInt16BE(pos + OFF_ATTRIBUTES),
    producerId: buf.readBigInt64BE(pos + OFF_PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + OFF_PRODUCER_ID + 8),
    baseSequence: buf.readInt32BE(pos + OFF_PRODUCER_ID + 10),
    recordCount: buf.readInt32BE(pos + OFF_RECORD_COUNT),
  }
}

/** Sets the base offset of a batch in place; the CRC does not cover it. */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  buf.writeBigInt64BE(BigInt(baseOffset), pos)
}

/** Marks a batch as log-append-time with the broker's clock and refreshes its CRC. */
export function stampLogAppendTime(buf: Buffer, pos: number, size: number, now: number): void {
  buf.writeInt16BE(buf.readInt16BE(pos + OFF_ATTRIBUTES) | 0x08, pos + OFF_ATTRIBUTES)
  buf.writeBigInt64BE(BigInt(now), pos + OFF_MAX_TIMESTAMP)
  refreshCrc(buf, pos, size)
}

export function refreshCrc(buf: Buffer, pos: number, size: number): void {
  buf.writeUInt32BE(crc32c(buf, pos + OFF_ATTRIBUTES, pos + size), pos + OFF_CRC)
}

export function compressionOf(attributes: number): number {
  return attributes & 0x07
}

export function isControlBatch(attributes: number): boolean {
  return (attributes & 0x20) !== 0
}

export function isTransactional(attributes: number): boolean {
  return (attributes & 0x10) !== 0
}
