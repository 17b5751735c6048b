import { describe, expect, it } from 'vitest'
import { CompleteRanges } from '../../../src/state/layers/complete-ranges.js'

describe('CompleteRanges', () => {
  it('answers scans with the same upper bound from at or above the remembered lower bound', () => {
    const ranges = new CompleteRanges()
    ranges.add('c', 'f')
    expect(ranges.covers('c', 'f')).toBe(true)
    expect(ranges.covers('d', 'f')).toBe(true)
    expect(ranges.covers('b', 'f')).toBe(false)
    ranges.add('b', 'f')
    expect(ranges.covers('b', 'f')).toBe(true)
    ranges.add('e', 'f') // a narrower scan does not shrink what is known
    expect(ranges.covers('c', 'f')).toBe(true)
  })

  it('never answers for another upper bound, even inside a remembered range', () => {
    // A scan of key "a" over some segments says nothing about key "ab", whose keys sort inside it.
    const ranges = new CompleteRanges()
    ranges.add('a\x00', 'a\xff')
    expect(ranges.covers('ab\x00', 'ab\xff')).toBe(false)
    ranges.clear()
    expect(ranges.covers('a\x00', 'a\xff')).toBe(false)
  })
})
