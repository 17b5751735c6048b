import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { ChangelogRestorer, ChangelogTruncatedError, StateDirectory, type RestoreProgress, type StreamTask } from '../../src/engine/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { ChangelogRecord } from '../../src/state/types.js'
import { FakeChangelogReader, FakeCollector, raw, STORE_SUPPLIERS, tempDir } from '../runtime/fixtures.js'
import { APP, commit, feed, openTask } from './task-harness.js'

const str = Serdes.string()
const num = Serdes.json<number>()

function countTopology() {
  const b = new StreamsBuilder()
  b.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'counts' }).toStream().to('out', { keySerde: str, valueSerde: num })
  return b.build()
}

const inputs = Array.from({ length: 20 }, (_, i) => raw('in', 0, i, ['a', 'b', 'c', 'a'][i % 4] as string, `v${i}`, 100 + i))

function outputs(collector: FakeCollector) {
  return collector.recordsOf('out').map((r) => [r.key?.toString(), num.deserialize(r.value as Buffer, { topic: 'out', isKey: false }), r.timestamp])
}

describe('ChangelogRestorer', () => {
  function entry(offset: number, key: string | null, value: string | null) {
    return { topic: 'cl', partition: 2, offset: BigInt(offset), key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp: offset }
  }
  const restoredInto = () => {
    const batches: ChangelogRecord[][] = []
    return { batches, store: { restore: async (records: readonly ChangelogRecord[]) => void batches.push([...records]) } }
  }

  it('restores from the checkpoint to the end offset in batches, skipping gaps and unkeyed records, reporting progress', async () => {
    const reader = new FakeChangelogReader([entry(0, 'a', '1'), entry(1, 'b', '1'), entry(3, 'a', '2'), entry(4, null, 'x'), entry(6, 'b', null), entry(7, 'c', '1')])
    const progress: RestoreProgress[] = []
    const { batches, store } = restoredInto()
    const reached = await new ChangelogRestorer(reader, { batchSize: 2, onProgress: (p) => progress.push(p) }).restore(
      [{ storeName: 's', store, topic: 'cl', partition: 2 }],
      [{ topic: 'cl', partition: 2, offset: 1n }],
    )
    expect(reached).toEqual([{ topic: 'cl', partition: 2, offset: 8n }])
    expect(batches.map((b) => b.map((r) => `${r.key.toString()}=${r.value?.toString() ?? 'null'}`))).toEqual([['b=1', 'a=2'], ['b=null'], ['c=1']])
    expect(progress.map((p) => [p.restored, p.total, p.done])).toEqual([
      [2, 7, false],
      [3, 7, false],
      [4, 7, false],
      [4, 7, true],
    ])
  })

  it('fails clearly when the checkpoint is past the end of the changelog', async () => {
    const { store } = restoredInto()
    let error: unknown
    await new ChangelogRestorer(new FakeChangelogReader([entry(0, 'a', '1')]))
      .restore([{ storeName: 'counts', store, topic: 'cl', partition: 2 }], [{ topic: 'cl', partition: 2, offset: 5n }])
      .catch((e: unknown) => {
        error = e
      })
    expect(isTributaryError(error, 'TRIBUTARY_STATE')).toBe(true)
    expect(error).toBeInstanceOf(ChangelogTruncatedError)
    expect((error as Error).message).toMatch(/past its end offset 1.*Wipe the task's state directory/)
  })

  it('without a checkpoint, restores from the first offset the partition still holds', async () => {
    const reader = new FakeChangelogReader([entry(0, 'a', '1'), entry(1, 'b', '1'), entry(2, 'a', '2'), entry(3, 'c', '1')])
    reader.truncate('cl', 2, 2n)
    const { batches, store } = restoredInto()
    const reached = await new ChangelogRestorer(reader).restore([{ storeName: 's', store, topic: 'cl', partition: 2 }], [])
    expect(reached).toEqual([{ topic: 'cl', partition: 2, offset: 4n }])
    expect(batches.flat().map((r) => `${r.key.toString()}=${r.value?.toString()}`)).toEqual(['a=2', 'c=1'])
  })

  it('fails with ChangelogTruncatedError when records the checkpoint builds on were deleted, before or during the restore', async () => {
    const reader = new FakeChangelogReader([entry(0, 'a', '1'), entry(1, 'b', '1'), entry(2, 'a', '2'), entry(3, 'c', '1')])
    reader.truncate('cl', 2, 2n)
    const { store } = restoredInto()
    const before = await new ChangelogRestorer(reader).restore([{ storeName: 'counts', store, topic: 'cl', partition: 2 }], [{ topic: 'cl', partition: 2, offset: 1n }]).catch((e: unknown) => e)
    expect(before).toBeInstanceOf(ChangelogTruncatedError)
    expect((before as Error).message).toMatch(/offset 1 of cl-2, but the partition now starts at 2.*Wipe the task's state directory/)

    const during = new FakeChangelogReader([entry(0, 'a', '1'), entry(1, 'b', '1'), entry(2, 'a', '2'), entry(3, 'c', '1')])
    during.onRead = () => during.truncate('cl', 2, 3n)
    const error = await new ChangelogRestorer(during, { batchSize: 1 }).restore([{ storeName: 'counts', store, topic: 'cl', partition: 2 }], []).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChangelogTruncatedError)
    expect((error as Error).message).toMatch(/offset 1 of cl-2, but the partition now starts at 3/)
  })
})

describe.each(STORE_SUPPLIERS)('restoring a StreamTask on %s stores', (supplier) => {
  let dir: { path: string; remove(): void }
  const open: StreamTask[] = []
  beforeEach(() => {
    dir = tempDir()
  })
  afterEach(async () => {
    for (const task of open.splice(0)) await task.close({ clean: false })
    dir.remove()
  })

  async function uninterrupted(records = inputs) {
    const other = tempDir()
    try {
      const { task, collector } = await openTask(countTopology(), { in: 1 }, '0_0', other.path, supplier)
      await feed(task, records)
      await task.close()
      return outputs(collector)
    } finally {
      other.remove()
    }
  }

  /** Processes the first half, commits and closes cleanly; returns what the changelog holds. */
  async function firstHalf() {
    const { task, collector } = await openTask(countTopology(), { in: 1 }, '0_0', dir.path, supplier)
    await feed(task, inputs.slice(0, 10))
    expect(await commit(task, collector)).toEqual([{ topic: 'in', partition: 0, offset: 10n }])
    await task.close()
    return { changelog: collector.written.filter((r) => r.topic === `${APP}-counts-changelog`), firstOutputs: outputs(collector) }
  }

  async function secondHalf(changelog: ConstructorParameters<typeof FakeChangelogReader>[0]) {
    const reader = new FakeChangelogReader(changelog)
    const progress: RestoreProgress[] = []
    const { task, collector } = await openTask(countTopology(), { in: 1 }, '0_0', dir.path, supplier, {
      reader,
      restore: { batchSize: 2, onProgress: (p) => progress.push(p) },
    })
    open.push(task)
    await feed(task, inputs.slice(10))
    return { outputs: outputs(collector), progress, reader }
  }

  it('continues after a restart with the same results as an uninterrupted run', async () => {
    const expected = await uninterrupted()
    const { changelog, firstOutputs } = await firstHalf()
    expect(changelog.length).toBe(3)
    const { outputs: rest, reader } = await secondHalf(changelog)
    expect([...firstOutputs, ...rest]).toEqual(expected)
    // RocksDB kept the state and the checkpoint points at the end: nothing is read back.
    // Memory stores lost it: the checkpoint has no entry for them and they are read back in full.
    expect(reader.reads).toBe(supplier === 'rocksdb' ? 0 : 2)
  })

  it('rebuilds wiped state from the changelog, with progress, and continues identically', async () => {
    const expected = await uninterrupted()
    const { changelog, firstOutputs } = await firstHalf()
    new StateDirectory(dir.path, APP).wipeTask('0_0')
    const { outputs: rest, progress } = await secondHalf(changelog)
    expect([...firstOutputs, ...rest]).toEqual(expected)
    expect(progress.at(-1)).toEqual({ storeName: 'counts', topic: `${APP}-counts-changelog`, partition: 0, restored: 3, total: 3, done: true })
    expect(progress.filter((p) => !p.done)).toHaveLength(2)
  })

  it('wipes and rebuilds the state when the checkpoint is past the end of a re-created changelog', async () => {
    const { changelog } = await firstHalf()
    // The changelog topic was deleted and created again: it now holds one record, for key "c".
    const recreated = changelog.filter((r) => r.key?.toString() === 'c').map((r) => ({ ...r, offset: 0n }))
    expect(recreated).toHaveLength(1)
    const { task, collector } = await openTask(countTopology(), { in: 1 }, '0_0', dir.path, supplier, { reader: new FakeChangelogReader(recreated) })
    open.push(task)
    await feed(task, [raw('in', 0, 10, 'a', 'x', 200), raw('in', 0, 11, 'c', 'y', 201)])
    // "a" is counted from scratch (its old count was wiped); "c" continues from the changelog.
    expect(outputs(collector)).toEqual([
      ['a', 1, 200],
      ['c', 3, 201],
    ])
  })

  it('under exactly-once, wipes state left by a crash (aborted writes) and restores the committed changelog', async () => {
    // Key "d" first appears in the aborted part: only a wipe removes its aborted count.
    const records = inputs.map((r, i) => (i >= 10 && i % 2 === 0 ? { ...r, key: Buffer.from('d') } : r))
    const expected = await uninterrupted(records)
    const first = await openTask(countTopology(), { in: 1 }, '0_0', dir.path, supplier, { exactlyOnce: true })
    await feed(first.task, records.slice(0, 10))
    await commit(first.task, first.collector)
    const directory = new StateDirectory(dir.path, APP)
    expect(directory.readCheckpoint('0_0')).toEqual([]) // never on disk while the task runs
    // Five more records reach the stores, then the transaction is aborted and the process dies.
    await feed(first.task, records.slice(10, 15))
    await first.task.prepareCommit()
    first.collector.pending.length = 0
    await first.task.close({ clean: false })
    const committed = first.collector.written
    const committedOutputs = outputs(first.collector)
    expect(committedOutputs).toHaveLength(10)

    const reader = new FakeChangelogReader(committed.filter((r) => r.topic === `${APP}-counts-changelog`))
    const second = await openTask(countTopology(), { in: 1 }, '0_0', dir.path, supplier, { exactlyOnce: true, reader })
    await feed(second.task, records.slice(10))
    expect([...committedOutputs, ...outputs(second.collector)]).toEqual(expected)
    await commit(second.task, second.collector)
    await second.task.close()
    // A clean close leaves a checkpoint for the next owner (persistent stores only).
    expect(directory.readCheckpoint('0_0').map((c) => c.topic)).toEqual(supplier === 'rocksdb' ? [`${APP}-counts-changelog`] : [])
  })

  it('restores a table from its source topic (timestamped values) for a stream-table join', async () => {
    const b = new StreamsBuilder()
    const drivers = b.table<string, string>('drivers', { keySerde: str, valueSerde: str, storeName: 'drivers' })
    b.stream<string, string>('rides', { keySerde: str, valueSerde: str })
      .join(drivers, (ride, driver) => `${ride} by ${driver}`)
      .to('out', { keySerde: str, valueSerde: str })
    const reader = new FakeChangelogReader([
      { topic: 'drivers', partition: 1, offset: 0n, key: Buffer.from('d1'), value: Buffer.from('Ann'), timestamp: 5 },
      { topic: 'drivers', partition: 1, offset: 1n, key: Buffer.from('d2'), value: Buffer.from('Bo'), timestamp: 6 },
      { topic: 'drivers', partition: 1, offset: 2n, key: Buffer.from('d2'), value: null, timestamp: 7 },
      { topic: 'drivers', partition: 1, offset: 3n, key: Buffer.from('d3'), value: Buffer.from('Cy'), timestamp: 8 },
    ])
    const { task, collector } = await openTask(b.build({ optimization: 'reuse.ktable.source.topics' }), { rides: 2, drivers: 2 }, '0_1', dir.path, supplier, { reader })
    open.push(task)
    await feed(task, [raw('rides', 1, 0, 'd1', 'r1', 10), raw('rides', 1, 1, 'd2', 'r2', 11), raw('rides', 1, 2, 'd3', 'r3', 12)])
    expect(collector.recordsOf('out').map((r) => [r.key?.toString(), r.value?.toString(), r.timestamp])).toEqual([
      ['d1', 'r1 by Ann', 10],
      ['d3', 'r3 by Cy', 12],
    ])
    await commit(task, collector)
    expect(new StateDirectory(dir.path, APP).readCheckpoint('0_1')).toEqual(supplier === 'rocksdb' ? [{ topic: 'drivers', partition: 1, offset: 4n }] : [])
  })

  function driversJoin() {
    const b = new StreamsBuilder()
    const drivers = b.table<string, string>('drivers', { keySerde: str, valueSerde: str, storeName: 'drivers' })
    b.stream<string, string>('rides', { keySerde: str, valueSerde: str })
      .join(drivers, (ride, driver) => `${ride} by ${driver}`)
      .to('out', { keySerde: str, valueSerde: str })
    return b.build({ optimization: 'reuse.ktable.source.topics' })
  }
  const driver = (offset: number, key: string, value: string) => ({ topic: 'drivers', partition: 1, offset: BigInt(offset), key: Buffer.from(key), value: Buffer.from(value), timestamp: offset })
  const joined = (collector: FakeCollector) => collector.recordsOf('out').map((r) => r.value?.toString())
  const rides = ['d1', 'd2', 'd3', 'd4'].map((d, i) => raw('rides', 1, i, d, `r${i + 1}`, 100 + i))

  it('wipes the table and rebuilds it from what its source topic still holds when retention deleted records past the checkpoint', async () => {
    const first = await openTask(driversJoin(), { rides: 2, drivers: 2 }, '0_1', dir.path, supplier, { reader: new FakeChangelogReader([driver(0, 'd1', 'Ann'), driver(1, 'd2', 'Bo')]) })
    await commit(first.task, first.collector)
    await first.task.close()
    // Meanwhile the topic grew, then retention deleted everything below offset 3.
    const reader = new FakeChangelogReader([driver(0, 'd1', 'Ann'), driver(1, 'd2', 'Bo'), driver(2, 'd3', 'Cy'), driver(3, 'd4', 'Dee')])
    reader.truncate('drivers', 1, 3n)
    const { task, collector } = await openTask(driversJoin(), { rides: 2, drivers: 2 }, '0_1', dir.path, supplier, { reader })
    open.push(task)
    await feed(task, rides)
    // Kept from the old state, d1 and d2 would still join: the wipe leaves only what the topic holds.
    expect(joined(collector)).toEqual(['r4 by Dee'])
  })

  it('wipes what it restored and starts again from the new start when retention deletes records during the restore', async () => {
    const reader = new FakeChangelogReader([driver(0, 'd1', 'Ann'), driver(1, 'd2', 'Bo'), driver(2, 'd3', 'Cy'), driver(3, 'd4', 'Dee')])
    reader.onRead = () => {
      reader.onRead = undefined
      reader.truncate('drivers', 1, 2n)
    }
    const progress: RestoreProgress[] = []
    const { task, collector } = await openTask(driversJoin(), { rides: 2, drivers: 2 }, '0_1', dir.path, supplier, { reader, restore: { batchSize: 1, onProgress: (p) => progress.push(p) } })
    open.push(task)
    await feed(task, rides)
    expect(joined(collector)).toEqual(['r3 by Cy', 'r4 by Dee'])
    // The first attempt restored d1 before the deletion was seen; the second one restored d3 and d4.
    expect(progress.map((p) => [p.restored, p.done])).toEqual([[1, false], [1, false], [2, false], [2, true]])
  })
})
