import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isPromiseLike } from '../../src/core/maybe-promise.js'
import { Serdes } from '../../src/serde/serdes.js'
import { createWindowStore } from '../../src/state/index.js'
import type { StoreDefinition, StoreSupplierKind } from '../../src/state/types.js'
import { collect, openStore, suppliers, TempDirs } from './fixtures.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

// Retention 2 min: segments of 1 min (Kafka Streams' minimum interval).
const RETENTION = 120_000
const SIZE = 10_000

function definition(overrides: Partial<StoreDefinition> = {}): StoreDefinition {
  return {
    name: 'windows',
    type: 'window',
    retentionMs: RETENTION,
    windowSizeMs: SIZE,
    loggingEnabled: true,
    cachingEnabled: false,
    ...overrides,
  }
}

function openWindows(supplier: StoreSupplierKind, def: StoreDefinition, taskDir?: string) {
  return openStore(dirs, createWindowStore<string, string>(def, { supplier, keySerde: Serdes.string(), valueSerde: Serdes.string() }), { taskDir })
}

function windowKey(key: string, start: number, seq?: number): Buffer {
  const suffix = Buffer.alloc(seq === undefined ? 8 : 12)
  suffix.writeBigUInt64BE(BigInt(start), 0)
  if (seq !== undefined) suffix.writeUInt32BE(seq, 8)
  return Buffer.concat([Buffer.from(key), suffix])
}

describe.each(suppliers)('window store on %s', (supplier) => {
  describe.each([false, true])('caching %s', (cachingEnabled) => {
    it('fetches one window, a key over a time range (oldest first) and all keys', async () => {
      const { store } = await openWindows(supplier, definition({ cachingEnabled }))
      await store.put('a', 'a20', 20_000)
      await store.put('a', 'a0', 0)
      await store.put('a', 'a10', 10_000)
      await store.put('b', 'b10', 10_000)
      // A key that starts with the bytes of another must not show up in its scans.
      await store.put('aa', 'aa10', 10_000)
      await store.put('a', 'a70', 70_000) // next segment
      if (cachingEnabled) await store.flush()
      await store.put('a', 'a10bis', 10_000)
      expect(await store.fetch('a', 10_000)).toBe('a10bis')
      expect(await store.fetch('a', 30_000)).toBeUndefined()
      expect(await store.fetchRange('a', 0, 70_000)).toEqual([
        { windowStart: 0, value: 'a0' },
        { windowStart: 10_000, value: 'a10bis' },
        { windowStart: 20_000, value: 'a20' },
        { windowStart: 70_000, value: 'a70' },
      ])
      expect(await store.fetchRange('a', 5_000, 20_000)).toEqual([
        { windowStart: 10_000, value: 'a10bis' },
        { windowStart: 20_000, value: 'a20' },
      ])
      const at10 = await collect(store.fetchAll(10_000, 10_000))
      expect(at10).toEqual([
        [{ key: 'a', window: { start: 10_000, end: 20_000 } }, 'a10bis'],
        [{ key: 'aa', window: { start: 10_000, end: 20_000 } }, 'aa10'],
        [{ key: 'b', window: { start: 10_000, end: 20_000 } }, 'b10'],
      ])
      const all = await collect(store.all())
      expect(all.map(([w, v]) => `${w.key}@${w.window.start}=${v}`)).toEqual([
        'a@0=a0',
        'a@10000=a10bis',
        'a@20000=a20',
        'a@70000=a70',
        'aa@10000=aa10',
        'b@10000=b10',
      ])
      await store.put('a', null, 0)
      expect(await store.fetch('a', 0)).toBeUndefined()
      await store.close()
    })

    it('drops windows older than stream time minus retention, and writes into them', async () => {
      const { store, context } = await openWindows(supplier, definition({ cachingEnabled }))
      await store.put('a', 'old', 0)
      await store.put('a', 'mid', 70_000)
      await store.put('a', 'new', 200_000) // stream time 200 000: live from 80 001
      expect(await store.fetch('a', 0)).toBeUndefined()
      expect(await store.fetchRange('a', 0, 300_000)).toEqual([{ windowStart: 200_000, value: 'new' }])
      await store.put('a', 'late', 80_000)
      expect(await store.fetch('a', 80_000)).toBeUndefined()
      await store.put('a', 'just in time', 80_001)
      expect(await store.fetch('a', 80_001)).toBe('just in time')
      expect(store.metrics().expiredRecords).toBe(1)
      // Only the store's own clock expires windows: the task's stream time does not (Kafka Streams).
      context.streamTime = 400_000
      expect(await store.fetch('a', 200_000)).toBe('new')
      await store.put('b', 'b', 400_000)
      expect(await store.fetch('a', 200_000)).toBeUndefined()
      expect((await collect(store.all())).map(([w, v]) => [w.key, w.window.start, v])).toEqual([['b', 400_000, 'b']])
      await store.close()
    })

    it('logs window schema keys to the changelog', async () => {
      const { store, context } = await openWindows(supplier, definition({ cachingEnabled }))
      context.recordTime = 12_345
      await store.put('a', 'v', 10_000)
      await store.flush()
      expect(context.logged).toEqual([{ key: windowKey('a', 10_000), value: Buffer.from('v'), timestamp: 12_345 }])
      await store.close()
    })

    it('restores from changelog records and drops the expired ones', async () => {
      const { store, context } = await openWindows(supplier, definition({ cachingEnabled }))
      await store.restore([
        { key: windowKey('a', 10_000), value: Buffer.from('expires later in the batch') },
        { key: windowKey('a', 150_000), value: Buffer.from('x') },
        { key: windowKey('b', 150_000), value: Buffer.from('y') },
        { key: windowKey('b', 150_000), value: null },
        { key: windowKey('a', 0), value: Buffer.from('already expired') },
      ])
      expect(await store.fetch('a', 10_000)).toBeUndefined()
      expect(await store.fetch('a', 150_000)).toBe('x')
      expect(await store.fetch('b', 150_000)).toBeUndefined()
      expect(await store.fetch('a', 0)).toBeUndefined()
      expect(store.metrics().expiredRecords).toBe(1)
      expect(context.logged).toEqual([])
      await store.close()
    })

    it("takes its clock from the restored records alone, not from the task's stream time", async () => {
      const { store, context } = await openWindows(supplier, definition({ cachingEnabled }))
      expect(store.observedStreamTimeMs()).toBe(Number.NEGATIVE_INFINITY)
      context.streamTime = 1_000_000
      await store.restore([
        { key: windowKey('a', 100_000), value: Buffer.from('x') },
        { key: windowKey('a', 150_000), value: Buffer.from('y') },
      ])
      expect(store.observedStreamTimeMs()).toBe(150_000)
      expect(await store.fetchRange('a', 0, 200_000)).toEqual([
        { windowStart: 100_000, value: 'x' },
        { windowStart: 150_000, value: 'y' },
      ])
      expect(store.metrics().expiredRecords).toBe(0)
      await store.close()
    })
  })

  it('keeps every put with retainDuplicates, in put order, and ignores deletes', async () => {
    const { store, context } = await openWindows(supplier, definition({ retainDuplicates: true, cachingEnabled: true }))
    await store.put('a', 'first', 5_000)
    await store.put('a', 'second', 5_000)
    await store.put('a', 'third', 6_000)
    await store.put('a', null, 5_000)
    expect(await store.fetchRange('a', 0, 10_000)).toEqual([
      { windowStart: 5_000, value: 'first' },
      { windowStart: 5_000, value: 'second' },
      { windowStart: 6_000, value: 'third' },
    ])
    expect(await store.fetch('a', 5_000)).toBe('first')
    expect(context.logged.map((c) => c.key)).toEqual([windowKey('a', 5_000, 0), windowKey('a', 5_000, 1), windowKey('a', 6_000, 2)])
    await store.close()
  })
})

