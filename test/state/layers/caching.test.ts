import { describe, expect, it } from 'vitest'
import { isPromiseLike } from '../../../src/core/maybe-promise.js'
import type { BytesEntry, BytesWrite } from '../../../src/state/bytes-store.js'
import { CachingBytesStore } from '../../../src/state/layers/caching.js'
import { MemoryBytesStore } from '../../../src/state/memory/memory-bytes-store.js'
import { TestStoreContext } from '../fixtures.js'

const b = (s: string): Buffer => Buffer.from(s)

/** A memory store that records the batches written into it. */
class RecordingStore extends MemoryBytesStore {
  readonly batches: BytesWrite[][] = []
  override putAll(writes: readonly BytesWrite[]): void {
    this.batches.push([...writes])
    super.putAll(writes)
  }
}

/** A memory store whose reads answer later, like RocksDB; counts its scans. */
class SlowReadStore extends MemoryBytesStore {
  scans = 0
  override get(key: Buffer): Buffer | undefined {
    return Promise.resolve(super.get(key)) as unknown as Buffer | undefined
  }
  override scan(from: Buffer | undefined, to: Buffer | undefined): BytesEntry[] {
    this.scans++
    return Promise.resolve(super.scan(from, to)) as unknown as BytesEntry[]
  }
}

/** A memory store whose scans read at once but answer only when released. */
class GatedScanStore extends MemoryBytesStore {
  private readonly gates: (() => void)[] = []
  override scan(from: Buffer | undefined, to: Buffer | undefined): BytesEntry[] {
    const found = super.scan(from, to)
    return new Promise<BytesEntry[]>((resolve) => this.gates.push(() => resolve(found))) as unknown as BytesEntry[]
  }
  release(): void {
    for (const open of this.gates.splice(0)) open()
  }
}

const text = (entries: BytesEntry[]): string[] => entries.map((e) => `${e.key}=${e.value}`)

async function cacheOver<S extends MemoryBytesStore>(inner: S, maxBytes = 1 << 20) {
  const context = new TestStoreContext('/nonexistent')
  const cache = new CachingBytesStore(inner, { budget: maxBytes })
  await cache.init(context)
  return { cache, context }
}

describe('CachingBytesStore', () => {
  it('writes dirty entries down only on flush, in one batch stamped with their record times', async () => {
    const inner = new RecordingStore('s')
    const { cache, context } = await cacheOver(inner)
    context.recordTime = 5
    cache.put(b('a'), b('1'))
    context.recordTime = 6
    cache.put(b('b'), b('2'))
    cache.put(b('a'), b('3'))
    cache.put(b('c'), null)
    expect(inner.get(b('a'))).toBeUndefined()
    expect(cache.get(b('a'))).toEqual(b('3'))
    await cache.flush()
    expect(inner.batches).toHaveLength(1)
    expect(inner.batches[0]!.map((w) => [w.key.toString(), w.value?.toString() ?? null, w.timestamp])).toEqual([
      ['a', '3', 6],
      ['b', '2', 6],
      ['c', null, 6],
    ])
    expect(inner.get(b('a'))).toEqual(b('3'))
    await cache.flush()
    expect(inner.batches).toHaveLength(1) // nothing dirty: nothing written
  })

  it('evicts least recently used entries beyond its bound, writing the dirty ones down', async () => {
    const inner = new RecordingStore('s')
    const { cache } = await cacheOver(inner, 1_000)
    for (let i = 0; i < 20; i++) cache.put(b(`k${i}`), Buffer.alloc(100, i))
    expect(cache.sizeBytes).toBeLessThanOrEqual(1_000)
    const written = inner.batches.flat().map((w) => w.key.toString())
    expect(written[0]).toBe('k0')
    // Every key is readable: from the cache or from the store below.
    for (let i = 0; i < 20; i++) expect(cache.get(b(`k${i}`))).toEqual(Buffer.alloc(100, i))
  })

  it('keeps a recently read entry over an older one', async () => {
    const inner = new RecordingStore('s')
    const { cache } = await cacheOver(inner, 500)
    cache.put(b('a'), Buffer.alloc(100))
    cache.put(b('b'), Buffer.alloc(100))
    cache.get(b('a')) // a is now the most recently used
    cache.put(b('c'), Buffer.alloc(100))
    expect(inner.batches.flat().map((w) => w.key.toString())).toEqual(['b'])
  })

  it('lays cached writes and deletes over the store below in scans', async () => {
    const inner = new RecordingStore('s')
    const { cache } = await cacheOver(inner)
    for (const k of ['a', 'b', 'c']) inner.put(b(k), b(`${k}-old`))
    cache.put(b('b'), null)
    cache.put(b('c'), b('c-new'))
    cache.put(b('d'), b('d-new'))
    const scanned = cache.scan(undefined, undefined)
    expect(isPromiseLike(scanned)).toBe(false)
    const expected = ['a=a-old', 'c=c-new', 'd=d-new']
    expect((scanned as { key: Buffer; value: Buffer }[]).map((e) => `${e.key}=${e.value}`)).toEqual(expected)
    const streamed: string[] = []
    for await (const e of cache.iterate(b('a'), b('z'))) streamed.push(`${e.key}=${e.value}`)
    expect(streamed).toEqual(expected)
  })

  it('fills misses from a slow store without overwriting a newer put', async () => {
    const inner = new SlowReadStore('s')
    const { cache } = await cacheOver(inner)
    inner.put(b('a'), b('stored'))
    const read = cache.get(b('a'))
    expect(isPromiseLike(read)).toBe(true)
    cache.put(b('a'), b('newer'))
    expect(await read).toEqual(b('stored'))
    expect(cache.get(b('a'))).toEqual(b('newer'))
    expect(cache.get(b('missing'))).toBeInstanceOf(Promise)
    await cache.get(b('missing'))
    expect(cache.get(b('missing'))).toBeUndefined() // known absent: answered synchronously now
  })

  it('drops cached copies of restored keys', async () => {
    const inner = new RecordingStore('s')
    const { cache } = await cacheOver(inner)
    cache.put(b('a'), b('cached'))
    await cache.restore([{ key: b('a'), value: b('restored') }])
    expect(cache.get(b('a'))).toEqual(b('restored'))
    expect(cache.dirtyCount).toBe(0)
  })
})

