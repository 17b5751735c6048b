import { describe, expect, it } from 'vitest'
import { MemoryBytesStore } from '../../../src/state/memory/memory-bytes-store.js'

const b = (s: string): Buffer => Buffer.from(s)
const keys = (entries: { key: Buffer }[]): string[] => entries.map((e) => e.key.toString())

describe('MemoryBytesStore', () => {
  it('orders keys by bytes, not by string collation', () => {
    const store = new MemoryBytesStore('s').openNow()
    for (const k of [[0xff], [0x00, 0x01], [0x80], [0x00]]) store.put(Buffer.from(k), b('v'))
    expect(store.scan(undefined, undefined).map((e) => [...e.key])).toEqual([[0x00], [0x00, 0x01], [0x80], [0xff]])
    expect(store.scan(Buffer.from([0x01]), Buffer.from([0xff])).map((e) => [...e.key])).toEqual([[0x80], [0xff]])
  })

  it('iterates past many keys while they are written and deleted', async () => {
    const store = new MemoryBytesStore('s').openNow()
    for (let i = 0; i < 300; i++) store.put(b(`k${String(i).padStart(3, '0')}`), b(String(i)))
    const seen: string[] = []
    for await (const entry of store.iterate(b('k100'), b('k299'))) {
      seen.push(entry.key.toString())
      if (entry.key.toString() === 'k100') {
        store.put(b('k150'), null) // ahead of the cursor: not seen
        store.put(b('k2500'), b('new')) // beyond the batch being read: seen in order
      }
    }
    expect(seen).toHaveLength(200)
    expect(seen).not.toContain('k150')
    expect(seen.indexOf('k2500')).toBe(seen.indexOf('k250') + 1)
    expect(store.approximateNumEntries()).toBe(300)
  })

  it('deletes, and is empty and closed after close', async () => {
    const store = new MemoryBytesStore('s').openNow()
    store.putAll([
      { key: b('a'), value: b('1'), timestamp: 0 },
      { key: b('b'), value: b('2'), timestamp: 0 },
      { key: b('a'), value: null, timestamp: 0 },
    ])
    expect(keys(store.scan(undefined, undefined))).toEqual(['b'])
    await store.close()
    expect(() => store.get(b('b'))).toThrow(/not open/)
  })
})
