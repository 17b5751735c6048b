import { describe, expect, it } from 'vitest'
import { SortedKeyIndex } from '../../../src/state/memory/sorted-key-index.js'

/** A small deterministic generator so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    return s / 0x7fffffff
  }
}

function rangeOf(index: SortedKeyIndex, from?: string, to?: string, exclusive = false): string[] {
  const out: string[] = []
  index.forEachInRange(from, to, exclusive, (k) => out.push(k) > 0)
  return out
}

describe('SortedKeyIndex', () => {
  it('matches a sorted array under thousands of random inserts and removes', () => {
    const next = random(42)
    const index = new SortedKeyIndex()
    const reference = new Set<string>()
    for (let i = 0; i < 6_000; i++) {
      const key = Buffer.from([Math.floor(next() * 256), Math.floor(next() * 256)]).toString('latin1')
      if (next() < 0.7) {
        if (!reference.has(key)) {
          reference.add(key)
          index.insert(key)
        }
      } else {
        expect(index.remove(key)).toBe(reference.delete(key))
      }
    }
    // latin1 strings compare like the bytes they encode.
    const sorted = [...reference].sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')))
    expect(index.size).toBe(reference.size)
    expect(rangeOf(index)).toEqual(sorted)
    expect(index.first()).toBe(sorted[0])
    const from = sorted[100]!
    const to = sorted[1_500]!
    expect(rangeOf(index, from, to)).toEqual(sorted.slice(100, 1_501))
    expect(rangeOf(index, from, to, true)).toEqual(sorted.slice(101, 1_501))
  })

  it('handles bounds outside the keys and emptied chunks', () => {
    const index = new SortedKeyIndex()
    for (let i = 0; i < 2_000; i++) index.insert(String(i).padStart(5, '0'))
    for (let i = 0; i < 1_500; i++) index.remove(String(i).padStart(5, '0'))
    expect(rangeOf(index, undefined, '01502')).toEqual(['01500', '01501', '01502'])
    expect(rangeOf(index, '99999')).toEqual([])
    expect(rangeOf(index, '01998', 'zzz')).toEqual(['01998', '01999'])
    expect(index.remove('00001')).toBe(false)
    const stopped: string[] = []
    index.forEachInRange(undefined, undefined, false, (k) => stopped.push(k) < 2)
    expect(stopped).toEqual(['01500', '01501'])
  })
})
