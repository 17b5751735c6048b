import { afterEach, describe, expect, it } from 'vitest'
import { isPromiseLike } from '../../../src/core/maybe-promise.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { createKeyValueStore } from '../../../src/state/index.js'
import { CacheBudget } from '../../../src/state/layers/cache-budget.js'
import { ResidentKeyValueStore } from '../../../src/state/layers/resident-key-value.js'
import { RocksDbBytesStore } from '../../../src/state/rocksdb/rocksdb-bytes-store.js'
import type { StoreDefinition } from '../../../src/state/types.js'
import { collect, openStore, TempDirs, TestStoreContext } from '../fixtures.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

const SHARED = 'KSTREAM-OUTERSHARED-0000000004-store'

function definition(name: string, role?: 'outer-shared'): StoreDefinition {
  return { name, type: 'keyValue', loggingEnabled: true, cachingEnabled: true, ...(role === undefined ? {} : { streamJoinStore: role }) }
}

function openShared(def = definition(SHARED, 'outer-shared'), joinCacheMaxBytes?: number) {
  const store = createKeyValueStore<string, string>(def, {
    supplier: 'rocksdb',
    keySerde: Serdes.string(),
    valueSerde: Serdes.string(),
    ...(joinCacheMaxBytes === undefined ? {} : { joinCacheMaxBytes }),
  })
  return openStore(dirs, store)
}

const b = (s: string): Buffer => Buffer.from(s)

describe('resident key-value store over RocksDB', () => {
  it('answers lookups of absent keys and scans from memory, and writes everything down', async () => {
    const taskDir = await dirs.make()
    const inner = new RocksDbBytesStore('shared')
    const resident = new ResidentKeyValueStore(inner, 1_000_000)
    await resident.init(new TestStoreContext(taskDir))
    resident.put(b('a'), b('1'))
    resident.put(b('b'), b('2'))
    resident.put(b('a'), null)
    const missing = resident.get(b('zzz'))
    expect(isPromiseLike(missing)).toBe(false)
    expect(missing).toBeUndefined()
    const scanned = resident.scan(undefined, undefined)
    expect(isPromiseLike(scanned)).toBe(false)
    expect((scanned as { key: Buffer }[]).map((e) => e.key.toString())).toEqual(['b'])
    await resident.close()

    // Another run finds the same data on disk and loads it.
    const again = new ResidentKeyValueStore(new RocksDbBytesStore('shared'), 1_000_000)
    await again.init(new TestStoreContext(taskDir))
    expect(again.resident).toBe(true)
    expect(again.get(b('b'))).toEqual(b('2'))
    expect(again.get(b('a'))).toBeUndefined()
    await again.close()
  })

  it('counts its copy in a budget shared with other join stores, and drops it when a write takes the total over', async () => {
    const budget = new CacheBudget(3_000, 'joinCacheMaxBytes')
    // Another join store of the instance already holds most of the budget.
    const other = { sizeBytes: 2_000, shrink: () => Promise.resolve() }
    budget.register(other)
    budget.change(2_000)
    const resident = new ResidentKeyValueStore(new RocksDbBytesStore('shared'), budget)
    await resident.init(new TestStoreContext(await dirs.make()))
    resident.put(b('k0'), b('v0'))
    resident.put(b('k1'), b('v1'))
    expect(resident.resident).toBe(true)
    expect(budget.usedBytes).toBe(2_000 + resident.sizeBytes)
    for (let i = 2; i < 5; i++) resident.put(b(`k${i}`), b(`v${i}`))
    expect(resident.resident).toBe(false)
    expect(budget.usedBytes).toBe(2_000)
    await resident.flush()
    expect(await resident.get(b('k4'))).toEqual(b('v4'))
    expect((await collect(resident.iterate(undefined, undefined))).length).toBe(5)
    await resident.close()
    expect(budget.usedBytes).toBe(2_000)
  })

  it('hands reads to RocksDB once it outgrows its bound, with the same answers', async () => {
    const resident = new ResidentKeyValueStore(new RocksDbBytesStore('shared'), 2_000)
    await resident.init(new TestStoreContext(await dirs.make()))
    for (let i = 0; i < 10; i++) resident.put(b(`k${i}`), b(`v${i}`))
    expect(resident.resident).toBe(false)
    // Once the writes have landed, RocksDB itself answers.
    await resident.flush()
    const found = resident.get(b('k7'))
    expect(isPromiseLike(found)).toBe(true)
    expect(await found).toEqual(b('v7'))
    expect((await collect(resident.iterate(undefined, undefined))).length).toBe(10)
    await resident.close()
  })

  it('fills memory while restoring', async () => {
    const resident = new ResidentKeyValueStore(new RocksDbBytesStore('shared'), 1_000_000)
    await resident.init(new TestStoreContext(await dirs.make()))
    await resident.restore([
      { key: b('a'), value: b('1') },
      { key: b('b'), value: b('2') },
      { key: b('a'), value: null },
    ])
    expect(resident.get(b('a'))).toBeUndefined()
    expect(resident.get(b('b'))).toEqual(b('2'))
    await resident.close()
  })
})

describe('outer-join shared stores built on RocksDB', () => {
  it('answer a lookup of a new key synchronously; other stores and a switched-off copy ask RocksDB', async () => {
    const cases = [
      [definition(SHARED, 'outer-shared'), undefined, true],
      [definition('counts'), undefined, false],
      [definition(SHARED, 'outer-shared'), 0, false],
    ] as const
    for (const [def, bound, sync] of cases) {
      const { store } = await openShared(def, bound)
      expect(isPromiseLike(store.get('new-key'))).toBe(!sync)
      await store.close()
    }
  })

  it('are chosen by the streamJoinStore flag, not by the name', async () => {
    // Named as the DSL names shared stores, but unflagged: no copy.
    for (const name of [SHARED, 'rides-outer-shared-join-store']) {
      const { store } = await openShared(definition(name))
      expect(isPromiseLike(store.get('new-key'))).toBe(true)
      await store.close()
    }
    // Flagged under any name: the copy.
    const { store } = await openShared(definition('unmatched-rides', 'outer-shared'))
    expect(isPromiseLike(store.get('new-key'))).toBe(false)
    await store.close()
  })

  it('reject a join-buffer role on a key-value store', () => {
    const def: StoreDefinition = { ...definition('counts'), streamJoinStore: 'window-buffer' }
    expect(() => createKeyValueStore(def, { supplier: 'rocksdb', keySerde: Serdes.string(), valueSerde: Serdes.string() })).toThrow(
      /"counts" plays the stream-join role "window-buffer", which needs a window store with retainDuplicates/,
    )
  })

  it('write the same changelog as a store without the copy', async () => {
    const logs = []
    for (const bound of [undefined, 0]) {
      const { store, context } = await openShared(undefined, bound)
      for (let i = 0; i < 20; i++) {
        context.recordTime = i
        await store.put(`k${i % 4}`, i % 5 === 0 ? null : `v${i}`)
        if (i % 7 === 0) await store.flush()
      }
      await store.flush()
      logs.push(context.logged)
      await store.close()
    }
    expect(logs[0]!.length).toBeGreaterThan(0)
    expect(logs[0]).toEqual(logs[1])
  })
})
