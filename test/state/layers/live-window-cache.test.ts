import { afterEach, describe, expect, it } from 'vitest'
import { isPromiseLike } from '../../../src/core/maybe-promise.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { createWindowStore } from '../../../src/state/index.js'
import { WindowKeySchema } from '../../../src/state/key-schema/window-key-schema.js'
import { CacheBudget } from '../../../src/state/layers/cache-budget.js'
import { ChangeloggingBytesStore } from '../../../src/state/layers/changelogging.js'
import { LiveWindowCache } from '../../../src/state/layers/live-window-cache.js'
import { MeteredWindowStore } from '../../../src/state/layers/metered-window.js'
import { RocksDbSegments } from '../../../src/state/rocksdb/rocksdb-segments.js'
import { RetentionClock } from '../../../src/state/segments/retention-clock.js'
import { SegmentedBytesStore } from '../../../src/state/segments/segmented-bytes-store.js'
import type { ChangelogRecord, WindowEntry } from '../../../src/state/types.js'
import { TempDirs, TestStoreContext } from '../fixtures.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

// Retention 2 min: segments of 1 min, at most three live.
const RETENTION = 120_000
const MINUTE = 60_000

/** A join buffer on RocksDB with the cache between the changelog and the segments, as the builder makes it. */
async function openBuffer(taskDir: string, maxBytes?: number | CacheBudget, withCache = true) {
  const context = new TestStoreContext(taskDir)
  const schema = new WindowKeySchema(true)
  const clock = new RetentionClock(RETENTION)
  const segments = new SegmentedBytesStore('buffer', schema, clock, new RocksDbSegments('buffer', clock.segmentIntervalMs))
  const cache = new LiveWindowCache(segments, schema, clock, maxBytes)
  const bytes = new ChangeloggingBytesStore(withCache ? cache : segments)
  const store = new MeteredWindowStore('buffer', bytes, Serdes.string(), Serdes.string(), { schema, clock, windowSizeMs: MINUTE, segments })
  await store.init(context)
  return { store, cache, context }
}

/** `key@time=value` rows of a fetch, to compare answers briefly. */
function rows(entries: readonly WindowEntry<string>[]): string[] {
  return entries.map((e) => `${e.windowStart}=${e.value}`)
}