describe('CachingBytesStore over a store with slow scans', () => {
  it('answers later scans inside a small range it read below from the cache, synchronously', async () => {
    const inner = new SlowReadStore('s')
    const { cache } = await cacheOver(inner)
    for (const k of ['k1', 'k2', 'k3', 'l1']) inner.put(b(k), b('old'))
    expect(text(await cache.scan(b('k'), b('kz')))).toEqual(['k1=old', 'k2=old', 'k3=old'])
    expect(inner.scans).toBe(1)
    cache.put(b('k2'), null)
    cache.put(b('k4'), b('new'))
    const again = cache.scan(b('k1'), b('kz'))
    expect(isPromiseLike(again)).toBe(false)
    expect(text(again as BytesEntry[])).toEqual(['k1=old', 'k3=old', 'k4=new'])
    await cache.flush() // the written-down delete leaves the cache; the range stays complete
    expect(text(cache.scan(b('k'), b('kz')) as BytesEntry[])).toEqual(['k1=old', 'k3=old', 'k4=new'])
    expect(inner.scans).toBe(1)
    // Outside the range it goes below again.
    expect(text(await cache.scan(b('k'), b('m')))).toEqual(['k1=old', 'k3=old', 'k4=new', 'l1=old'])
    expect(inner.scans).toBe(2)
  })

  it('reads below again once an entry of the range was evicted', async () => {
    const inner = new SlowReadStore('s')
    const { cache } = await cacheOver(inner, 600)
    inner.put(b('k1'), Buffer.alloc(100))
    inner.put(b('k2'), Buffer.alloc(100))
    await cache.scan(b('k'), b('kz'))
    for (const k of ['x1', 'x2']) cache.put(b(k), Buffer.alloc(100)) // evicts k1
    const scanned = cache.scan(b('k'), b('kz'))
    expect(isPromiseLike(scanned)).toBe(true)
    expect((await scanned).map((e) => e.key.toString())).toEqual(['k1', 'k2'])
  })

  it('keeps a remembered range complete when only a deleted key of it is evicted', async () => {
    const inner = new SlowReadStore('s')
    // Entries cost 96 bytes of bookkeeping + twice the key + the value: 200 live, 100 deleted.
    const { cache } = await cacheOver(inner, 690)
    inner.put(b('k1'), Buffer.alloc(100))
    inner.put(b('k2'), Buffer.alloc(100))
    await cache.scan(b('k'), b('kz'))
    cache.put(b('k2'), null) // a tombstone, now the oldest... after k1 is read again
    cache.get(b('k1'))
    for (const k of ['x1', 'x2']) cache.put(b(k), Buffer.alloc(100)) // evicts the k2 tombstone, writing it down
    expect(await inner.get(b('k2'))).toBeUndefined()
    const scanned = cache.scan(b('k'), b('kz'))
    expect(isPromiseLike(scanned)).toBe(false)
    expect((scanned as BytesEntry[]).map((e) => e.key.toString())).toEqual(['k1'])
    expect(inner.scans).toBe(1)
  })

  it('forgets only the evicted key\'s range when scans cover whole keys (session stores)', async () => {
    // Keys are a 2-byte key + 1 byte of "time"; scans cover [key][00..ff].
    const inner = new SlowReadStore('s')
    const context = new TestStoreContext('/nonexistent')
    const cache = new CachingBytesStore(inner, { budget: 700, keySuffixLength: 1 })
    await cache.init(context)
    inner.put(b('aa1'), Buffer.alloc(100))
    inner.put(b('bb1'), Buffer.alloc(100))
    const upper = (key: string): Buffer => Buffer.concat([b(key), Buffer.from([0xff])])
    await cache.scan(b('aa'), upper('aa'))
    await cache.scan(b('bb'), upper('bb'))
    expect(inner.scans).toBe(2)
    cache.get(b('bb1'))
    for (const k of ['xx1', 'yy1']) cache.put(b(k), Buffer.alloc(100)) // evicts aa1, the oldest
    expect(isPromiseLike(cache.scan(b('bb'), upper('bb')))).toBe(false) // bb's range is intact
    const aa = cache.scan(b('aa'), upper('aa'))
    expect(isPromiseLike(aa)).toBe(true) // aa's range was forgotten: read below again
    expect((await aa).map((e) => e.key.toString())).toEqual(['aa1'])
  })

  it('does not remember a scan that a removal overtook', async () => {
    const inner = new GatedScanStore('s')
    const { cache } = await cacheOver(inner)
    inner.put(b('k1'), b('old'))
    cache.put(b('k1'), null)
    const scanning = cache.scan(b('k'), b('kz')) // reads k1=old below
    await cache.flush() // writes the delete below and drops it from the cache while the scan is in flight
    inner.release()
    expect(text(await scanning)).toEqual([])
    const next = cache.scan(b('k'), b('kz'))
    expect(isPromiseLike(next)).toBe(true)
    inner.release()
    expect(await next).toEqual([])
    expect(await cache.get(b('k1'))).toBeUndefined()
  })
})
