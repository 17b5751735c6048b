import { describe, expect, it } from 'vitest'
import { andThen, forEachInOrder } from '../../src/core/sequence.js'

describe('forEachInOrder', () => {
  it('stays synchronous while every step is', () => {
    const seen: number[] = []
    const result = forEachInOrder([1, 2, 3], (n) => {
      seen.push(n)
    })
    expect(result).toBeUndefined()
    expect(seen).toEqual([1, 2, 3])
  })

  it('waits for a step that returns a promise before the next one', async () => {
    const seen: string[] = []
    const result = forEachInOrder([1, 2, 3], (n) => {
      seen.push(`start ${n}`)
      if (n === 2) return Promise.resolve().then(() => void seen.push('async 2 done'))
      return undefined
    })
    expect(seen).toEqual(['start 1', 'start 2'])
    await result
    expect(seen).toEqual(['start 1', 'start 2', 'async 2 done', 'start 3'])
  })

  it('andThen chains a value or a promise', async () => {
    expect(andThen(2, (n) => n + 1)).toBe(3)
    expect(await andThen(Promise.resolve(2), (n) => n + 1)).toBe(3)
  })
})
