/**
 * Key ranges the cache holds completely, so that a scan inside one needs no read below: this is
 * what lets a session aggregate on RocksDB find a hot key's sessions without an iterator per
 * record.
 *
 * A range is remembered by its upper bound and only answers scans with that same upper bound and
 * a lower bound at or above its own. The metered window and session stores bound a key's scan
 * by `[key][time..][ff..]`; with every key of a store carrying a suffix of the same length, the
 * same upper bound means the same key. That matters because segmented stores read only the
 * segments of a scan's time hint: a scan is complete for the key it asked about, not for every
 * longer key that shares its bytes and falls inside the range, so ranges must never answer for
 * one another (no merging of overlapping ranges).
 *
 * When the cache evicts an entry it forgets the range of that entry's key (`forget`), or all of
 * them when it cannot tell which key an entry belongs to (key-value stores).
 */
export class CompleteRanges {
  /** Upper bound -> lowest lower bound remembered with it (latin1 key strings). */
  private readonly lowerOf = new Map<string, string>()

  get size(): number {
    return this.lowerOf.size
  }

  /** True when a remembered range with upper bound `to` starts at or below `from`. */
  covers(from: string, to: string): boolean {
    const lower = this.lowerOf.get(to)
    return lower !== undefined && lower <= from
  }

  add(from: string, to: string): void {
    const lower = this.lowerOf.get(to)
    // Both [lower, to] and [from, to] are complete: so is their union.
    if (lower === undefined || from < lower) this.lowerOf.set(to, from)
  }

  /** Forgets the range with upper bound `to`: the cache no longer holds all of it. */
  forget(to: string): void {
    this.lowerOf.delete(to)
  }

  clear(): void {
    this.lowerOf.clear()
  }
}