describe.each(suppliers)('window store on %s with caching', (supplier) => {
  it('serves a hot window synchronously, without a promise', async () => {
    const { store } = await openWindows(supplier, definition({ cachingEnabled: true }))
    expect(isPromiseLike(store.put('a', 'v1', 10_000))).toBe(false)
    expect(store.fetch('a', 10_000)).toBe('v1')
    await store.flush()
    expect(isPromiseLike(store.put('a', 'v2', 10_000))).toBe(false)
    expect(store.fetch('a', 10_000)).toBe('v2')
    await store.close()
  })
})

describe('window store on rocksdb, on disk', () => {
  it('keeps one database per segment, deletes expired ones, and reopens with its data', async () => {
    const taskDir = await dirs.make()
    const storeDir = join(taskDir, 'rocksdb', 'windows')
    const first = await openWindows('rocksdb', definition({ cachingEnabled: true }), taskDir)
    await first.store.put('a', 'v0', 0)
    await first.store.put('a', 'v70', 70_000)
    await first.store.flush()
    expect(existsSync(join(storeDir, 'windows.0'))).toBe(true)
    expect(existsSync(join(storeDir, 'windows.60000'))).toBe(true)
    await first.store.put('a', 'v190', 190_000) // live from 70 001: segment 0 expires
    await first.store.flush()
    expect(existsSync(join(storeDir, 'windows.0'))).toBe(false)
    await first.store.close()

    const second = await openWindows('rocksdb', definition(), taskDir)
    expect(await second.store.fetchRange('a', 0, 200_000)).toEqual([
      { windowStart: 70_000, value: 'v70' },
      { windowStart: 190_000, value: 'v190' },
    ])
    await second.store.close()
  })
})

describe('window store definitions', () => {
  it('require a retention and a window size', () => {
    const options = { supplier: 'memory' as const, keySerde: Serdes.string(), valueSerde: Serdes.string() }
    expect(() => createWindowStore({ ...definition(), retentionMs: undefined }, options)).toThrow(/needs retentionMs/)
    expect(() => createWindowStore({ ...definition(), windowSizeMs: 0 }, options)).toThrow(/needs windowSizeMs/)
  })
})
