import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { RawRecord, StreamTask } from '../../src/engine/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { CacheBudget } from '../../src/state/index.js'
import { STORE_SUPPLIERS, tempDir } from '../runtime/fixtures.js'
import { APP, commit, feed, openTask } from './task-harness.js'

const str = Serdes.string()

/**
 * A count per key to `counts-out`, and the counts left-joined with a table into a materialized
 * result (a second record cache downstream of the first, in the same task) to `joined-out`.
 */
function countTopology() {
  const b = new StreamsBuilder()
  const counts = b.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'counts' })
  counts.toStream().to('counts-out', { keySerde: str, valueSerde: Serdes.json() })
  const names = b.table<string, string>('names', { keySerde: str, valueSerde: str })
  counts
    .leftJoin(names, (count) => count, { storeName: 'joined', valueSerde: Serdes.json<number>() })
    .toStream()
    .to('joined-out', { keySerde: str, valueSerde: Serdes.json() })
  return b.build()
}

let offset = 0
function input(key: string, timestamp: number, headers: Record<string, string> = {}): RawRecord {
  const raw = Object.entries(headers).map(([k, v]): [string, Buffer] => [k, Buffer.from(v)])
  return { topic: 'in', partition: 0, offset: BigInt(offset++), key: Buffer.from(key), value: Buffer.from('x'), timestamp, headers: raw }
}

