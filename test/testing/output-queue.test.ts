import { describe, expect, it } from 'vitest'
import { OutputQueue } from '../../src/testing/output-queue.js'
import type { ProducedRecord } from '../../src/testing/test-output-topic.js'

const record = (n: number): ProducedRecord => ({ key: null, value: Buffer.from(String(n)), timestamp: n, headers: {} })

describe('OutputQueue', () => {
  it('gives records back oldest first, across the compaction of its consumed front', () => {
    const queue = new OutputQueue()
    for (let i = 0; i < 5000; i++) queue.push(record(i))
    const seen: number[] = []
    // Interleave reads and writes so that the front is dropped while records are still coming.
    for (let i = 0; i < 3000; i++) seen.push(queue.shift()!.timestamp)
    for (let i = 5000; i < 6000; i++) queue.push(record(i))
    expect(queue.length).toBe(3000)
    let next = queue.shift()
    while (next !== undefined) {
      seen.push(next.timestamp)
      next = queue.shift()
    }
    expect(seen).toEqual(Array.from({ length: 6000 }, (_, i) => i))
    expect(queue.length).toBe(0)
    expect(queue.shift()).toBeUndefined()
  })

  it('is empty again after its last record is read, and takes new records after that', () => {
    const queue = new OutputQueue()
    queue.push(record(1))
    expect(queue.shift()?.timestamp).toBe(1)
    expect(queue.length).toBe(0)
    queue.push(record(2))
    expect(queue.length).toBe(1)
    expect(queue.shift()?.timestamp).toBe(2)
  })
})
