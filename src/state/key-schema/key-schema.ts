/** What a time-segmented store needs from a key schema: the time that picks a key's segment. */
export interface SegmentKeySchema {
  /** Window stores: the window start. Session stores: the session end. */
  segmentTimestamp(storeKey: Buffer): number
}

/** True when `storeKey` is `key` followed by exactly `suffixLength` bytes of schema suffix. */
export function hasKey(storeKey: Buffer, key: Buffer, suffixLength: number): boolean {
  return storeKey.length === key.length + suffixLength && storeKey.compare(key, 0, key.length, 0, key.length) === 0
}
