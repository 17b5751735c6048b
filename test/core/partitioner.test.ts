import { describe, expect, it } from 'vitest'
import { murmur2, partitionForKey } from '../../src/core/partitioner.js'

describe("Kafka's default partitioner", () => {
  it('murmur2 matches the values of Kafka’s own test vectors', () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ]
    for (const [input, expected] of cases) expect(murmur2(Buffer.from(input))).toBe(expected)
  })

  it('maps a key to a partition in range, the same every time', () => {
    const key = Buffer.from('driver-42')
    const partition = partitionForKey(key, 6)
    expect(partition).toBeGreaterThanOrEqual(0)
    expect(partition).toBeLessThan(6)
    expect(partitionForKey(key, 6)).toBe(partition)
    expect(partitionForKey(Buffer.from('21'), 7)).toBe((-973932308 & 0x7fffffff) % 7)
  })
})
