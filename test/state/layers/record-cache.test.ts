import { describe, expect, it } from 'vitest'
import type { BytesEntry } from '../../../src/state/bytes-store.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { createKeyValueStore, createWindowStore } from '../../../src/state/index.js'
import { CacheBudget } from '../../../src/state/layers/cache-budget.js'
import { CachingBytesStore, type FlushedEntry } from '../../../src/state/layers/caching.js'
import { ChangeloggingBytesStore } from '../../../src/state/layers/changelogging.js'
import { MemoryBytesStore } from '../../../src/state/memory/memory-bytes-store.js'
import { TestStoreContext } from '../fixtures.js'

const b = (s: string): Buffer => Buffer.from(s)
const str = (v: Buffer | null): string | null => (v === null ? null : v.toString())
const seen = (e: FlushedEntry): [string, string | null, string | null, number] => [e.key.toString(), str(e.newValue), str(e.oldValue), e.timestamp]

/** A memory store whose reads answer later, like RocksDB. */
class SlowReadStore extends MemoryBytesStore {
  override get(key: Buffer): Buffer | undefined {
    return Promise.resolve(super.get(key)) as unknown as Buffer | undefined
  }
  override scan(from: Buffer | undefined, to: Buffer | undefined): BytesEntry[] {
    return Promise.resolve(super.scan(from, to)) as unknown as BytesEntry[]
  }
}

async function recordCache(budget: CacheBudget, inner = new MemoryBytesStore('s')) {
  const context = new TestStoreContext('/nonexistent')
  const below = new ChangeloggingBytesStore(inner)
  const cache = new CachingBytesStore(below, { budget, recordCache: true })
  await cache.init(context)
  const flushed: FlushedEntry[] = []
  expect(cache.setFlushListener((e) => void flushed.push(e))).toBe(true)
  return { cache, context, flushed, inner }
}

