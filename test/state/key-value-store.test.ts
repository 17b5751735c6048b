import { afterEach, describe, expect, it } from 'vitest'
import { isPromiseLike } from '../../src/core/maybe-promise.js'
import { Serdes } from '../../src/serde/serdes.js'
import { createKeyValueStore } from '../../src/state/index.js'
import type { StoreDefinition, StoreSupplierKind } from '../../src/state/types.js'
import { collect, openStore, suppliers, TempDirs, type OpenOptions } from './fixtures.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

function definition(overrides: Partial<StoreDefinition> = {}): StoreDefinition {
  return { name: 'counts', type: 'keyValue', loggingEnabled: true, cachingEnabled: false, ...overrides }
}

/** Counts per string key; the context records changelog writes when the definition logs. */
function openCounts(supplier: StoreSupplierKind, def: StoreDefinition, options: OpenOptions = {}) {
  const store = createKeyValueStore<string, number>(def, { supplier, keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })
  return openStore(dirs, store, { changelog: def.loggingEnabled, ...options })
}

describe.each(suppliers)('key-value store on %s', (supplier) => {
  describe.each([false, true])('caching %s', (cachingEnabled) => {
    it('puts, gets, overwrites and deletes', async () => {
      const { store } = await openCounts(supplier, definition({ cachingEnabled }))
      expect(await store.get('a')).toBeUndefined()
      await store.put('a', 1)
      await store.put('b', 2)
      await store.put('a', 3)
      expect(await store.get('a')).toBe(3)
      expect(await store.delete('a')).toBe(3)
      expect(await store.get('a')).toBeUndefined()
      await store.put('b', null)
      expect(await store.get('b')).toBeUndefined()
      expect(await store.putIfAbsent('c', 7)).toBeUndefined()
      expect(await store.putIfAbsent('c', 8)).toBe(7)
      expect(await store.get('c')).toBe(7)
      await store.close()
    })

    it('ranges over keys in byte order, before and after a flush', async () => {
      const { store } = await openCounts(supplier, definition({ cachingEnabled }))
      for (const [k, v] of [['d', 4], ['a', 1], ['c', 3], ['b', 2], ['e', 5]] as const) await store.put(k, v)
      await store.flush()
      await store.put('bb', 22)
      await store.delete('c')
      expect(await collect(store.range('b', 'd'))).toEqual([['b', 2], ['bb', 22], ['d', 4]])
      expect(await collect(store.all())).toEqual([['a', 1], ['b', 2], ['bb', 22], ['d', 4], ['e', 5]])
      expect(await collect(store.range('d', 'b'))).toEqual([])
      await store.close()
    })

    it('logs each change with its record time when logging is enabled', async () => {
      const { store, context } = await openCounts(supplier, definition({ cachingEnabled }))
      context.recordTime = 100
      await store.put('a', 1)
      context.recordTime = 200
      await store.put('a', 2)
      await store.delete('a')
      await store.flush()
      const logged = context.logged.map((c) => [c.key.toString(), c.value?.toString() ?? null, c.timestamp])
      // The cache writes a key down once per flush; without it every change is logged.
      expect(logged).toEqual(cachingEnabled ? [['a', null, 200]] : [['a', '1', 100], ['a', '2', 200], ['a', null, 200]])
      await store.close()
    })

    it('logs nothing when logging is disabled', async () => {
      const { store, context } = await openCounts(supplier, definition({ cachingEnabled, loggingEnabled: false }), { changelog: true })
      await store.put('a', 1)
      await store.flush()
      expect(context.logged).toEqual([])
      await store.close()
    })

    it('restores changelog records without logging them again', async () => {
      const { store, context } = await openCounts(supplier, definition({ cachingEnabled }))
      await store.put('a', 1)
      await store.restore([
        { key: Buffer.from('a'), value: Buffer.from('10') },
        { key: Buffer.from('b'), value: Buffer.from('20') },
        { key: Buffer.from('b'), value: null },
        { key: Buffer.from('c'), value: Buffer.from('30') },
      ])
      expect(await store.get('a')).toBe(10)
      expect(await store.get('b')).toBeUndefined()
      expect(await collect(store.all())).toEqual([['a', 10], ['c', 30]])
      await store.flush()
      expect(context.logged.map((c) => c.value?.toString())).toEqual(cachingEnabled ? [] : ['1'])
      await store.close()
    })
  })

  it('counts operations in its metrics', async () => {
    const { store } = await openCounts(supplier, definition())
    await store.put('a', 1)
    await store.get('a')
    await store.get('b')
    await store.delete('a')
    await collect(store.all())
    expect(store.metrics()).toMatchObject({ puts: 1, gets: 2, deletes: 1, scans: 1, avgLatencyNs: 0 })
    for (let i = 0; i < 64; i++) await store.get('a') // one in 64 point operations is timed
    expect(store.metrics().avgLatencyNs).toBeGreaterThan(0)
    await store.close()
  })

  it('rejects use after close with a state error', async () => {
    const { store } = await openCounts(supplier, definition({ cachingEnabled: true }))
    await store.close()
    expect(() => store.put('a', 1)).toThrow(expect.objectContaining({ code: 'TRIBUTARY_STATE' }))
    expect(() => store.get('a')).toThrow(/not open/)
  })

  it('serves cached keys synchronously, without a promise', async () => {
    const { store } = await openCounts(supplier, definition({ cachingEnabled: true }))
    const put = store.put('hot', 1)
    expect(isPromiseLike(put)).toBe(false)
    const got = store.get('hot')
    expect(isPromiseLike(got)).toBe(false)
    expect(got).toBe(1)
    await store.flush()
    expect(store.get('hot')).toBe(1)
    await store.close()
  })
})

