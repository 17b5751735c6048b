/**
 * Window store keys: `[serialized key][8-byte big-endian window start]`, followed by a 4-byte
 * big-endian sequence number when the store retains duplicates (stream-stream join buffers),
 * so that every put of the same key and window is kept. The changelog uses the same keys.
 *
 * Ordering by bytes groups a key's windows together, oldest first, so one key's windows in a
 * time range are a single bounded scan `[key][from] .. [key][to][ffffffff]`. A longer key that
 * starts with the same bytes can fall inside that range; readers drop it with `hasKey`, which
 * compares lengths (every key in a store has the same suffix length).
 */
import type { SegmentKeySchema } from './key-schema.js'
import { readTime, TIME_BYTES, writeTime } from './time-bytes.js'

const SEQ_BYTES = 4

export class WindowKeySchema implements SegmentKeySchema {
  readonly suffixLength: number

  constructor(readonly retainDuplicates: boolean) {
    this.suffixLength = TIME_BYTES + (retainDuplicates ? SEQ_BYTES : 0)
  }

  toStoreKey(key: Buffer, windowStart: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + this.suffixLength)
    key.copy(out, 0)
    writeTime(out, key.length, windowStart)
    if (this.retainDuplicates) out.writeUInt32BE(seq >>> 0, key.length + TIME_BYTES)
    return out
  }

  /** The smallest store key of `key` at `time`. */
  lowerBound(key: Buffer, time: number): Buffer {
    const out = Buffer.alloc(key.length + this.suffixLength)
    key.copy(out, 0)
    writeTime(out, key.length, time)
    return out
  }

  /** The largest store key of `key` at `time`. */
  upperBound(key: Buffer, time: number): Buffer {
    const out = Buffer.alloc(key.length + this.suffixLength, 0xff)
    key.copy(out, 0)
    writeTime(out, key.length, time)
    return out
  }

  windowStart(storeKey: Buffer): number {
    return readTime(storeKey, storeKey.length - this.suffixLength)
  }

  segmentTimestamp(storeKey: Buffer): number {
    return this.windowStart(storeKey)
  }

  key(storeKey: Buffer): Buffer {
    return storeKey.subarray(0, storeKey.length - this.suffixLength)
  }
}
