/**
 * The entries of one time segment of a window store, held in memory and grouped by record key:
 * a `Map` from the key's bytes (latin1, without the schema's time suffix) to that key's entries
 * in store-key order. A window store reads one key over a time range at a time, so a lookup is
 * one map hit and a binary search in a short array; writes arrive mostly in time order, so an
 * insert is usually a push.
 */
import type { BytesEntry } from '../bytes-store.js'

/**
 * Rough bytes of bookkeeping per entry: the entry object, its array slot and above all the two
 * Buffer objects (about 100 bytes of heap each, beyond their bytes). Measured on Node 20 with
 * short keys and values, an entry costs about 350 bytes of heap in all.
 */
const ENTRY_OVERHEAD = 260
/** Rough bytes per distinct key in a segment (map slot, latin1 id string, array). */
const KEY_OVERHEAD = 120

/** An entry with its schema suffix (time, sequence) as a latin1 string: within one key, suffix order is key order. */
export interface IndexedEntry extends BytesEntry {
  readonly suffix: string
}

export class WindowSegmentIndex {
  private readonly byKey = new Map<string, IndexedEntry[]>()
  /** Bytes this segment accounts for (keys, values and bookkeeping). */
  bytes = 0

  get keyCount(): number {
    return this.byKey.size
  }

  /**
   * Writes `value` (`null` deletes) under `storeKey`, made of the record key `keyId` and the schema
   * suffix `suffix` (both latin1); returns the change in bytes. Comparing suffix strings rather
   * than Buffers keeps the ordering in JavaScript, without a native call per comparison.
   */
  put(keyId: string, suffix: string, storeKey: Buffer, value: Buffer | null): number {
    const before = this.bytes
    let list = this.byKey.get(keyId)
    if (list === undefined) {
      if (value === null) return 0
      list = []
      this.byKey.set(keyId, list)
      this.bytes += KEY_OVERHEAD + 2 * keyId.length
    }
    const last = list[list.length - 1]
    // Records mostly come in time order: appending needs one comparison.
    const at = last === undefined || last.suffix < suffix ? list.length : lowerBound(list, suffix)
    const existing = list[at]
    const same = existing !== undefined && existing.suffix === suffix
    if (value === null) {
      if (same) {
        list.splice(at, 1)
        this.bytes -= entrySize(existing)
        if (list.length === 0) {
          this.byKey.delete(keyId)
          this.bytes -= KEY_OVERHEAD + 2 * keyId.length
        }
      }
      return this.bytes - before
    }
    const entry: IndexedEntry = { key: storeKey, value, suffix }
    if (same) {
      this.bytes -= entrySize(existing)
      list[at] = entry
    } else if (at === list.length) {
      list.push(entry)
    } else {
      list.splice(at, 0, entry)
    }
    this.bytes += entrySize(entry)
    return this.bytes - before
  }

  get(keyId: string, suffix: string): Buffer | undefined {
    const list = this.byKey.get(keyId)
    if (list === undefined) return undefined
    const found = list[lowerBound(list, suffix)]
    return found !== undefined && found.suffix === suffix ? found.value : undefined
  }

  /** Appends the entries of one key with suffixes in `[fromSuffix, toSuffix]` to `out`, in key order. */
  scanKey(keyId: string, fromSuffix: string, toSuffix: string, out: BytesEntry[]): void {
    const list = this.byKey.get(keyId)
    if (list === undefined) return
    for (let i = lowerBound(list, fromSuffix); i < list.length; i++) {
      const entry = list[i]!
      if (entry.suffix > toSuffix) return
      out.push(entry)
    }
  }

  /** Appends every entry with `from <= storeKey <= to` (absent bounds are open) to `out`, unordered across keys. */
  scanAll(from: Buffer | undefined, to: Buffer | undefined, out: BytesEntry[]): void {
    for (const list of this.byKey.values()) {
      for (const entry of list) {
        if (from !== undefined && Buffer.compare(entry.key, from) < 0) continue
        if (to !== undefined && Buffer.compare(entry.key, to) > 0) continue
        out.push(entry)
      }
    }
  }
}

export function entrySize(entry: BytesEntry): number {
  return ENTRY_OVERHEAD + entry.key.length + entry.value.length
}

/** The first index whose suffix is at or above `suffix`. */
function lowerBound(list: readonly IndexedEntry[], suffix: string): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (list[mid]!.suffix < suffix) lo = mid + 1
    else hi = mid
  }
  return lo
}