describe('key-value store keys', () => {
  it('serializes an object key again after it was mutated, and alternating keys stay apart', async () => {
    const store = createKeyValueStore<{ id: string }, number>(definition({ cachingEnabled: true }), {
      supplier: 'memory',
      keySerde: Serdes.json<{ id: string }>(),
      valueSerde: Serdes.json<number>(),
    })
    await openStore(dirs, store)
    const key = { id: 'a' }
    await store.put(key, 1)
    key.id = 'b'
    await store.put(key, 2)
    expect(await store.get({ id: 'a' })).toBe(1)
    expect(await store.get({ id: 'b' })).toBe(2)
    await store.close()

    const { store: strings } = await openCounts('memory', definition())
    for (let i = 0; i < 4; i++) await strings.put(i % 2 === 0 ? 'x' : 'y', i)
    expect([await strings.get('x'), await strings.get('y'), await strings.get('x')]).toEqual([2, 3, 2])
    await strings.close()
  })
})

describe('key-value store on rocksdb, across restarts', () => {
  it('keeps its data after close and reopen in the same task directory', async () => {
    const def = definition({ cachingEnabled: true })
    const { store: first, context } = await openCounts('rocksdb', def)
    await first.put('a', 1)
    await first.put('b', 2)
    await first.close() // flushes the cache
    const { store: second } = await openCounts('rocksdb', def, { taskDir: context.taskDir })
    expect(await collect(second.all())).toEqual([['a', 1], ['b', 2]])
    expect(second.persistent).toBe(true)
    await second.close()
  })

  it('fails with a state error naming what to do when the directory is taken', async () => {
    const { store: first, context } = await openCounts('rocksdb', definition())
    await expect(openCounts('rocksdb', definition(), { taskDir: context.taskDir })).rejects.toThrow(/no other Tributary instance/)
    await first.close()
  })
})

describe('store builders', () => {
  it('refuses a definition of another store type', () => {
    expect(() =>
      createKeyValueStore(definition({ type: 'window' }), {
        supplier: 'memory',
        keySerde: Serdes.string(),
        valueSerde: Serdes.string(),
      }),
    ).toThrow(/defined as a window store/)
  })
})
