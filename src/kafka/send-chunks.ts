import type { OutgoingRecord } from './types.js'

/**
 * How many bytes of records one produce request carries at most. A broker refuses a record batch
 * larger than the topic's `max.message.bytes` (Kafka's default: 1 MiB + 12 bytes) with
 * MESSAGE_TOO_LARGE, and the client puts everything a send holds for one partition into one batch:
 * a large send (a commit's changelog writes, a burst of results) is therefore split below that,
 * with room for the batch's and records' own framing.
 */
export const MAX_SEND_BYTES = 900 * 1024

/** Framing of one record in a batch beyond its key, value and headers (length, attributes, deltas). */
const RECORD_OVERHEAD_BYTES = 24

function recordBytes(r: OutgoingRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + (r.key?.length ?? 0) + (r.value?.length ?? 0)
  for (const [name, value] of r.headers ?? []) bytes += Buffer.byteLength(name) + (value?.length ?? 0) + 8
  return bytes
}

/**
 * Consecutive runs of `records`, in order, each at most `maxBytes` (a single larger record stands
 * alone; the broker then refuses it, naming the reason).
 */
export function chunkBySize(records: readonly OutgoingRecord[], maxBytes = MAX_SEND_BYTES): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = []
  let current: OutgoingRecord[] = []
  let bytes = 0
  for (const record of records) {
    const size = recordBytes(record)
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current)
      current = []
      bytes = 0
    }
    current.push(record)
    bytes += size
  }
  if (current.length > 0) chunks.push(current)
  return chunks
}
