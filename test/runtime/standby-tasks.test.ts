import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SYSTEM_TIME } from '../../src/core/clock.js'
import { KafkaError } from '../../src/core/errors.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { StateDirectory, tasksForTopology } from '../../src/engine/index.js'
import { StandbyTasks, type StandbyReader } from '../../src/runtime/standby-tasks.js'
import { Serdes } from '../../src/serde/serdes.js'
import { APP, commit, feed, openTask } from '../engine/task-harness.js'
import { defaultSerdes, FakeChangelogReader, raw, tempDir, type WrittenRecord } from './fixtures.js'

const str = Serdes.string()
const CHANGELOG = `${APP}-counts-changelog`

function countTopology() {
  const b = new StreamsBuilder()
  b.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'counts' })
  return b.build()
}

/** A changelog reader over what an active task wrote, that can be made to fail. */
class Changelog extends FakeChangelogReader implements StandbyReader {
  failures = 0
  closed = false

  override async endOffset(topic: string, partition: number): Promise<bigint> {
    if (this.failures > 0) {
      this.failures--
      throw new KafkaError('The broker is restarting.', { canRetry: true })
    }
    return super.endOffset(topic, partition)
  }

  async close(): Promise<void> {
    this.closed = true
  }
}

describe('StandbyTasks', () => {
  const topology = countTopology()
  const specs = tasksForTopology(topology, APP, new Map([['in', 2]]))
  let activeDir: { path: string; remove(): void }
  let standbyDir: { path: string; remove(): void }
  let written: WrittenRecord[]
  let standbys: StandbyTasks | undefined
  const failures: [unknown, string | undefined, number | undefined][] = []

  beforeEach(async () => {
    activeDir = tempDir()
    standbyDir = tempDir()
    // The changelog of task 0_1, as its active copy wrote it: 40 keys.
    const { task, collector } = await openTask(topology, { in: 2 }, '0_1', activeDir.path, 'rocksdb')
    await feed(task, Array.from({ length: 200 }, (_, i) => raw('in', 1, i, `k${i % 40}`, 'v', i)))
    await commit(task, collector)
    await task.close()
    written = collector.written.filter((r) => r.topic === CHANGELOG)
  })

  afterEach(async () => {
    await standbys?.close(false)
    standbys = undefined
    failures.length = 0
    activeDir.remove()
    standbyDir.remove()
  })

  function open(reader: Changelog, storeSupplier: 'rocksdb' | 'memory' = 'rocksdb') {
    standbys = new StandbyTasks({
      topology,
      config: { applicationId: APP, storeSupplier, commitIntervalMs: 50 },
      specs,
      stateDirectory: new StateDirectory(standbyDir.path, APP),
      defaultSerdes,
      openReader: () => reader,
      committed: async () => [],
      time: SYSTEM_TIME,
      onFailure: (error, taskId, retryInMs) => void failures.push([error, taskId, retryInMs]),
    })
    return standbys
  }

  const waitUntil = async (what: string, condition: () => boolean | Promise<boolean>) => {
    const deadline = Date.now() + 5_000
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  it('keeps the assigned standbys up to date beside everything else, checkpoints them and reports their lag', async () => {
    const reader = new Changelog(written)
    const s = open(reader)
    await s.assign(['0_1', '9_9']) // a task this topology does not have is ignored
    expect(s.taskIds()).toEqual(['0_1'])
    await waitUntil('the standby caught up', async () => (await s.metrics())[0]?.lag === 0)
    expect(await s.metrics()).toEqual([{ taskId: '0_1', stores: ['counts'], lag: 0 }])
    expect(s.offsetSums()).toEqual(new Map([['0_1', 40]]))
    const directory = new StateDirectory(standbyDir.path, APP)
    await waitUntil('a checkpoint', () => directory.readCheckpoint('0_1').length > 0)
    expect(directory.readCheckpoint('0_1')).toEqual([{ topic: CHANGELOG, partition: 1, offset: 40n }])

    // Reassigned away (promoted, say): closed with its checkpoint, its directory free for the active task.
    await s.assign([])
    expect(s.taskIds()).toEqual([])
    directory.lock('0_1').release()
    await s.close(true)
    expect(reader.closed).toBe(true)
  })

  it('retries an update that failed, telling what failed and when it retries', async () => {
    const reader = new Changelog(written)
    reader.failures = 2
    const s = open(reader)
    await s.assign(['0_1'])
    await waitUntil('the standby caught up', () => s.offsetSums().get('0_1') === 40)
    expect(failures.length).toBeGreaterThanOrEqual(1)
    expect(failures[0]?.[1]).toBeUndefined()
    expect(failures[0]?.[2]).toBeGreaterThan(0)
  })

  it('keeps no standby of in-memory stores, and none it cannot open', async () => {
    const memory = open(new Changelog(written), 'memory')
    await memory.assign(['0_1'])
    expect(memory.taskIds()).toEqual([])
    await memory.close(true)

    const lock = new StateDirectory(standbyDir.path, APP).lock('0_0') // as if its active task were still open here
    const s = open(new Changelog(written))
    await s.assign(['0_0', '0_1'])
    expect(s.taskIds()).toEqual(['0_1'])
    expect(failures.map(([, taskId, retryInMs]) => [taskId, retryInMs])).toEqual([['0_0', undefined]])
    lock.release()
  })
})
