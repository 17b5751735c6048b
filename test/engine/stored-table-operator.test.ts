import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { RawRecord, StreamTask } from '../../src/engine/index.js'
import { changeSerde } from '../../src/processors/change-serde.js'
import { Serdes } from '../../src/serde/serdes.js'
import { CacheBudget } from '../../src/state/index.js'
import { FakeChangelogReader, STORE_SUPPLIERS, tempDir } from '../runtime/fixtures.js'
import { APP, commit, feed, openTask } from './task-harness.js'

const str = Serdes.string()

/**
 * A table filtered into a store of its own (`filter(p, { storeName: 'even' })`), regrouped by value
 * parity so that the filter must send old values, which it reads from its store, and its changes to
 * `even-out` through a processor that shows old values.
 */
function topology() {
  const b = new StreamsBuilder()
  const table = b.table<string, string>('numbers', { keySerde: str, valueSerde: str })
  const even = table.filter((_k, v) => Number(v) % 2 === 0, { storeName: 'even' })
  even
    .groupBy((k, v) => [k, v], { keySerde: str, valueSerde: str })
    .reduce((a, v) => a + v, (a, v) => a.slice(0, a.length - v.length), { storeName: 'sums', valueSerde: str })
    .toStream()
    .to('sums-out', { keySerde: str, valueSerde: str })
  return b.build()
}

/** The filter's store, as the task holds it. */
type StoredRows = { get(k: string): { value: string } | undefined | Promise<{ value: string } | undefined> }

let offset = 0
const row = (key: string, value: string | null, timestamp: number): RawRecord => ({
  topic: 'numbers',
  partition: 0,
  offset: BigInt(offset++),
  key: Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  timestamp,
  headers: [],
})

describe.each(STORE_SUPPLIERS)('a filter with a store of its own (%s)', (supplier) => {
  const dir = tempDir()
  const open: StreamTask[] = []
  afterEach(async () => {
    for (const task of open.splice(0)) await task.close({ clean: false })
    dir.remove()
  })

  const changelog = (collector: { recordsOf(t: string): { key: Buffer | null; value: Buffer | null }[] }) =>
    collector.recordsOf(`${APP}-even-changelog`).map((r) => [r.key?.toString(), r.value === null ? null : r.value.toString()])

  it('keeps its rows in the store, logs them to <app>-even-changelog, and reads old values there after a restart', async () => {
    const counts = { numbers: 1, [`${APP}-sums-repartition`]: 1 }
    const first = await openTask(topology(), counts, '0_0', dir.path, supplier)
    open.push(first.task)
    await feed(first.task, [row('a', '2', 1), row('b', '3', 2), row('a', '4', 3)])
    await commit(first.task, first.collector)
    // The store holds the filtered rows only; b (odd) was never stored.
    const store = first.task.stateStore('even') as unknown as StoredRows
    expect((await store.get('a'))?.value).toBe('4')
    expect(await store.get('b')).toBeUndefined()
    expect(changelog(first.collector)).toContainEqual(['a', '4'])
    // The regrouping sees each update with the old row: subtract 2 before adding 4.
    const changes = changeSerde(str)
    const repartitioned = first.collector.recordsOf(`${APP}-sums-repartition`).map((r) => changes.deserialize(r.value!, { topic: `${APP}-sums-repartition`, isKey: false, headers: {} }))
    expect(repartitioned).toEqual([
      { newValue: '2', oldValue: null },
      { newValue: '4', oldValue: '2' },
    ])
    await first.task.close({ clean: true })
    open.pop()

    const second = await openTask(topology(), counts, '0_0', dir.path, supplier, { reader: new FakeChangelogReader(first.collector.written) })
    open.push(second.task)
    await feed(second.task, [row('a', '5', 4)])
    await commit(second.task, second.collector)
    // 5 is odd: the row goes, and the old value (4, from the restored store) goes with the deletion.
    expect(changelog(second.collector)).toEqual([['a', null]])
    const after = second.collector.recordsOf(`${APP}-sums-repartition`).map((r) => changes.deserialize(r.value!, { topic: `${APP}-sums-repartition`, isKey: false, headers: {} }))
    expect(after).toEqual([{ newValue: null, oldValue: '4' }])
    const store2 = second.task.stateStore('even') as unknown as StoredRows
    expect(await store2.get('a')).toBeUndefined()
  })

  it('under a record cache, logs and forwards one change per key per commit', async () => {
    const counts = { numbers: 1, [`${APP}-sums-repartition`]: 1 }
    const { task, collector } = await openTask(topology(), counts, '0_0', dir.path, supplier, { recordCache: new CacheBudget(1 << 20) })
    open.push(task)
    await feed(task, [row('a', '2', 1), row('a', '4', 2), row('a', '6', 3)])
    expect(changelog(collector)).toEqual([])
    await commit(task, collector)
    expect(changelog(collector)).toEqual([['a', '6']])
  })
})
