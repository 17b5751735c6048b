/**
 * Merging of key-ordered entry sequences: the cache's entries over the store below it, and the
 * segments of a time-segmented store. All inputs and outputs are in `Buffer.compare` key order.
 */
import type { BytesEntry } from './bytes-store.js'

/** A cached entry as a merge sees it: `null` hides the key in the store below (a pending delete). */
export interface OverlayEntry {
  readonly key: Buffer
  readonly value: Buffer | null
}

/** `under` with `over` laid on top: on equal keys `over` wins, and a `null` there removes the key. */
export function overlaySorted(over: readonly OverlayEntry[], under: readonly BytesEntry[]): BytesEntry[] {
  if (over.length === 0) return under as BytesEntry[]
  const out: BytesEntry[] = []
  let i = 0
  let j = 0
  while (i < over.length || j < under.length) {
    const o = over[i]
    const u = under[j]
    const cmp = o === undefined ? 1 : u === undefined ? -1 : Buffer.compare(o.key, u.key)
    if (cmp <= 0) {
      if (o!.value !== null) out.push({ key: o!.key, value: o!.value })
      i++
      if (cmp === 0) j++
    } else {
      out.push(u!)
      j++
    }
  }
  return out
}

/** The streaming form of `overlaySorted`. */
export async function* overlaySortedStream(
  over: readonly OverlayEntry[],
  under: AsyncIterator<BytesEntry>,
): AsyncIterableIterator<BytesEntry> {
  let i = 0
  try {
    let next = await under.next()
    while (i < over.length || next.done !== true) {
      const o = over[i]
      const u = next.done === true ? undefined : next.value
      const cmp = o === undefined ? 1 : u === undefined ? -1 : Buffer.compare(o.key, u.key)
      if (cmp <= 0) {
        if (o!.value !== null) yield { key: o!.key, value: o!.value }
        i++
        if (cmp === 0) next = await under.next()
      } else {
        yield u!
        next = await under.next()
      }
    }
  } finally {
    await under.return?.()
  }
}

/** Concatenates per-segment scan results and restores key order if the segments interleave. */
export function concatSorted(parts: readonly BytesEntry[][]): BytesEntry[] {
  if (parts.length === 1) return parts[0]!
  const out = parts.flat()
  for (let i = 1; i < out.length; i++) {
    if (Buffer.compare(out[i - 1]!.key, out[i]!.key) > 0) return out.sort((a, b) => Buffer.compare(a.key, b.key))
  }
  return out
}

/** A k-way merge of key-ordered streams with distinct keys (segments never share a key). */
export async function* mergeSortedStreams(sources: readonly AsyncIterator<BytesEntry>[]): AsyncIterableIterator<BytesEntry> {
  const heads: (BytesEntry | undefined)[] = []
  try {
    for (const source of sources) {
      const r = await source.next()
      heads.push(r.done === true ? undefined : r.value)
    }
    for (;;) {
      let min = -1
      for (let s = 0; s < heads.length; s++) {
        const h = heads[s]
        if (h !== undefined && (min < 0 || Buffer.compare(h.key, heads[min]!.key) < 0)) min = s
      }
      if (min < 0) return
      yield heads[min]!
      const r = await sources[min]!.next()
      heads[min] = r.done === true ? undefined : r.value
    }
  } finally {
    for (const source of sources) await source.return?.()
  }
}
