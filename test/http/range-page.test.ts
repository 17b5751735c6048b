import { describe, expect, it } from 'vitest'
import { comparePositions, decodeCursor, encodeCursor, FirstEntries, type Position } from '../../src/http/range-page.js'

const at = (key: string, start = 0, end = 0): Position => ({ key: Buffer.from(key, 'latin1'), start, end })

describe('range pages', () => {
  it('orders positions by key bytes, then window start and end', () => {
    const sorted = [at(''), at('a'), at('a\u0000'), at('ab', 5, 10), at('ab', 5, 11), at('ab', 6, 7), at('b'), at('\u00ff')]
    const shuffled = [...sorted].reverse()
    expect(shuffled.sort(comparePositions)).toEqual(sorted)
  })

  it('round-trips cursors, the empty key included, and refuses a cursor of the other kind', () => {
    for (const position of [at(''), at('ann'), at('\u0000\u00ff')]) expect(decodeCursor(encodeCursor(position, false), false)).toEqual(position)
    const windowed = at('zone-1', -5, 60_000)
    expect(decodeCursor(encodeCursor(windowed, true), true)).toEqual(windowed)
    expect(() => decodeCursor(encodeCursor(windowed, true), false)).toThrow(/not a cursor of this store/)
    expect(() => decodeCursor(encodeCursor(at('a'), false), true)).toThrow(/not a cursor of this store/)
    for (const bad of ['', '!!', 'a b', Buffer.from('k6').toString('base64url')]) expect(() => decodeCursor(bad, false)).toThrow(/not a cursor/)
  })

  it('keeps the first entries offered in any order and says whether more were offered', () => {
    const first = new FirstEntries(3)
    for (const key of ['d', 'b', 'e', 'a', 'c']) first.offer({ position: at(key), item: { key } })
    const page = first.page()
    expect(page.entries.map((e) => e.item)).toEqual([{ key: 'a' }, { key: 'b' }, { key: 'c' }])
    expect(page.more).toBe(true)
    const exact = new FirstEntries(2)
    for (const key of ['b', 'a']) exact.offer({ position: at(key), item: { key } })
    expect(exact.page().more).toBe(false)
    exact.markMore()
    expect(exact.page().more).toBe(true)
  })
})
