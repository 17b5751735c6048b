/**
 * An ordered set of strings kept as a list of sorted chunks (each at most `MAX_CHUNK` long) with
 * the last key of every chunk alongside. Inserting or removing costs two binary searches and a
 * splice of one small array, and a range read walks chunks in order: the shape of a B+ tree's
 * leaf level, without the pointer chasing of a skip list or a tree of objects.
 *
 * Keys are Buffers encoded as latin1 strings: one byte per UTF-16 code unit, so JavaScript's
 * string order is exactly `Buffer.compare` order and strings make good `Map` keys.
 */
const MAX_CHUNK = 512

export class SortedKeyIndex {
  private chunks: string[][] = []
  /** `lasts[i]` is the largest key of `chunks[i]`. */
  private lasts: string[] = []
  private count = 0

  get size(): number {
    return this.count
  }

  /** The smallest key, if any. */
  first(): string | undefined {
    return this.chunks[0]?.[0]
  }

  /** Adds `key`; the caller guarantees it is not present (the owning `Map` knows). */
  insert(key: string): void {
    this.count++
    const chunks = this.chunks
    if (chunks.length === 0) {
      chunks.push([key])
      this.lasts.push(key)
      return
    }
    let c = this.chunkFor(key)
    if (c === chunks.length) c-- // larger than every key: append to the last chunk
    const chunk = chunks[c]!
    const at = lowerBound(chunk, key)
    if (at === chunk.length) {
      chunk.push(key)
      this.lasts[c] = key
    } else {
      chunk.splice(at, 0, key)
    }
    if (chunk.length > MAX_CHUNK) this.split(c)
  }

  /** Removes `key` if present. */
  remove(key: string): boolean {
    const c = this.chunkFor(key)
    if (c === this.chunks.length) return false
    const chunk = this.chunks[c]!
    const at = lowerBound(chunk, key)
    if (chunk[at] !== key) return false
    this.count--
    chunk.splice(at, 1)
    if (chunk.length === 0) {
      this.chunks.splice(c, 1)
      this.lasts.splice(c, 1)
    } else if (at === chunk.length) {
      this.lasts[c] = chunk[chunk.length - 1]!
    }
    return true
  }

  /**
   * Calls `visit` for keys in `[from, to]` (absent bounds are open) in order, skipping `from`
   * itself when `fromExclusive`. Stops when `visit` returns false. `visit` must not modify the
   * index.
   */
  forEachInRange(
    from: string | undefined,
    to: string | undefined,
    fromExclusive: boolean,
    visit: (key: string) => boolean,
  ): void {
    const chunks = this.chunks
    let c = from === undefined ? 0 : this.chunkFor(from)
    if (c >= chunks.length) return
    let i = from === undefined ? 0 : lowerBound(chunks[c]!, from)
    for (; c < chunks.length; c++, i = 0) {
      const chunk = chunks[c]!
      for (; i < chunk.length; i++) {
        const key = chunk[i]!
        if (to !== undefined && key > to) return
        if (fromExclusive && key === from) continue
        if (!visit(key)) return
      }
    }
  }

  clear(): void {
    this.chunks = []
    this.lasts = []
    this.count = 0
  }

  /** Index of the first chunk whose last key is `>= key` (`chunks.length` when none). */
  private chunkFor(key: string): number {
    return lowerBound(this.lasts, key)
  }

  private split(c: number): void {
    const chunk = this.chunks[c]!
    const upper = chunk.splice(chunk.length >> 1)
    this.chunks.splice(c + 1, 0, upper)
    this.lasts.splice(c, 0, chunk[chunk.length - 1]!)
  }
}

/** First index whose element is `>= key`. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < key) lo = mid + 1
    else hi = mid
  }
  return lo
}
