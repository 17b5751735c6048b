import { afterEach, describe, expect, it } from 'vitest'
import { isPromiseLike } from '../../src/core/maybe-promise.js'
import type { Record as StreamRecord } from '../../src/core/record.js'
import { streamAggregateProcessor } from '../../src/processors/aggregate.js'
import { timeWindowAggregateProcessor } from '../../src/processors/time-window-aggregate.js'
import { valueAndTimestampSerde } from '../../src/processors/value-and-timestamp.js'
import { Serdes } from '../../src/serde/serdes.js'
import { createKeyValueStore, createWindowStore } from '../../src/state/index.js'
import type { StoreSupplierKind } from '../../src/state/types.js'
import { openStore, suppliers, TempDirs } from '../state/fixtures.js'
import { contextWith } from './fixtures.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

/** A count per key over a key-value store, as `groupByKey().count()` compiles to. */
async function countPerKey(supplier: StoreSupplierKind, cachingEnabled: boolean) {
  const store = createKeyValueStore(
    { name: 'counts', type: 'keyValue', loggingEnabled: false, cachingEnabled },
    { supplier, keySerde: Serdes.string(), valueSerde: valueAndTimestampSerde(Serdes.json<number>()) },
  )
  await openStore(dirs, store, { changelog: false })
  const forwarded: StreamRecord<unknown, unknown>[] = []
  const processor = streamAggregateProcessor<string, string, number>({ storeName: 'counts', accumulate: (_k, _v, n) => (n ?? 0) + 1 })()
  await processor.init?.(contextWith(store, forwarded) as never)
  const process = (timestamp: number) => processor.process({ key: 'a', value: 'x', timestamp, headers: {} })
  return { store, process, forwarded }
}

/** A count per key in hopping windows of 100 ms every 50 ms. */
async function countPerHoppingWindow(supplier: StoreSupplierKind, cachingEnabled: boolean) {
  const store = createWindowStore(
    { name: 'w', type: 'window', retentionMs: 200, windowSizeMs: 100, loggingEnabled: false, cachingEnabled },
    { supplier, keySerde: Serdes.string(), valueSerde: valueAndTimestampSerde(Serdes.json<number>()) },
  )
  await openStore(dirs, store, { changelog: false })
  const forwarded: StreamRecord<unknown, unknown>[] = []
  const processor = timeWindowAggregateProcessor<string, string, number>({
    storeName: 'w',
    windows: { sizeMs: 100, advanceMs: 50, graceMs: 0 },
    accumulate: (_k, _v, n) => (n ?? 0) + 1,
  })()
  await processor.init?.(contextWith(store, forwarded) as never)
  const process = (timestamp: number) => processor.process({ key: 'a', value: 'x', timestamp, headers: {} })
  return { store, process, forwarded }
}

describe.each(suppliers)('aggregations on cached %s state answer synchronously (no promise per record)', (supplier) => {
  it('stream aggregate', async () => {
    const { store, process, forwarded } = await countPerKey(supplier, true)
    // A key the cache has not seen yet is read from the store below: on RocksDB that takes a promise.
    const first = process(0)
    expect(isPromiseLike(first)).toBe(supplier === 'rocksdb')
    await first
    for (let i = 1; i < 3; i++) {
      // A commit writes the cache down (into RocksDB) and keeps what it holds.
      await store.flush()
      expect(isPromiseLike(process(i))).toBe(false)
    }
    expect(forwarded.map((r) => r.value)).toEqual([
      { newValue: 1, oldValue: null },
      { newValue: 2, oldValue: 1 },
      { newValue: 3, oldValue: 2 },
    ])
    await store.close()
  })

  it('hopping window aggregate', async () => {
    const { store, process, forwarded } = await countPerHoppingWindow(supplier, true)
    expect(isPromiseLike(process(60))).toBe(false)
    await store.flush()
    expect(isPromiseLike(process(70))).toBe(false)
    expect(forwarded.map((r) => [r.key, (r.value as { newValue: number }).newValue])).toEqual([
      [{ key: 'a', window: { start: 0, end: 100 } }, 1],
      [{ key: 'a', window: { start: 50, end: 150 } }, 1],
      [{ key: 'a', window: { start: 0, end: 100 } }, 2],
      [{ key: 'a', window: { start: 50, end: 150 } }, 2],
    ])
    await store.close()
  })
})

// The control for the checks above: the same steps without the cache wait for RocksDB, so on
// RocksDB those checks see the cache at work.
describe('aggregations on uncached rocksdb state wait for it', () => {
  it('stream aggregate', async () => {
    const { store, process, forwarded } = await countPerKey('rocksdb', false)
    for (let i = 0; i < 3; i++) {
      const result = process(i)
      expect(isPromiseLike(result)).toBe(true)
      await result
      await store.flush()
    }
    expect(forwarded.map((r) => (r.value as { newValue: number }).newValue)).toEqual([1, 2, 3])
    await store.close()
  })

  it('hopping window aggregate', async () => {
    const { store, process, forwarded } = await countPerHoppingWindow('rocksdb', false)
    await process(60)
    await store.flush()
    const second = process(70)
    expect(isPromiseLike(second)).toBe(true)
    await second
    expect(forwarded.map((r) => (r.value as { newValue: number }).newValue)).toEqual([1, 1, 2, 2])
    await store.close()
  })
})
