import { afterEach, describe, expect, it } from 'vitest'
import { isTributaryError } from '../../../src/core/errors.js'
import type { Record as StreamRecord } from '../../../src/core/record.js'
import type { Change } from '../../../src/core/windowed.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { createTimeOrderedBuffer } from '../../../src/state/index.js'
import { decodeBufferedRecord, encodeBufferedRecord } from '../../../src/state/memory/buffered-record-format.js'
import type { BufferedRecord, ChangelogRecord, StoreDefinition } from '../../../src/state/types.js'
import { collect, openStore, TempDirs, type TestStoreContext } from '../fixtures.js'

const def: StoreDefinition = { name: 'buffer', type: 'keyValue', timeOrderedBuffer: true, loggingEnabled: true, cachingEnabled: false }
const build = () => createTimeOrderedBuffer(def, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })

function update(key: string, newValue: number | null, oldValue: number | null, timestamp: number, headers = {}): StreamRecord<string, Change<number>> {
  return { key, value: { newValue, oldValue }, timestamp, headers }
}

/** Key, buffer time, new, old and prior value, record timestamp: what an eviction must give back. */
const summary = (e: BufferedRecord<string, number> | undefined) =>
  e === undefined ? undefined : [e.record.key, e.bufferTime, e.record.value.newValue, e.record.value.oldValue, e.priorValue, e.record.timestamp]

const asChangelog = (context: TestStoreContext): ChangelogRecord[] => context.logged.map(({ key, value }) => ({ key, value }))

