import { BATCH_HEADER_SIZE, refreshCrc } from './record-batch.js'

/** Kafka's control record types (ControlRecordType): the only two a transaction marker uses. */
export const ControlType = { ABORT: 0, COMMIT: 1 } as const
export type ControlTypeValue = (typeof ControlType)[keyof typeof ControlType]

const TRANSACTIONAL_AND_CONTROL = 0x10 | 0x20

export interface MarkerSpec {
  producerId: bigint
  producerEpoch: number
  type: ControlTypeValue
  coordinatorEpoch: number
  timestamp: number
}

/**
 * A transaction marker as Kafka writes it: a batch with the transactional and control attribute
 * bits, no sequence, one record whose key is (int16 version 0, int16 type) and whose value is
 * (int16 version 0, int32 coordinator epoch). The base offset is set when it is appended.
 */
export function encodeMarker(spec: MarkerSpec): Buffer {
  // key: 4 bytes, value: 6 bytes; the record body is attributes(1) tsDelta(1) offsetDelta(1)
  // keyLen(1) key(4) valueLen(1) value(6) headers(1) = 16 bytes, preceded by its length varint.
  const record = Buffer.alloc(17)
  record[0] = 16 << 1 // zigzag varint 16
  record[1] = 0 // attributes
  record[2] = 0 // timestamp delta
  record[3] = 0 // offset delta
  record[4] = 4 << 1 // key length
  record.writeInt16BE(0, 5)
  record.writeInt16BE(spec.type, 7)
  record[9] = 6 << 1 // value length
  record.writeInt16BE(0, 10)
  record.writeInt32BE(spec.coordinatorEpoch, 12)
  record[16] = 0 // header count
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + record.length)
  batch.writeInt32BE(batch.length - 12, 8) // batch length
  batch.writeInt32BE(0, 12) // partition leader epoch
  batch[16] = 2 // magic
  batch.writeInt16BE(TRANSACTIONAL_AND_CONTROL, 21)
  batch.writeInt32BE(0, 23) // last offset delta
  batch.writeBigInt64BE(BigInt(spec.timestamp), 27)
  batch.writeBigInt64BE(BigInt(spec.timestamp), 35)
  batch.writeBigInt64BE(spec.producerId, 43)
  batch.writeInt16BE(spec.producerEpoch, 51)
  batch.writeInt32BE(-1, 53) // base sequence: markers have none
  batch.writeInt32BE(1, 57)
  record.copy(batch, BATCH_HEADER_SIZE)
  refreshCrc(batch, 0, batch.length)
  return batch
}

/**
 * The control type of the marker batch at `batch[0..]`, or -1 when its first record is not a
 * readable version-0 control key. Control batches are never compressed.
 */
export function markerType(batch: Buffer): number {
  if (batch.length < BATCH_HEADER_SIZE + 9 || batch.readInt32BE(57) < 1) return -1
  let pos = BATCH_HEADER_SIZE
  // Skip the record length, attributes, timestamp delta and offset delta (all varints but one byte).
  pos = skipVarint(batch, pos)
  pos += 1
  pos = skipVarint(batch, pos)
  pos = skipVarint(batch, pos)
  if (pos >= batch.length || batch[pos] !== 4 << 1 || pos + 5 > batch.length) return -1
  if (batch.readInt16BE(pos + 1) !== 0) return -1
  return batch.readInt16BE(pos + 3)
}

function skipVarint(buf: Buffer, pos: number): number {
  while (pos < buf.length && (buf[pos] & 0x80) !== 0) pos++
  return pos + 1
}
