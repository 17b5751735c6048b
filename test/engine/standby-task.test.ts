import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { StandbyTask, StateDirectory, tasksForTopology, type StreamTask } from '../../src/engine/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { KeyValueStore } from '../../src/state/types.js'
import { defaultSerdes, FakeChangelogReader, raw, tempDir } from '../runtime/fixtures.js'
import { APP, commit, feed, openTask } from './task-harness.js'

const str = Serdes.string()
const CHANGELOG = `${APP}-counts-changelog`

function countTopology() {
  const b = new StreamsBuilder()
  b.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'counts' })
  return b.build()
}

const keys = (n: number, from = 0) => Array.from({ length: n }, (_, i) => raw('in', 0, from + i, `k${(from + i) % 50}`, 'v', 100 + from + i))

describe('StandbyTask', () => {
  let activeDir: { path: string; remove(): void }
  let standbyDir: { path: string; remove(): void }
  const closing: { close(): Promise<unknown> }[] = []
  const topology = countTopology()
  const spec = tasksForTopology(topology, APP, new Map([['in', 1]]))[0]!

  beforeEach(() => {
    activeDir = tempDir()
    standbyDir = tempDir()
  })
  afterEach(async () => {
    for (const c of closing.splice(0).reverse()) await c.close().catch(() => undefined)
    activeDir.remove()
    standbyDir.remove()
  })

  async function active() {
    const { task, collector } = await openTask(topology, { in: 1 }, '0_0', activeDir.path, 'rocksdb')
    closing.push({ close: () => task.close({ clean: false }) })
    return { task, collector, changelog: () => new FakeChangelogReader(collector.written.filter((r) => r.topic === CHANGELOG)) }
  }

  async function standby(dir = standbyDir.path) {
    const task = new StandbyTask(topology, spec, { applicationId: APP, stateDirectory: new StateDirectory(dir, APP), storeSupplier: 'rocksdb', defaultSerdes })
    await task.initialize()
    closing.push({ close: () => task.close(false) })
    return task
  }

  async function counts(task: StreamTask): Promise<Map<string, number>> {
    const store = task.stateStore('counts') as KeyValueStore<string, number>
    const all = new Map<string, number>()
    for await (const entry of store.all()) if (entry !== undefined) all.set(entry[0], entry[1])
    return all
  }

  it('applies what the changelog holds past its position, a bounded pass at a time, and checkpoints it', async () => {
    const { task, collector, changelog } = await active()
    await feed(task, keys(200))
    await commit(task, collector)
    const written = collector.written.filter((r) => r.topic === CHANGELOG).length
    expect(written).toBe(50) // the cache writes each key once per commit

    const replica = await standby()
    expect(replica.changelogPartitions()).toEqual([{ topic: CHANGELOG, partition: 0 }])
    expect(await replica.update(changelog(), { maxRecords: 30 })).toBe(30)
    expect(replica.positionsByStore()).toEqual([{ storeName: 'counts', topic: CHANGELOG, partition: 0, offset: 30n }])
    expect(await replica.update(changelog(), { maxRecords: 30 })).toBe(20)
    expect(await replica.update(changelog(), { maxRecords: 30 })).toBe(0)
    expect(replica.offsetSum()).toBe(50)

    await feed(task, keys(100, 200))
    await commit(task, collector)
    expect(await replica.update(changelog(), { maxRecords: 1_000 })).toBe(50)
    await replica.checkpoint()
    expect(new StateDirectory(standbyDir.path, APP).readCheckpoint('0_0')).toEqual([{ topic: CHANGELOG, partition: 0, offset: 100n }])
  })

  it('hands its stores to the active task that takes over: it restores only what the standby had not applied', async () => {
    const { task, collector, changelog } = await active()
    await feed(task, keys(200))
    await commit(task, collector)
    const replica = await standby()
    await replica.update(changelog(), { maxRecords: 1_000 })
    // The active copy goes on after the standby's last update, then its instance is lost.
    await feed(task, keys(10, 200))
    await commit(task, collector)
    const expected = await counts(task)

    await replica.close(true)
    const reader = changelog()
    const restored: number[] = []
    const { task: promoted } = await openTask(topology, { in: 1 }, '0_0', standbyDir.path, 'rocksdb', {
      reader,
      restore: { onProgress: (p) => restored.push(p.restored) },
    })
    closing.push({ close: () => promoted.close({ clean: false }) })
    expect(restored.at(-1)).toBe(10)
    expect(await counts(promoted)).toEqual(expected)
  })

  it('starts from nothing without a checkpoint, and after one in a directory a dirty active task left', async () => {
    // Exactly-once keeps no checkpoint while a task is open: what a crashed active task leaves is untrustworthy.
    const { task, collector } = await openTask(topology, { in: 1 }, '0_0', standbyDir.path, 'rocksdb', { exactlyOnce: true })
    await feed(task, keys(50))
    await commit(task, collector)
    await task.close({ clean: false })
    const replica = await standby()
    expect(replica.positionsByStore()).toEqual([])
    expect(replica.offsetSum()).toBe(0)
  })

  it('wipes its copy and reads the changelog again when its position is no longer in it (records deleted, topic recreated)', async () => {
    const { task, collector, changelog } = await active()
    await feed(task, keys(200))
    await commit(task, collector)
    const replica = await standby()
    await replica.update(changelog(), { maxRecords: 10 })
    const truncated = changelog()
    truncated.truncate(CHANGELOG, 0, 40n)
    expect(await replica.update(truncated, { maxRecords: 1_000 })).toBe(0)
    expect(replica.positionsByStore()).toEqual([])
    expect(await replica.update(truncated, { maxRecords: 1_000 })).toBe(10)
    expect(replica.positionsByStore()[0]?.offset).toBe(50n)
    // The topic deleted and created again: its end is now below the position.
    const recreated = new FakeChangelogReader(collector.written.filter((r) => r.topic === CHANGELOG).slice(0, 5))
    expect(await replica.update(recreated, { maxRecords: 1_000 })).toBe(0)
    expect(await replica.update(recreated, { maxRecords: 1_000 })).toBe(5)
  })
})