describe('live-window cache over RocksDB segments', () => {
  it('answers window fetches synchronously from memory, duplicates and look-alike keys included', async () => {
    const { store, cache } = await openBuffer(await dirs.make())
    await store.put('a', 'a1', 1_000)
    await store.put('a', 'a1bis', 1_000)
    await store.put('aa', 'aa1', 1_000)
    await store.put('a', 'a70', 70_000)
    await store.put('b', 'b5', 5_000)
    const range = store.fetchRange('a', 0, 100_000)
    expect(isPromiseLike(range)).toBe(false)
    expect(rows(range as WindowEntry<string>[])).toEqual(['1000=a1', '1000=a1bis', '70000=a70'])
    expect(rows(store.fetchRange('a', 2_000, 69_999) as WindowEntry<string>[])).toEqual([])
    expect(store.fetch('b', 5_000)).toBe('b5')
    expect(cache.cachedSegmentIds).toEqual([0, 1])
    expect(cache.readsBelow).toBe(0)
    await store.close()
  })

  it("drops cached segments as the store's own stream time passes them", async () => {
    const { store, cache, context } = await openBuffer(await dirs.make())
    await store.put('a', 'a0', 10_000)
    await store.put('a', 'a1', 70_000)
    await store.put('a', 'a2', 130_000)
    expect(cache.cachedSegmentIds).toEqual([0, 1, 2])
    // The task's stream time does not expire anything: only times written into this store do.
    context.streamTime = 200_000
    await store.put('b', 'b2', 150_000)
    expect(cache.cachedSegmentIds).toEqual([0, 1, 2])
    const sizeWithThree = cache.sizeBytes
    // Oldest live time 80 001: segment 0 (0..59 999) is gone, segment 1 still holds live times.
    await store.put('b', 'b3', 200_000)
    expect(cache.cachedSegmentIds).toEqual([1, 2, 3])
    expect(cache.sizeBytes).toBeLessThan(sizeWithThree + 200)
    expect(rows(store.fetchRange('a', 0, 200_000) as WindowEntry<string>[])).toEqual(['130000=a2'])
    await store.put('b', 'b6', 390_000)
    expect(cache.cachedSegmentIds).toEqual([6])
    await store.close()
  })

  it('loads what is on disk when the store is opened again', async () => {
    const taskDir = await dirs.make()
    const first = await openBuffer(taskDir)
    await first.store.put('a', 'a1', 1_000)
    await first.store.put('a', 'a2', 61_000)
    await first.store.put('b', 'b1', 2_000)
    await first.store.close()

    const { store, cache } = await openBuffer(taskDir)
    expect(cache.cachedSegmentIds).toEqual([0, 1])
    const range = store.fetchRange('a', 0, 100_000)
    expect(isPromiseLike(range)).toBe(false)
    expect(rows(range as WindowEntry<string>[])).toEqual(['1000=a1', '61000=a2'])
    expect(cache.readsBelow).toBe(0)
    await store.close()
  })

  it('reads the segments beyond its bound from RocksDB, with the same answers', async () => {
    const { store, cache } = await openBuffer(await dirs.make(), 2_000)
    for (let i = 0; i < 10; i++) await store.put('k', `old${i}`, 1_000 + i)
    for (let i = 0; i < 5; i++) await store.put('k', `new${i}`, 61_000 + i)
    // The old segment left memory; the new one fits.
    expect(cache.spilledSegments).toBe(1)
    expect(cache.cachedSegmentIds).toEqual([1])
    expect(cache.sizeBytes).toBeLessThanOrEqual(2_000)
    const recent = store.fetchRange('k', 61_000, 62_000)
    expect(isPromiseLike(recent)).toBe(false)
    expect((recent as WindowEntry<string>[]).length).toBe(5)
    const all = store.fetchRange('k', 0, 100_000)
    expect(isPromiseLike(all)).toBe(true)
    expect((await all).map((e) => e.value)).toEqual([...Array.from({ length: 10 }, (_, i) => `old${i}`), ...Array.from({ length: 5 }, (_, i) => `new${i}`)])
    expect(await store.fetch('k', 1_003)).toBe('old3')
    expect(cache.readsBelow).toBe(2)
    await store.close()
  })

  it('loads the newest segments that fit its bound and reads the older ones from disk', async () => {
    const taskDir = await dirs.make()
    const first = await openBuffer(taskDir)
    for (let i = 0; i < 10; i++) await first.store.put('k', `old${i}`, 1_000 + i)
    for (let i = 0; i < 3; i++) await first.store.put('k', `new${i}`, 61_000 + i)
    await first.store.close()

    const { store, cache } = await openBuffer(taskDir, 1_200)
    expect(cache.cachedSegmentIds).toEqual([1])
    expect(rows(store.fetchRange('k', 61_000, 70_000) as WindowEntry<string>[])).toEqual(['61000=new0', '61001=new1', '61002=new2'])
    expect((await store.fetchRange('k', 0, 70_000)).length).toBe(13)
    await store.close()
  })

  it('shares one budget with the other join stores: the store written to spills when the total is over, and a closed one gives its bytes back', async () => {
    const budget = new CacheBudget(4_000, 'joinCacheMaxBytes')
    const a = await openBuffer(await dirs.make(), budget)
    const b = await openBuffer(await dirs.make(), budget)
    // `a` fills most of the budget within one minute: its segment 0 stays in memory.
    for (let i = 0; i < 8; i++) await a.store.put('k', `a${i}`, 1_000 + i)
    expect(a.cache.cachedSegmentIds).toEqual([0])
    expect(budget.usedBytes).toBe(a.cache.sizeBytes)
    // `b` writes into two minutes: its own oldest segment goes to disk once the budget is over.
    for (let i = 0; i < 4; i++) await b.store.put('k', `b${i}`, 1_000 + i)
    for (let i = 0; i < 4; i++) await b.store.put('k', `b-late${i}`, 61_000 + i)
    expect(budget.usedBytes).toBe(a.cache.sizeBytes + b.cache.sizeBytes)
    expect(budget.usedBytes).toBeLessThanOrEqual(4_000)
    expect(b.cache.spilledSegments).toBeGreaterThan(0)
    expect(a.cache.cachedSegmentIds).toEqual([0]) // the store not written to keeps its copy
    // Answers stay complete, read back from RocksDB where memory gave up.
    expect((await b.store.fetchRange('k', 0, 70_000)).length).toBe(8)
    expect((await a.store.fetchRange('k', 0, 70_000)).length).toBe(8)
    await a.store.close()
    expect(budget.usedBytes).toBe(b.cache.sizeBytes)
    await b.store.close()
    expect(budget.usedBytes).toBe(0)
  })

  it('writes the same changelog as the store without it', async () => {
    const withCache = await openBuffer(await dirs.make())
    const without = await openBuffer(await dirs.make(), undefined, false)
    for (const { store, context } of [withCache, without]) {
      for (let i = 0; i < 40; i++) {
        context.recordTime = i * 7_000
        context.streamTime = i * 7_000
        await store.put(`k${i % 3}`, `v${i}`, i * 7_000)
      }
      await store.flush()
    }
    expect(withCache.context.logged.length).toBe(40)
    expect(withCache.context.logged).toEqual(without.context.logged)
    await withCache.store.close()
    await without.store.close()
  })

  it('fills memory while restoring, leaving out records past retention', async () => {
    const source = await openBuffer(await dirs.make(), undefined, false)
    for (let i = 0; i < 6; i++) await source.store.put('k', `v${i}`, i * 40_000)
    const records: ChangelogRecord[] = source.context.logged.map((l) => ({ key: l.key, value: l.value }))
    await source.store.close()

    const { store, cache } = await openBuffer(await dirs.make())
    await store.restore(records)
    // Newest time 200 000: live from 80 001 on, so 120 000 .. 200 000 in segments 2 and 3.
    expect(cache.cachedSegmentIds).toEqual([2, 3])
    const range = store.fetchRange('k', 0, 300_000)
    expect(isPromiseLike(range)).toBe(false)
    expect(rows(range as WindowEntry<string>[])).toEqual(['120000=v3', '160000=v4', '200000=v5'])
    await store.close()
  })

  it('gives the answers of an in-memory store under random writes and a tight bound', async () => {
    const { store, cache, context } = await openBuffer(await dirs.make(), 4_000)
    const reference = createWindowStore<string, string>(
      { name: 'buffer', type: 'window', retentionMs: RETENTION, windowSizeMs: MINUTE, retainDuplicates: true, loggingEnabled: false, cachingEnabled: true },
      { supplier: 'memory', keySerde: Serdes.string(), valueSerde: Serdes.string() },
    )
    const referenceContext = new TestStoreContext(await dirs.make(), false)
    await reference.init(referenceContext)
    let seed = 11
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff
      return seed % n
    }
    let now = 0
    for (let i = 0; i < 400; i++) {
      now += random(2_000)
      const time = Math.max(0, now - random(30_000))
      context.streamTime = referenceContext.streamTime = now
      const key = `k${random(5)}`
      await store.put(key, `v${i}`, time)
      await reference.put(key, `v${i}`, time)
      if (i % 10 === 0) {
        const from = Math.max(0, now - random(150_000))
        expect(await store.fetchRange(key, from, now)).toEqual(await reference.fetchRange(key, from, now))
      }
    }
    // The bound was hit and the disk answered part of the reads, yet every answer matched.
    expect(cache.spilledSegments).toBeGreaterThan(0)
    expect(cache.readsBelow).toBeGreaterThan(0)
    await store.close()
    await reference.close()
  })
})

