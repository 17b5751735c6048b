import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { StreamTask } from '../../src/engine/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { KeyValueStore, ValueAndTimestamp } from '../../src/state/types.js'
import type { RawRecord } from '../../src/engine/index.js'
import { FakeChangelogReader, STORE_SUPPLIERS, tempDir } from '../runtime/fixtures.js'
import { APP, commit, feed, openTask } from './task-harness.js'

const str = Serdes.string()
const int = Serdes.int32()

/** A sum per key: a timestamped aggregation store, whose timestamp is the latest input's. */
function sumTopology() {
  const b = new StreamsBuilder()
  b.stream<string, number>('in', { keySerde: str, valueSerde: int })
    .groupByKey()
    .reduce((a, b2) => a + b2, { storeName: 'sums', valueSerde: int })
  return b.build()
}

const CHANGELOG = `${APP}-sums-changelog`

function input(offset: number, key: string, value: number, timestamp: number): RawRecord {
  return { topic: 'in', partition: 0, offset: BigInt(offset), key: Buffer.from(key), value: int.serialize(value, { topic: 'in', isKey: false }) as Buffer, timestamp, headers: [] }
}

describe.each(STORE_SUPPLIERS)('the changelog of a timestamped store (%s)', (supplier) => {
  const dir = tempDir()
  const open: StreamTask[] = []
  afterEach(async () => {
    for (const task of open.splice(0)) await task.close({ clean: false })
    dir.remove()
  })

  it('holds plain values at the stored timestamps, as Kafka Streams writes it, and restores value and timestamp', async () => {
    const first = await openTask(sumTopology(), { in: 1 }, '0_0', dir.path, supplier)
    open.push(first.task)
    // The sum's timestamp is the largest of its inputs': 30 stays after the out-of-order 20.
    await feed(first.task, [input(0, 'a', 1, 10), input(1, 'a', 2, 30), input(2, 'a', 4, 20), input(3, 'b', 7, 5)])
    await commit(first.task, first.collector)

    const written = first.collector.recordsOf(CHANGELOG).map((r) => [r.key?.toString(), r.value === null ? null : int.deserialize(r.value, { topic: CHANGELOG, isKey: false }), r.timestamp])
    // The store's cache keeps the latest write per key until the commit. The record of `a` carries
    // the sum's timestamp (30), not the timestamp of the input that wrote it last (20).
    expect(written).toEqual([['a', 7, 30], ['b', 7, 5]])
    expect(first.collector.recordsOf(CHANGELOG).every((r) => r.value?.length === 4)).toBe(true)

    // A fresh task elsewhere rebuilds the store from that changelog alone.
    const elsewhere = tempDir()
    const reader = new FakeChangelogReader(first.collector.written.filter((r) => r.topic === CHANGELOG))
    const second = await openTask(sumTopology(), { in: 1 }, '0_0', elsewhere.path, supplier, { reader })
    open.push(second.task)
    const store = second.task.stateStore('sums') as unknown as KeyValueStore<string, ValueAndTimestamp<number>>
    expect(await store.get('a')).toEqual({ value: 7, timestamp: 30 })
    expect(await store.get('b')).toEqual({ value: 7, timestamp: 5 })
    await second.task.close({ clean: false })
    open.pop()
    elsewhere.remove()
  })
})
