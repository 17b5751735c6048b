import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Windowed } from '../../src/core/windowed.js'
import { isPromiseLike } from '../../src/core/maybe-promise.js'
import { Serdes } from '../../src/serde/serdes.js'
import { createSessionStore } from '../../src/state/index.js'
import type { StoreDefinition, StoreSupplierKind } from '../../src/state/types.js'
import { collect, openStore, suppliers, TempDirs } from './fixtures.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

const RETENTION = 120_000

function definition(overrides: Partial<StoreDefinition> = {}): StoreDefinition {
  return { name: 'sessions', type: 'session', retentionMs: RETENTION, loggingEnabled: true, cachingEnabled: false, ...overrides }
}

function openSessions(supplier: StoreSupplierKind, def: StoreDefinition, taskDir?: string) {
  return openStore(dirs, createSessionStore<string, number>(def, { supplier, keySerde: Serdes.string(), valueSerde: Serdes.json<number>() }), { taskDir })
}

const session = (key: string, start: number, end: number): Windowed<string> => ({ key, window: { start, end } })

function sessionKey(key: string, start: number, end: number): Buffer {
  const suffix = Buffer.alloc(16)
  suffix.writeBigUInt64BE(BigInt(end), 0)
  suffix.writeBigUInt64BE(BigInt(start), 8)
  return Buffer.concat([Buffer.from(key), suffix])
}

/** The sessions a record at `t` merges with, given inactivity gap `gap` (what the session aggregate asks). */
async function mergeCandidates(store: Awaited<ReturnType<typeof openSessions>>['store'], key: string, t: number, gap: number) {
  const found = await store.findSessions(key, t - gap, t + gap)
  return found.map(([w, v]) => [w.window.start, w.window.end, v])
}

describe.each(suppliers)('session store on %s', (supplier) => {
  describe.each([false, true])('caching %s', (cachingEnabled) => {
    it('finds the sessions a new record merges with', async () => {
      const { store } = await openSessions(supplier, definition({ cachingEnabled }))
      await store.put(session('a', 0, 10), 1)
      await store.put(session('a', 100, 150), 2)
      await store.put(session('a', 1_000, 1_000), 3)
      await store.put(session('aa', 100, 150), 99) // shares a's bytes as a prefix
      await store.put(session('b', 100, 150), 98)
      if (cachingEnabled) await store.flush()
      await store.put(session('a', 2_000, 2_100), 4)

      expect(await mergeCandidates(store, 'a', 120, 30)).toEqual([[100, 150, 2]]) // inside a session
      expect(await mergeCandidates(store, 'a', 40, 30)).toEqual([[0, 10, 1]]) // within the gap after it
      expect(await mergeCandidates(store, 'a', 70, 30)).toEqual([[100, 150, 2]]) // within the gap before it
      expect(await mergeCandidates(store, 'a', 60, 20)).toEqual([]) // too far from both
      expect(await mergeCandidates(store, 'a', 55, 45)).toEqual([
        [0, 10, 1],
        [100, 150, 2],
      ]) // bridges two sessions: both, ordered by end
      expect(await mergeCandidates(store, 'a', 1_950, 50)).toEqual([[2_000, 2_100, 4]])
      expect(await mergeCandidates(store, 'c', 120, 30)).toEqual([])
      await store.close()
    })

    it('keeps answers for a key apart from a longer key whose store keys sort inside its scans', async () => {
      const { store } = await openSessions(supplier, definition({ cachingEnabled }))
      // [longer][end][start] falls between [a][70 000][0] and [a][ff..] whatever its times.
      const longer = 'a\u0000\u0000\u0000\u0000\u0000\u0002'
      // Restored: in the store below the cache, not in the cache.
      await store.restore([
        { key: sessionKey(longer, 5, 10), value: Buffer.from('1') }, // first segment
        { key: sessionKey('a', 69_000, 70_000), value: Buffer.from('2') }, // second segment
      ])
      expect(await store.findSessions('a', 70_000, 70_000)).toEqual([[session('a', 69_000, 70_000), 2]])
      expect(await store.findSessions('a', 70_000, 70_000)).toEqual([[session('a', 69_000, 70_000), 2]])
      expect(await store.findSessions(longer, 0, 100)).toEqual([[session(longer, 5, 10), 1]])
      await store.close()
    })

    it('fetches, removes and lists sessions', async () => {
      const { store } = await openSessions(supplier, definition({ cachingEnabled }))
      await store.put(session('a', 0, 10), 1)
      await store.put(session('a', 100, 150), 2)
      await store.put(session('b', 5, 5), 3)
      expect(await store.fetchSession('a', 100, 150)).toBe(2)
      expect(await store.fetchSession('a', 100, 151)).toBeUndefined()
      expect((await store.fetch('a')).map(([w, v]) => [w.key, w.window.start, w.window.end, v])).toEqual([
        ['a', 0, 10, 1],
        ['a', 100, 150, 2],
      ])
      await store.remove(session('a', 0, 10))
      await store.put(session('a', 100, 150), null)
      expect(await store.fetch('a')).toEqual([])
      expect(await collect(store.all())).toEqual([[session('b', 5, 5), 3]])
      await store.close()
    })

    it('expires sessions that ended before stream time minus retention', async () => {
      const { store } = await openSessions(supplier, definition({ cachingEnabled }))
      await store.put(session('a', 0, 10), 1)
      await store.put(session('a', 60_000, 70_000), 2)
      await store.put(session('b', 200_000, 200_000), 3) // live from 80 001
      expect(await store.fetch('a')).toEqual([])
      expect(await store.findSessions('a', 0, 300_000)).toEqual([])
      await store.put(session('a', 75_000, 80_000), 4)
      expect(await store.fetchSession('a', 75_000, 80_000)).toBeUndefined()
      expect(store.metrics().expiredRecords).toBe(1)
      expect(await collect(store.all())).toEqual([[session('b', 200_000, 200_000), 3]])
      await store.close()
    })

    it('logs [key][end][start] keys and restores them without logging', async () => {
      const { store, context } = await openSessions(supplier, definition({ cachingEnabled }))
      context.recordTime = 150
      await store.put(session('a', 100, 150), 2)
      await store.flush()
      expect(context.logged).toEqual([{ key: sessionKey('a', 100, 150), value: Buffer.from('2'), timestamp: 150 }])
      await store.restore([
        { key: sessionKey('b', 1, 2), value: Buffer.from('7') },
        { key: sessionKey('a', 100, 150), value: null },
      ])
      expect(await store.fetch('a')).toEqual([])
      expect(await store.fetchSession('b', 1, 2)).toBe(7)
      expect(context.logged).toHaveLength(1)
      await store.close()
    })
  })
})

