import { gunzipSync } from 'node:zlib'
import { Reader } from '../protocol/primitives.js'
import { BATCH_HEADER_SIZE, compressionOf } from './record-batch.js'

/** One record of a batch, as the log cleaner needs it: where it is and what it is keyed by. */
export interface RecordView {
  offsetDelta: number
  timestampDelta: number
  key: Buffer | null
  /** A view of the value, null for a tombstone. */
  value: Buffer | null
  isTombstone: boolean
  /** The record's bytes including its leading length varint, ready to be copied as is. */
  raw: Buffer
}

const GZIP = 1

/** Whether the broker can open batches of this codec (none and gzip with Node's zlib). */
export function canDecode(attributes: number): boolean {
  const codec = compressionOf(attributes)
  return codec === 0 || codec === GZIP
}

/** Decodes the records of the batch at `batch[0..]`; the batch must be uncompressed or gzip. */
export function decodeRecords(batch: Buffer): RecordView[] {
  const attributes = batch.readInt16BE(21)
  const count = batch.readInt32BE(57)
  let body = batch.subarray(BATCH_HEADER_SIZE)
  if (compressionOf(attributes) === GZIP) body = gunzipSync(body)
  const r = new Reader(body)
  const out: RecordView[] = []
  for (let i = 0; i < count; i++) {
    const start = r.pos
    const length = r.varint()
    const end = r.pos + length
    r.int8()
    const timestampDelta = Number(r.varlong())
    const offsetDelta = r.varint()
    const keyLength = r.varint()
    const key = keyLength < 0 ? null : r.view(keyLength)
    const valueLength = r.varint()
    const value = valueLength < 0 ? null : r.view(valueLength)
    out.push({ offsetDelta, timestampDelta, key, value, isTombstone: valueLength < 0, raw: body.subarray(start, end) })
    r.pos = end
  }
  return out
}