describe('the record cache (Kafka Streams CachingKeyValueStore semantics)', () => {
  it('forwards each dirty key once at flush, with its latest value and the value below as the old one', async () => {
    const { cache, context, flushed } = await recordCache(new CacheBudget(1 << 20))
    context.recordTime = 5
    await cache.put(b('a'), b('1'))
    context.recordTime = 7
    await cache.put(b('a'), b('2'))
    await cache.put(b('b'), b('x'))
    expect(flushed).toEqual([])
    await cache.flush()
    expect(flushed.map(seen)).toEqual([['a', '2', null, 7], ['b', 'x', null, 7]])
    // The changelog got one record per key, not one per update.
    expect(context.logged.map((l) => [l.key.toString(), str(l.value)])).toEqual([['a', '2'], ['b', 'x']])

    flushed.length = 0
    context.recordTime = 9
    await cache.put(b('a'), b('3'))
    await cache.put(b('b'), null)
    await cache.flush()
    expect(flushed.map(seen)).toEqual([['a', '3', '2', 9], ['b', null, 'x', 9]])
  })

  it('reads the old value below when the key was written without being read (a RocksDB read)', async () => {
    const inner = new SlowReadStore('s')
    const { cache, flushed } = await recordCache(new CacheBudget(1 << 20), inner)
    inner.put(b('k'), b('old'))
    await cache.put(b('k'), b('new'))
    await cache.flush()
    expect(flushed.map(seen)).toEqual([['k', 'new', 'old', 0]])
  })

  it('says nothing of a key that was absent and still is', async () => {
    const { cache, flushed } = await recordCache(new CacheBudget(1 << 20))
    await cache.put(b('k'), b('v'))
    await cache.put(b('k'), null)
    await cache.flush()
    expect(flushed).toEqual([])
  })

  it('flushes every dirty entry, the evicted one first, when the budget overflows', async () => {
    // Each entry counts 96 + 2 * 1 + 1 = 99 bytes: three fit in 300, a fourth overflows.
    const { cache, flushed } = await recordCache(new CacheBudget(300))
    await cache.put(b('a'), b('1'))
    await cache.put(b('b'), b('1'))
    await cache.put(b('c'), b('1'))
    expect(flushed).toEqual([])
    await cache.put(b('d'), b('1'))
    // 'a' is evicted, and the eviction writes the whole cache down, as a Kafka Streams named cache does.
    expect(flushed.map((e) => e.key.toString())).toEqual(['a', 'b', 'c', 'd'])
    expect(cache.dirtyCount).toBe(0)
  })

  it('shares one budget between caches, and a closed cache leaves it', async () => {
    const budget = new CacheBudget(1 << 20)
    const one = await recordCache(budget)
    const two = await recordCache(budget)
    await one.cache.put(b('a'), b('1'))
    await two.cache.put(b('b'), b('22'))
    expect(budget.usedBytes).toBe(one.cache.sizeBytes + two.cache.sizeBytes)
    expect(budget.usedBytes).toBeGreaterThan(0)
    await one.cache.close()
    expect(budget.usedBytes).toBe(two.cache.sizeBytes)
    await two.cache.close()
    expect(budget.usedBytes).toBe(0)
    expect(budget.cacheCount).toBe(0)
  })

  it('evicts from the cache whose put overflows the shared budget', async () => {
    const budget = new CacheBudget(500)
    const big = await recordCache(budget)
    const small = await recordCache(budget)
    for (const k of ['a', 'b', 'c', 'd']) await big.cache.put(b(k), b('1'))
    expect(big.flushed).toEqual([])
    await small.cache.put(b('x'), b('1'))
    // The small cache holds only the entry just written: it has nothing else to evict.
    expect(small.flushed).toEqual([])
    await big.cache.put(b('e'), b('1'))
    expect(big.flushed.length).toBeGreaterThan(0)
    expect(budget.usedBytes).toBeLessThanOrEqual(500)
  })

  it('shrinks to a smaller budget on resize, writing evicted entries down through the listener', async () => {
    const budget = new CacheBudget(1 << 20)
    const { cache, flushed } = await recordCache(budget)
    for (const k of ['a', 'b', 'c', 'd', 'e']) await cache.put(b(k), b('1'))
    await budget.resize(250)
    expect(budget.usedBytes).toBeLessThanOrEqual(250)
    expect(flushed.map((e) => e.key.toString())).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('stays a plain write-behind cache when built without a record cache', async () => {
    const cache = new CachingBytesStore(new MemoryBytesStore('s'), { budget: 1 << 20 })
    await cache.init(new TestStoreContext('/nonexistent'))
    expect(cache.setFlushListener(() => undefined)).toBe(false)
  })
})

describe('store builders and cache budgets', () => {
  const definition = (name: string) => ({ name, type: 'keyValue' as const, loggingEnabled: false, cachingEnabled: true })

  it('shares a write-behind budget between stores without making them record caches', async () => {
    const budget = new CacheBudget(1 << 20)
    const stores = ['one', 'two'].map((name) => createKeyValueStore(definition(name), { supplier: 'memory', keySerde: Serdes.string(), valueSerde: Serdes.string(), writeCache: budget }))
    for (const store of stores) await store.init(new TestStoreContext('/nonexistent', false))
    expect(budget.cacheCount).toBe(2)
    expect(stores.map((s) => s.setFlushListener?.(() => undefined))).toEqual([false, false])
    await stores[0]!.put('k', 'v')
    expect(budget.usedBytes).toBeGreaterThan(0)
    for (const store of stores) await store.close()
    expect(budget.usedBytes).toBe(0)
  })

  it('makes stores record caches under a record cache budget', async () => {
    const budget = new CacheBudget(1 << 20)
    const store = createKeyValueStore(definition('counts'), { supplier: 'memory', keySerde: Serdes.string(), valueSerde: Serdes.string(), recordCache: budget })
    await store.init(new TestStoreContext('/nonexistent', false))
    expect(store.setFlushListener?.(() => undefined)).toBe(true)
    await store.close()
  })

  it('keeps a store with caching off out of the record cache, batching its writes in the same budget', async () => {
    const budget = new CacheBudget(1 << 20)
    const store = createKeyValueStore({ ...definition('counts'), cachingEnabled: false }, { supplier: 'memory', keySerde: Serdes.string(), valueSerde: Serdes.string(), recordCache: budget })
    await store.init(new TestStoreContext('/nonexistent', false))
    expect(store.setFlushListener?.(() => undefined)).toBe(false)
    await store.put('k', 'v')
    expect(budget.usedBytes).toBeGreaterThan(0)
    await store.close()
    expect(budget.usedBytes).toBe(0)
  })

  // Kafka's CachingWindowStore.fetch(key, time) answers from its cache before the store below, and
  // only the store below applies retention: a cached window past retention is still found.
  it.each([true, false])('serves a window past retention from a record cache only (caching %s)', async (cachingEnabled) => {
    const store = createWindowStore(
      { name: 'windows', type: 'window', retentionMs: 15, windowSizeMs: 10, loggingEnabled: false, cachingEnabled },
      { supplier: 'memory', keySerde: Serdes.string(), valueSerde: Serdes.string(), recordCache: new CacheBudget(1 << 20) },
    )
    await store.init(new TestStoreContext('/nonexistent', false))
    await store.put('a', 'early', 0)
    await store.put('b', 'late', 20)
    expect(await store.fetch('a', 0)).toBe(cachingEnabled ? 'early' : undefined)
    // Range reads apply retention whatever the cache holds.
    expect(await store.fetchRange('a', 0, 20)).toEqual([])
    await store.close()
  })
})
