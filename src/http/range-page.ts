import { QueryError } from './query-answer.js'

/**
 * Where an entry of a range sits in the order every instance agrees on: its key's bytes under the
 * store's key serde (the order the store keeps them in), then a window's start and end. A cursor
 * is the position of the last entry of a page.
 */
export interface Position {
  readonly key: Buffer
  readonly start: number
  readonly end: number
}

export function comparePositions(a: Position, b: Position): number {
  return Buffer.compare(a.key, b.key) || a.start - b.start || a.end - b.end
}

/**
 * A cursor is opaque to clients: base64url of the key's bytes in hex, with the window's start and
 * end for windowed stores. Hex keeps it printable whatever the key serde writes.
 */
export function encodeCursor(position: Position, windowed: boolean): string {
  // The leading letter keeps an empty key's cursor non-empty and tells the two kinds apart.
  const text = windowed ? `w${position.key.toString('hex')}.${position.start}.${position.end}` : `k${position.key.toString('hex')}`
  return Buffer.from(text, 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string, windowed: boolean): Position {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : undefined
  const match = text === undefined ? null : (windowed ? /^w((?:[0-9a-f]{2})*)\.(-?\d+)\.(-?\d+)$/ : /^k((?:[0-9a-f]{2})*)$/).exec(text)
  if (match === null) {
    throw new QueryError(400, 'BAD_CURSOR', `cursor "${cursor}" is not a cursor of this store: pass the "next" value of the previous page unchanged.`)
  }
  return { key: Buffer.from(match[1] as string, 'hex'), start: Number(match[2] ?? 0), end: Number(match[3] ?? 0) }
}

/** An entry of a range with its position; `item` is what the client sees. */
export interface PositionedItem {
  readonly position: Position
  readonly item: object
}

/**
 * The `limit` first entries (in position order) of entries offered in any order, plus whether
 * more were offered: a scan keeps `limit + 1` at most, whatever the size of what it reads.
 */
export class FirstEntries {
  private readonly kept: PositionedItem[] = []
  private more = false

  constructor(private readonly limit: number) {}

  /** Whether an entry at `position` would be kept; lets a scan skip building the items it would drop. */
  wants(position: Position): boolean {
    const last = this.kept[this.limit - 1]
    if (this.kept.length < this.limit || last === undefined) return true
    if (comparePositions(position, last.position) < 0) return true
    this.more = true
    return false
  }

  offer(entry: PositionedItem): void {
    if (!this.wants(entry.position)) return
    let low = 0
    let high = this.kept.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (comparePositions((this.kept[mid] as PositionedItem).position, entry.position) < 0) low = mid + 1
      else high = mid
    }
    this.kept.splice(low, 0, entry)
    if (this.kept.length > this.limit) {
      this.kept.pop()
      this.more = true
    }
  }

  /** Marks that entries beyond these exist elsewhere (an instance said so). */
  markMore(): void {
    this.more = true
  }

  page(): { entries: PositionedItem[]; more: boolean } {
    return { entries: this.kept, more: this.more }
  }
}