describe('join buffers built on RocksDB', () => {
  const plain = { name: 'buffer', type: 'window', retentionMs: RETENTION, windowSizeMs: MINUTE, retainDuplicates: true, loggingEnabled: true, cachingEnabled: true } as const
  const definition = { ...plain, streamJoinStore: 'window-buffer' } as const

  it('answer fetches synchronously unless the cache is switched off or the store is no join buffer', async () => {
    for (const [def, bound, sync] of [[definition, undefined, true], [definition, 0, false], [plain, undefined, false]] as const) {
      const store = createWindowStore<string, string>(def, {
        supplier: 'rocksdb',
        keySerde: Serdes.string(),
        valueSerde: Serdes.string(),
        ...(bound === undefined ? {} : { joinCacheMaxBytes: bound }),
      })
      await store.init(new TestStoreContext(await dirs.make()))
      await store.put('a', 'a1', 1_000)
      const range = store.fetchRange('a', 0, 2_000)
      expect(isPromiseLike(range)).toBe(!sync)
      expect(rows(await range)).toEqual(['1000=a1'])
      await store.close()
    }
  })

  it('reject a negative bound with a clear error', () => {
    expect(() =>
      createWindowStore(definition, { supplier: 'rocksdb', keySerde: Serdes.string(), valueSerde: Serdes.string(), joinCacheMaxBytes: -1 }),
    ).toThrow(/joinCacheMaxBytes of store "buffer"/)
  })

  it('reject the role on a window store that does not keep every record', () => {
    const latestOnly = { ...definition, retainDuplicates: false }
    expect(() => createWindowStore(latestOnly, { supplier: 'rocksdb', keySerde: Serdes.string(), valueSerde: Serdes.string() })).toThrow(
      /"buffer" plays the stream-join role "window-buffer", which needs a window store with retainDuplicates/,
    )
  })
})