describe.each(STORE_SUPPLIERS)('a task under a record cache (%s)', (supplier) => {
  const dir = tempDir()
  const open: StreamTask[] = []
  afterEach(async () => {
    for (const task of open.splice(0)) await task.close({ clean: false })
    dir.remove()
  })

  const outputs = (collector: { recordsOf(t: string): { key: Buffer | null; value: Buffer | null; timestamp: number; headers: unknown }[] }, topic: string) =>
    collector.recordsOf(topic).map((r) => [r.key?.toString(), r.value === null ? null : JSON.parse(r.value.toString()), r.timestamp])

  it('forwards each key once per commit, with its latest count at the largest input timestamp, and logs it once', async () => {
    const budget = new CacheBudget(10 * 1024 * 1024)
    const { task, collector } = await openTask(countTopology(), { in: 1, names: 1 }, '0_0', dir.path, supplier, { recordCache: budget })
    open.push(task)
    await feed(task, [input('a', 10), input('a', 30), input('b', 5), input('a', 20)])
    // Nothing leaves before the commit: the cache holds the counts.
    expect(outputs(collector, 'counts-out')).toEqual([])
    expect(budget.usedBytes).toBeGreaterThan(0)
    await commit(task, collector)
    expect(outputs(collector, 'counts-out')).toEqual([['a', 3, 30], ['b', 1, 5]])
    // The join result downstream (its own record cache) was flushed in the same commit.
    expect(outputs(collector, 'joined-out')).toEqual([['a', 3, 30], ['b', 1, 5]])
    expect(collector.recordsOf(`${APP}-counts-changelog`).map((r) => [r.key?.toString(), r.value?.readDoubleBE(0), r.timestamp])).toEqual([['a', 3, 30], ['b', 1, 5]])

    await feed(task, [input('a', 40)])
    await commit(task, collector)
    expect(outputs(collector, 'counts-out').slice(2)).toEqual([['a', 4, 40]])
    await task.close({ clean: true })
    open.pop()
    expect(budget.usedBytes).toBe(0)
  })

  it('forwards every update at once without a record cache (cacheMaxBytes: 0)', async () => {
    const { task, collector } = await openTask(countTopology(), { in: 1, names: 1 }, '0_0', dir.path, supplier)
    open.push(task)
    await feed(task, [input('a', 10), input('a', 30), input('b', 5), input('a', 20)])
    expect(outputs(collector, 'counts-out')).toEqual([['a', 1, 10], ['a', 2, 30], ['b', 1, 5], ['a', 3, 30]])
  })

  it('forwards what an overflowing cache evicts before the commit, and ends with the same counts', async () => {
    const budget = new CacheBudget(4096)
    const { task, collector } = await openTask(countTopology(), { in: 1, names: 1 }, '0_0', dir.path, supplier, { recordCache: budget })
    open.push(task)
    const records: RawRecord[] = []
    // Each key three times in a row: the cache (about 30 entries) collapses them unless an eviction
    // flushes the key between its updates.
    for (let i = 0; i < 300; i++) records.push(input(`k${Math.floor(i / 3)}`, i))
    await feed(task, records)
    const early = outputs(collector, 'counts-out').length
    expect(early).toBeGreaterThan(0)
    expect(budget.usedBytes).toBeLessThanOrEqual(4096 + 512)
    await commit(task, collector)
    const last = new Map<string, number>()
    for (const [k, v] of outputs(collector, 'counts-out')) last.set(k as string, v as number)
    expect(last.size).toBe(100)
    expect([...last.values()].every((v) => v === 3)).toBe(true)
    // Fewer writes than updates: repeated updates of a key collapsed while it stayed cached.
    expect(outputs(collector, 'counts-out').length).toBeLessThan(300)
  })

  it('under upstream watermarks holds nothing back: the budget only bounds write-behind caches', async () => {
    const budget = new CacheBudget(1 << 20)
    const { task, collector } = await openTask(countTopology(), { in: 1, names: 1 }, '0_0', dir.path, supplier, { recordCache: budget, watermarks: 'upstream' })
    open.push(task)
    await feed(task, [input('a', 10), input('a', 30)])
    expect(outputs(collector, 'counts-out')).toEqual([['a', 1, 10], ['a', 2, 30]])
    expect(budget.usedBytes).toBeGreaterThan(0)
  })

  it('forwards the headers of the last write of a key', async () => {
    const { task, collector } = await openTask(countTopology(), { in: 1, names: 1 }, '0_0', dir.path, supplier, { recordCache: new CacheBudget(1 << 20) })
    open.push(task)
    await feed(task, [input('a', 1, { h: '1' }), input('a', 2, { h: '2' })])
    await commit(task, collector)
    const out = collector.recordsOf('counts-out')
    expect(out).toHaveLength(1)
    expect(out[0]?.headers.h?.toString()).toBe('2')
  })

  it('forwards every update of a store with caching off (Materialized.withCachingDisabled), beside a cached one', async () => {
    const b = new StreamsBuilder()
    const grouped = b.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey()
    grouped.count({ storeName: 'uncached', cachingEnabled: false }).toStream().to('uncached-out', { keySerde: str, valueSerde: Serdes.json() })
    grouped.count({ storeName: 'cached' }).toStream().to('counts-out', { keySerde: str, valueSerde: Serdes.json() })
    const budget = new CacheBudget(1 << 20)
    const { task, collector } = await openTask(b.build(), { in: 1 }, '0_0', dir.path, supplier, { recordCache: budget })
    open.push(task)
    await feed(task, [input('a', 10), input('a', 30), input('b', 5)])
    expect(outputs(collector, 'uncached-out')).toEqual([['a', 1, 10], ['a', 2, 30], ['b', 1, 5]])
    expect(outputs(collector, 'counts-out')).toEqual([])
    // The uncached store still batches its writes in the shared budget until the commit.
    expect(collector.recordsOf(`${APP}-uncached-changelog`)).toEqual([])
    await commit(task, collector)
    expect(outputs(collector, 'counts-out')).toEqual([['a', 2, 30], ['b', 1, 5]])
    expect(outputs(collector, 'uncached-out')).toHaveLength(3)
    expect(collector.recordsOf(`${APP}-uncached-changelog`).map((r) => [r.key?.toString(), r.value?.readDoubleBE(0)])).toEqual([['a', 2], ['b', 1]])
    await task.close({ clean: true })
    open.pop()
    expect(budget.usedBytes).toBe(0)
  })
})