describe.each(suppliers)('session store on %s with caching', (supplier) => {
  it('finds a hot key\'s sessions synchronously once it has read them', async () => {
    const { store } = await openSessions(supplier, definition({ cachingEnabled: true }))
    await store.put(session('a', 0, 10), 1)
    await store.flush()
    await store.findSessions('a', 0, 40) // may read below the cache once
    const found = store.findSessions('a', 5, 40)
    expect(isPromiseLike(found)).toBe(false)
    expect(found).toEqual([[session('a', 0, 10), 1]])
    await store.remove(session('a', 0, 10))
    await store.put(session('a', 0, 30), 2)
    expect(store.findSessions('a', 10, 60)).toEqual([[session('a', 0, 30), 2]])
    await store.close()
  })
})

describe('session store on rocksdb, on disk', () => {
  it('keeps sessions across close and reopen', async () => {
    const taskDir = await dirs.make()
    const first = await openSessions('rocksdb', definition({ cachingEnabled: true }), taskDir)
    await first.store.put(session('a', 0, 10), 1)
    await first.store.close()
    expect(existsSync(join(taskDir, 'rocksdb', 'sessions', 'sessions.0'))).toBe(true)
    const second = await openSessions('rocksdb', definition(), taskDir)
    expect(await second.store.findSessions('a', 0, 10)).toEqual([[session('a', 0, 10), 1]])
    await second.store.close()
  })
})

describe.each(suppliers)('session store on %s: findSessionsByEndTime', (supplier) => {
  describe.each([false, true])('caching %s', (cachingEnabled) => {
    it('finds the sessions of every key ending in a range, whole live segments included', async () => {
      // Retention 120 s: segments of 60 s.
      const { store } = await openSessions(supplier, definition({ cachingEnabled }))
      await store.put(session('b', 5, 10), 1)
      await store.put(session('a', 20, 30), 2)
      await store.put(session('aa', 30, 30), 3)
      await store.put(session('a', 40, 90_000), 4)
      if (cachingEnabled) await store.flush()
      await store.put(session('c', 121_000, 121_000), 5)
      // By key bytes, then end and start; the session ending at 90 000 is out of the range.
      expect(await collect(store.findSessionsByEndTime(10, 30))).toEqual([
        [session('a', 20, 30), 2],
        [session('aa', 30, 30), 3],
        [session('b', 5, 10), 1],
      ])
      // Past retention (ends before 121 000 - 120 000 + 1), but segment 0 is still live: other reads no longer see it.
      expect(await store.findSessions('b', 0, 100)).toEqual([])
      expect(await collect(store.findSessionsByEndTime(0, 10))).toEqual([[session('b', 5, 10), 1]])
      // Once stream time drops segment 0, it is gone from this read too.
      await store.put(session('c', 180_000, 180_000), 6)
      expect(await collect(store.findSessionsByEndTime(0, 100_000))).toEqual([[session('a', 40, 90_000), 4]])
      await store.close()
    })
  })
})
