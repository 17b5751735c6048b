import { Writer } from '../protocol/primitives.js'
import { crc32c } from './crc32c.js'
import { BATCH_HEADER_SIZE } from './record-batch.js'

export interface PlainRecord {
  key: Buffer | null
  value: Buffer | null
  timestamp: number
}

/**
 * Encodes records as one uncompressed magic-2 record batch with base offset 0 (the log assigns
 * the real one), for records the broker writes itself, such as the schema registry's.
 */
export function encodeBatch(records: readonly PlainRecord[]): Buffer {
  const baseTimestamp = records.length === 0 ? 0 : Math.min(...records.map((r) => r.timestamp))
  const maxTimestamp = records.length === 0 ? 0 : Math.max(...records.map((r) => r.timestamp))
  const body = new Writer()
  records.forEach((record, i) => {
    const one = new Writer()
    one.int8(0).varlong(BigInt(record.timestamp - baseTimestamp)).varint(i)
    if (record.key === null) one.varint(-1)
    else one.varint(record.key.length).raw(record.key)
    if (record.value === null) one.varint(-1)
    else one.varint(record.value.length).raw(record.value)
    one.varint(0) // no headers
    const bytes = one.toBuffer()
    body.varint(bytes.length).raw(bytes)
  })
  const recordBytes = body.toBuffer()
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + recordBytes.length)
  batch.writeBigInt64BE(0n, 0) // base offset
  batch.writeInt32BE(batch.length - 12, 8) // batch length: everything after this field
  batch.writeInt32BE(-1, 12) // partition leader epoch
  batch.writeInt8(2, 16) // magic
  batch.writeInt16BE(0, 21) // attributes: no compression, create time, not transactional
  batch.writeInt32BE(records.length - 1, 23) // last offset delta
  batch.writeBigInt64BE(BigInt(baseTimestamp), 27)
  batch.writeBigInt64BE(BigInt(maxTimestamp), 35)
  batch.writeBigInt64BE(-1n, 43) // producer id
  batch.writeInt16BE(-1, 51) // producer epoch
  batch.writeInt32BE(-1, 53) // base sequence
  batch.writeInt32BE(records.length, 57)
  recordBytes.copy(batch, BATCH_HEADER_SIZE)
  batch.writeUInt32BE(crc32c(batch, 21), 17)
  return batch
}