describe('StandbyTask of a table restored from its source topic', () => {
  let dir: { path: string; remove(): void }
  beforeEach(() => {
    dir = tempDir()
  })
  afterEach(() => dir.remove())

  it('reads the source topic only up to the committed offset, keeping each value with its timestamp', async () => {
    const b = new StreamsBuilder()
    b.table<string, string>('drivers', { keySerde: str, valueSerde: str, storeName: 'drivers' })
    const topology = b.build({ optimization: 'reuse.ktable.source.topics' })
    const spec = tasksForTopology(topology, APP, new Map([['drivers', 1]]))[0]!
    const task = new StandbyTask(topology, spec, { applicationId: APP, stateDirectory: new StateDirectory(dir.path, APP), storeSupplier: 'rocksdb', defaultSerdes })
    await task.initialize()
    try {
      expect(task.sourceChangelogTopics()).toEqual(['drivers'])
      const source = new FakeChangelogReader(Array.from({ length: 10 }, (_, i) => ({ ...raw('drivers', 0, i, `d${i % 3}`, `name-${i}`, 1_000 + i), partition: 0 })))
      // The group committed 6: records 6..9 are input yet to be processed, not state.
      expect(await task.update(source, { maxRecords: 100, committedSource: () => 6n })).toBe(6)
      expect(await task.update(source, { maxRecords: 100, committedSource: () => 6n })).toBe(0)
      expect(task.positionsByStore()).toEqual([{ storeName: 'drivers', topic: 'drivers', partition: 0, offset: 6n }])
      expect(await task.update(source, { maxRecords: 100, committedSource: () => 10n })).toBe(4)
      await task.checkpoint()
      expect(new StateDirectory(dir.path, APP).readCheckpoint('0_0')).toEqual([{ topic: 'drivers', partition: 0, offset: 10n }])
    } finally {
      await task.close(true)
    }
    // The promoted active task reads the table as the standby left it: the latest name per driver, with its timestamp.
    const { task: promoted } = await openTask(topology, { drivers: 1 }, '0_0', dir.path, 'rocksdb')
    try {
      const store = promoted.stateStore('drivers') as KeyValueStore<string, { value: string; timestamp: number }>
      expect(await store.get('d0')).toEqual({ value: 'name-9', timestamp: 1_009 })
      expect(await store.get('d2')).toEqual({ value: 'name-8', timestamp: 1_008 })
    } finally {
      await promoted.close({ clean: false })
    }
  })
})
