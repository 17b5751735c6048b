/**
 * Session store keys: `[serialized key][8-byte big-endian session end][8-byte big-endian session
 * start]` (the schema of Kafka Streams' session stores). The changelog uses the same keys.
 *
 * Ordering by end makes `findSessions(key, earliestEnd, latestStart)` one bounded scan from
 * `[key][earliestEnd][0]` to the key's last session; sessions that start after `latestStart`
 * are filtered out on the way. Segments are chosen by session end, so retention drops a session
 * once its end is older than stream time minus retention.
 */
import type { SegmentKeySchema } from './key-schema.js'
import { readTime, TIME_BYTES, writeTime } from './time-bytes.js'

export const SESSION_SUFFIX = 2 * TIME_BYTES

export class SessionKeySchema implements SegmentKeySchema {
  readonly suffixLength = SESSION_SUFFIX

  toStoreKey(key: Buffer, start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + SESSION_SUFFIX)
    key.copy(out, 0)
    writeTime(out, key.length, end)
    writeTime(out, key.length + TIME_BYTES, start)
    return out
  }

  /** The smallest store key of `key` among sessions ending at or after `end`. */
  lowerBound(key: Buffer, end: number): Buffer {
    return this.toStoreKey(key, 0, end)
  }

  /** The largest store key of `key`. */
  upperBound(key: Buffer): Buffer {
    const out = Buffer.alloc(key.length + SESSION_SUFFIX, 0xff)
    key.copy(out, 0)
    return out
  }

  sessionEnd(storeKey: Buffer): number {
    return readTime(storeKey, storeKey.length - SESSION_SUFFIX)
  }

  sessionStart(storeKey: Buffer): number {
    return readTime(storeKey, storeKey.length - TIME_BYTES)
  }

  segmentTimestamp(storeKey: Buffer): number {
    return this.sessionEnd(storeKey)
  }

  key(storeKey: Buffer): Buffer {
    return storeKey.subarray(0, storeKey.length - SESSION_SUFFIX)
  }
}
