import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { StandbyTask, StateDirectory, tasksForTopology, type RawRecord, type RestoreProgress, type StreamTask } from '../../src/engine/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { StoreSupplierKind } from '../../src/state/types.js'
import { defaultSerdes, FakeChangelogReader, tempDir } from '../runtime/fixtures.js'
import { APP, commit, feed, openTask } from './task-harness.js'

const str = Serdes.string()

/**
 * Two counts of the same pings in one task, `memory-counts` in memory and `disk-counts` on RocksDB:
 * the one whose type is the instance's supplier says nothing, the other sets `storeType`.
 */
function topology(instanceSupplier: StoreSupplierKind) {
  const b = new StreamsBuilder()
  const grouped = b.stream<string, string>('pings', { keySerde: str, valueSerde: str }).groupByKey()
  const typed = (type: StoreSupplierKind) => (type === instanceSupplier ? {} : { storeType: type })
  grouped.count({ storeName: 'memory-counts', ...typed('memory') }).toStream().to('memory-out')
  grouped.count({ storeName: 'disk-counts', ...typed('rocksdb') }).toStream().to('disk-out')
  return b.build()
}

let offset = 0
const ping = (key: string, timestamp: number): RawRecord => ({
  topic: 'pings',
  partition: 0,
  offset: BigInt(offset++),
  key: Buffer.from(key),
  value: Buffer.from('ping'),
  timestamp,
  headers: [],
})

type Counts = { get(k: string): unknown; persistent: boolean }

describe.each<StoreSupplierKind>(['rocksdb', 'memory'])('a store whose storeType differs from the instance supplier (%s)', (instanceSupplier) => {
  const dir = tempDir()
  const open: StreamTask[] = []
  afterEach(async () => {
    for (const task of open.splice(0)) await task.close({ clean: false })
    dir.remove()
  })

  const built = () => topology(instanceSupplier)

  it('keeps the memory store out of the checkpoint and rebuilds it from its changelog on every open, while the RocksDB store restores from its checkpoint', async () => {
    const first = await openTask(built(), { pings: 1 }, '0_0', dir.path, instanceSupplier)
    open.push(first.task)
    expect((first.task.stateStore('memory-counts') as unknown as Counts).persistent).toBe(false)
    expect((first.task.stateStore('disk-counts') as unknown as Counts).persistent).toBe(true)
    await feed(first.task, [ping('d1', 1), ping('d2', 2), ping('d1', 3)])
    await commit(first.task, first.collector)
    await first.task.close({ clean: true })
    open.pop()

    const checkpoint = new StateDirectory(dir.path, APP).readCheckpoint('0_0')
    expect(checkpoint.map((c) => c.topic)).toEqual([`${APP}-disk-counts-changelog`])

    const restored = new Map<string, number>()
    const second = await openTask(built(), { pings: 1 }, '0_0', dir.path, instanceSupplier, {
      reader: new FakeChangelogReader(first.collector.written),
      restore: { onProgress: (p: RestoreProgress) => restored.set(p.storeName, p.restored) },
    })
    open.push(second.task)
    // The memory store read its whole changelog again; the RocksDB store had it all on disk.
    expect(restored.get('memory-counts')).toBe(2)
    expect(restored.get('disk-counts') ?? 0).toBe(0)
    for (const name of ['memory-counts', 'disk-counts']) {
      const store = second.task.stateStore(name) as unknown as Counts
      expect(await store.get('d1'), name).toMatchObject({ value: 2 })
      expect(await store.get('d2'), name).toMatchObject({ value: 1 })
    }
    await feed(second.task, [ping('d1', 4)])
    await commit(second.task, second.collector)
    const latest = (topic: string) => second.collector.recordsOf(topic).map((r) => [r.key?.toString(), r.value?.toString()])
    expect(latest('memory-out')).toEqual([['d1', '3']])
    expect(latest('disk-out')).toEqual([['d1', '3']])
  })
})

describe('a standby of a task with a memory store in a RocksDB application', () => {
  const dir = tempDir()
  const standbyDir = tempDir()
  const closing: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close().catch(() => undefined)
    dir.remove()
    standbyDir.remove()
  })

  it('keeps both stores up to date, checkpoints only the RocksDB one, and reads the memory one again after reopening', async () => {
    const built = topology('rocksdb')
    const active = await openTask(built, { pings: 1 }, '0_0', dir.path, 'rocksdb')
    closing.push(() => active.task.close({ clean: false }))
    await feed(active.task, [ping('d1', 1), ping('d2', 2), ping('d1', 3)])
    await commit(active.task, active.collector)
    const changelogs = () => new FakeChangelogReader(active.collector.written.filter((r) => r.topic.endsWith('-changelog')))

    const spec = tasksForTopology(built, APP, new Map([['pings', 1]]))[0]!
    const openStandby = async () => {
      const standby = new StandbyTask(built, spec, { applicationId: APP, stateDirectory: new StateDirectory(standbyDir.path, APP), storeSupplier: 'rocksdb', defaultSerdes })
      await standby.initialize()
      return standby
    }
    const first = await openStandby()
    expect(await first.update(changelogs(), { maxRecords: 100 })).toBe(4)
    expect(first.positionsByStore().map((p) => [p.storeName, p.offset])).toEqual([
      ['memory-counts', 2n],
      ['disk-counts', 2n],
    ])
    await first.close(true)
    const checkpoint = new StateDirectory(standbyDir.path, APP).readCheckpoint('0_0')
    expect(checkpoint.map((c) => [c.topic, c.offset])).toEqual([[`${APP}-disk-counts-changelog`, 2n]])

    // Reopened, the standby knows where the RocksDB store stands and nothing of the memory store.
    const second = await openStandby()
    closing.push(() => second.close(false))
    expect(second.positionsByStore().map((p) => p.storeName)).toEqual(['disk-counts'])
    expect(await second.update(changelogs(), { maxRecords: 100 })).toBe(2)
    expect(second.positionsByStore().map((p) => [p.storeName, p.offset])).toEqual([
      ['memory-counts', 2n],
      ['disk-counts', 2n],
    ])
  })
})
