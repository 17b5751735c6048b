import { describe, expect, it } from 'vitest'
import { chunkBySize, MAX_SEND_BYTES } from '../../src/kafka/send-chunks.js'

const record = (bytes: number, i = 0) => ({ topic: 't', key: Buffer.from(`k${i}`), value: Buffer.alloc(bytes) })

describe('chunkBySize', () => {
  it('keeps a send below the limit whole and splits a larger one in order, each chunk within the limit', () => {
    const small = [record(100), record(100)]
    expect(chunkBySize(small)).toEqual([small])
    const records = Array.from({ length: 25 }, (_, i) => record(100 * 1024, i))
    const chunks = chunkBySize(records)
    expect(chunks.length).toBeGreaterThan(2)
    expect(chunks.flat()).toEqual(records)
    for (const chunk of chunks) expect(chunk.reduce((n, r) => n + (r.value?.length ?? 0), 0)).toBeLessThanOrEqual(MAX_SEND_BYTES)
  })

  it('lets a single record over the limit stand alone (the broker then refuses it by name)', () => {
    const chunks = chunkBySize([record(10), record(MAX_SEND_BYTES + 1), record(10)])
    expect(chunks.map((c) => c.length)).toEqual([1, 1, 1])
  })
})