describe('TimeOrderedKeyValueBuffer', () => {
  const dirs = new TempDirs()
  afterEach(() => dirs.cleanup())

  it('evicts by buffer time, then serialized key; a buffered key keeps its buffer time and prior value', async () => {
    const { store } = await openStore(dirs, build())
    store.put(20, update('b', 1, null, 5))
    store.put(10, update('c', 7, 6, 6))
    store.put(20, update('a', 3, 2, 7))
    store.put(99, update('c', 8, 7, 8)) // a later update of c: still due at 10, prior value still 6
    expect(store.size).toBe(3)
    expect(store.minBufferTime()).toBe(10)
    expect(summary(store.evictOldest())).toEqual(['c', 10, 8, 7, 6, 8])
    expect(summary(store.evictOldest())).toEqual(['a', 20, 3, 2, 2, 7])
    expect(summary(store.evictOldest())).toEqual(['b', 20, 1, null, null, 5])
    expect(store.evictOldest()).toBeUndefined()
    expect(store.minBufferTime()).toBe(Number.POSITIVE_INFINITY)
  })

  it('orders buffer times across the whole range of timestamps', async () => {
    const { store } = await openStore(dirs, build())
    const times = [2 ** 40 + 3, 0, -1, 2 ** 32, 2 ** 32 - 1, 1_767_254_455_558]
    times.forEach((t, i) => store.put(t, update(`k${i}`, i, null, t)))
    const evicted: number[] = []
    for (let e = store.evictOldest(); e !== undefined; e = store.evictOldest()) evicted.push(e.bufferTime)
    expect(evicted).toEqual([...times].sort((a, b) => a - b))
  })

  it('logs each changed key once per flush: its entry while buffered, a tombstone once evicted', async () => {
    const { store, context } = await openStore(dirs, build())
    store.put(10, update('a', 1, null, 3))
    store.put(10, update('a', 2, 1, 4))
    store.put(20, update('b', 1, null, 5))
    await store.flush()
    expect(context.logged.map((r) => [r.key.toString(), r.value === null ? null : decodeBufferedRecord(r.value, 'buffer').newValue?.toString(), r.timestamp])).toEqual([
      ['a', '2', 4],
      ['b', '1', 5],
    ])
    context.logged.length = 0
    await store.flush()
    expect(context.logged).toEqual([]) // nothing changed since

    store.evictOldest()
    await store.flush()
    expect(context.logged.map((r) => [r.key.toString(), r.value, r.timestamp])).toEqual([['a', null, 4]])
  })

  it('is rebuilt from its changelog with the same records, prior values and stream time, without logging them again', async () => {
    const first = await openStore(dirs, build())
    const trace = { trace: Buffer.from('t-1') }
    first.store.observeStreamTime(40)
    first.store.put(30, update('a', 2, 1, 25, trace))
    first.store.put(30, update('a', 3, 2, 28, trace))
    first.store.put(20, update('b', null, 4, 12))
    first.store.put(10, update('gone', 5, null, 9))
    await first.store.flush()
    first.store.observeStreamTime(55)
    first.store.evictOldest() // 'gone', logged last as a tombstone, with stream time 55 on no entry
    first.store.put(30, update('a', 4, 3, 29, trace))
    await first.store.flush()
    const expected = [first.store.evictOldest(), first.store.evictOldest()].map(summary)

    const second = await openStore(dirs, build())
    await second.store.restore(asChangelog(first.context))
    expect(second.store.size).toBe(2)
    expect(second.store.streamTimeMs).toBe(55) // logged with a's last entry
    expect(await second.store.get('gone')).toBeUndefined()
    const a = await second.store.get('a')
    expect(a?.record.headers).toEqual(trace)
    expect([second.store.evictOldest(), second.store.evictOldest()].map(summary)).toEqual(expected)
    expect(expected).toEqual([
      ['b', 20, null, 4, 4, 12],
      ['a', 30, 4, 3, 1, 29],
    ])
    await second.store.flush()
    expect(second.context.logged.map((r) => [r.key.toString(), r.value])).toEqual([
      ['b', null],
      ['a', null],
    ]) // the evictions only: restored entries are not written again
  })

  it('takes the stream time back from entries evicted since they were logged', async () => {
    const first = await openStore(dirs, build())
    first.store.observeStreamTime(70)
    first.store.put(60, update('a', 1, null, 60))
    await first.store.flush()
    first.store.evictOldest()
    await first.store.flush()
    const second = await openStore(dirs, build())
    await second.store.restore(asChangelog(first.context))
    expect(second.store.size).toBe(0)
    expect(second.store.streamTimeMs).toBe(70)
  })

  it('reads as a key-value store of what is held, in key order; it lives in memory only', async () => {
    const { store } = await openStore(dirs, build())
    store.put(10, update('b', 2, null, 1))
    store.put(5, update('a', 1, null, 2))
    store.put(7, update('c', 3, null, 3))
    expect((await collect(store.all())).map(([k, e]) => [k, e.record.value.newValue])).toEqual([['a', 1], ['b', 2], ['c', 3]])
    expect((await collect(store.range('b', 'c'))).map(([k]) => k)).toEqual(['b', 'c'])
    expect(summary(await store.get('b'))).toEqual(['b', 10, 2, null, null, 1])
    expect(store.approximateNumEntries()).toBe(3)
    expect(store.persistent).toBe(false)
    await store.close()
    expect(() => store.put(1, update('d', 1, null, 1))).toThrow(/not open/)
  })

  it('logs nothing when logging is off for it', async () => {
    const { store, context } = await openStore(dirs, build(), { changelog: false })
    store.put(10, update('a', 1, null, 3))
    await store.flush()
    expect(context.logged).toEqual([])
  })

  // Kafka Streams' computeRecordSize: 8 (buffer time) + key + prior + old unless equal to prior + new
  // + record context (8 timestamp + 8 offset + 4 partition + topic chars + header names and values).
  it('counts its bytes as Kafka Streams does, once asked to', async () => {
    const { store } = await openStore(dirs, build())
    store.put(10, update('x', 1, null, 1), 'topic')
    store.evictOldest()
    expect(store.sizeBytes).toBe(0) // not counted yet
    store.countBytes()
    store.put(10, update('a', 1, null, 3), 'topic')
    expect(store.sizeBytes).toBe(8 + 1 + 1 + 20 + 5) // key 'a', new '1', topic 'topic'
    store.put(10, update('a', 22, 1, 4), 'topic')
    expect(store.sizeBytes).toBe(8 + 1 + 1 + 2 + 20 + 5) // the old value '1' differs from the prior (null)
    store.put(20, update('bb', 5, 4, 5, { trace: Buffer.from('xyz') }), 'in')
    const bb = 8 + 2 + 1 + 1 + 20 + 2 + 5 + 3 // prior '4' (the old value, counted once), new '5', header 'trace' = 'xyz'
    expect(store.sizeBytes).toBe(37 + bb)
    store.put(20, update('bb', 66, 4, 6), 'in')
    expect(store.sizeBytes).toBe(37 + (8 + 2 + 1 + 2 + 20 + 2)) // old '4' equals the prior: not counted; no headers now
    store.evictOldest()
    expect(store.sizeBytes).toBe(8 + 2 + 1 + 2 + 20 + 2)
    store.evictOldest()
    expect(store.sizeBytes).toBe(0)
    expect(store.size).toBe(0)
  })

  it('counts restored entries (without their topic, which the changelog does not keep)', async () => {
    const first = await openStore(dirs, build())
    first.store.countBytes()
    first.store.put(10, update('a', 22, 1, 4, { h: Buffer.from('v') }), 'topic')
    first.store.put(10, update('a', 33, 22, 5, { h: Buffer.from('v') }), 'topic')
    first.store.put(20, update('b', 5, null, 5), 'topic')
    await first.store.flush()
    const a = 8 + 1 + 1 + 2 + 2 + 20 + 2 // prior '1', old '22', new '33', header h = v
    const b = 8 + 1 + 1 + 20
    expect(first.store.sizeBytes).toBe(a + 5 + b + 5)

    const second = await openStore(dirs, build())
    await second.store.restore(asChangelog(first.context))
    expect(second.store.sizeBytes).toBe(0)
    second.store.countBytes()
    expect(second.store.sizeBytes).toBe(a + b)
    second.store.put(20, update('b', 6, 5, 6), 'topic')
    expect(second.store.sizeBytes).toBe(a + (8 + 1 + 1 + 1 + 20 + 5)) // prior null, old '5', new '6'
  })

  it('refuses to start counting bytes after uncounted puts', async () => {
    const { store } = await openStore(dirs, build())
    store.put(10, update('a', 1, null, 3))
    let error: unknown
    try {
      store.countBytes()
    } catch (e) {
      error = e
    }
    expect(isTributaryError(error, 'TRIBUTARY_ILLEGAL_STATE')).toBe(true)
    expect((error as Error).message).toContain('before the first put')
  })
})

describe('buffered record format', () => {
  it('round-trips times, headers and the three values, null included', () => {
    const parts = {
      bufferTime: 120_000,
      timestamp: 119_999,
      streamTime: Number.NEGATIVE_INFINITY,
      headers: { trace: Buffer.from('t'), empty: Buffer.alloc(0) },
      priorValue: null,
      oldValue: Buffer.from('1'),
      newValue: Buffer.alloc(0),
    }
    expect(decodeBufferedRecord(encodeBufferedRecord(parts), 'buffer')).toEqual(parts)
  })

  it('refuses an entry of a format it does not know', () => {
    const bytes = encodeBufferedRecord({ bufferTime: 1, timestamp: 1, streamTime: 1, headers: {}, priorValue: null, oldValue: null, newValue: null })
    bytes.writeUInt8(9, 0)
    let error: unknown
    try {
      decodeBufferedRecord(bytes, 'buffer')
    } catch (e) {
      error = e
    }
    expect(isTributaryError(error, 'TRIBUTARY_STATE')).toBe(true)
    expect((error as Error).message).toContain('format 9')
  })
})
