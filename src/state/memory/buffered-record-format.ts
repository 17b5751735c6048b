/**
 * The changelog value of one entry of a time-ordered buffer: all a restored buffer needs to emit the
 * same record later (same timestamp, headers, new, old and prior value) at the same time. Big-endian:
 *
 *   [1: format version][8: buffer time][8: record timestamp][8: stream time when logged]
 *   [4: header count], per header [4: name length][name, UTF-8][4: value length][value]
 *   the prior, old and new value, each [4: length, -1 for null][bytes]
 *
 * The changelog key is the serialized key alone, so compaction keeps one entry per buffered key.
 */
import { StateStoreError } from '../../core/errors.js'
import type { Headers } from '../../core/record.js'

const FORMAT_VERSION = 1
const NULL_LENGTH = -1
/** Stands for "no time yet" (-Infinity), which an int64 cannot hold. */
const NO_TIME = -(2n ** 63n)

export interface BufferedRecordParts {
  readonly bufferTime: number
  readonly timestamp: number
  readonly streamTime: number
  readonly headers: Headers
  readonly priorValue: Buffer | null
  readonly oldValue: Buffer | null
  readonly newValue: Buffer | null
}

export function encodeBufferedRecord(parts: BufferedRecordParts): Buffer {
  const headers = Object.entries(parts.headers).map(([name, value]) => [Buffer.from(name, 'utf8'), value] as const)
  let size = 1 + 8 * 3 + 4 + 4 * 3
  for (const [name, value] of headers) size += 8 + name.length + value.length
  for (const value of [parts.priorValue, parts.oldValue, parts.newValue]) size += value?.length ?? 0
  const out = Buffer.allocUnsafe(size)
  let at = out.writeUInt8(FORMAT_VERSION, 0)
  at = out.writeBigInt64BE(toInt64(parts.bufferTime), at)
  at = out.writeBigInt64BE(toInt64(parts.timestamp), at)
  at = out.writeBigInt64BE(toInt64(parts.streamTime), at)
  at = out.writeInt32BE(headers.length, at)
  for (const [name, value] of headers) {
    at = writeBytes(out, at, name)
    at = writeBytes(out, at, value)
  }
  at = writeBytes(out, at, parts.priorValue)
  at = writeBytes(out, at, parts.oldValue)
  writeBytes(out, at, parts.newValue)
  return out
}

export function decodeBufferedRecord(data: Buffer, storeName: string): BufferedRecordParts {
  const version = data.readUInt8(0)
  if (version !== FORMAT_VERSION) {
    throw new StateStoreError(
      `The changelog of suppression buffer "${storeName}" holds an entry in format ${version}, which this version of ` +
        `Tributary cannot read (it writes format ${FORMAT_VERSION}). Run the version that wrote it, or reset the application.`,
    )
  }
  const cursor = { at: 1 }
  const bufferTime = fromInt64(data, cursor)
  const timestamp = fromInt64(data, cursor)
  const streamTime = fromInt64(data, cursor)
  const headerCount = data.readInt32BE(cursor.at)
  cursor.at += 4
  const headers: Headers = {}
  for (let i = 0; i < headerCount; i++) {
    const name = readBytes(data, cursor)!.toString('utf8')
    headers[name] = readBytes(data, cursor)!
  }
  const priorValue = readBytes(data, cursor)
  const oldValue = readBytes(data, cursor)
  const newValue = readBytes(data, cursor)
  return { bufferTime, timestamp, streamTime, headers, priorValue, oldValue, newValue }
}

function toInt64(time: number): bigint {
  return time === Number.NEGATIVE_INFINITY ? NO_TIME : BigInt(Math.trunc(time))
}

function fromInt64(data: Buffer, cursor: { at: number }): number {
  const raw = data.readBigInt64BE(cursor.at)
  cursor.at += 8
  return raw === NO_TIME ? Number.NEGATIVE_INFINITY : Number(raw)
}

function writeBytes(out: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) return out.writeInt32BE(NULL_LENGTH, at)
  const next = out.writeInt32BE(bytes.length, at)
  return next + bytes.copy(out, next)
}

function readBytes(data: Buffer, cursor: { at: number }): Buffer | null {
  const length = data.readInt32BE(cursor.at)
  cursor.at += 4
  if (length === NULL_LENGTH) return null
  // A copy: restored headers outlive the batch of changelog records they were read from.
  const bytes = Buffer.from(data.subarray(cursor.at, cursor.at + length))
  cursor.at += length
  return bytes
}
