import { afterEach, describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder } from '../../src/dsl/index.js'
import type { RawRecord, StreamTask } from '../../src/engine/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { CacheBudget } from '../../src/state/layers/cache-budget.js'
import { tempDir } from '../runtime/fixtures.js'
import { commit, feed, openTask } from './task-harness.js'

const str = Serdes.string()

/** Requests left-joined with assignments within a minute: two window buffers and a shared store per task. */
function rideJoin() {
  const b = new StreamsBuilder()
  const requests = b.stream<string, string>('requests', { keySerde: str, valueSerde: str })
  const assignments = b.stream<string, string>('assignments', { keySerde: str, valueSerde: str })
  requests.leftJoin(assignments, (r, a) => `${r}/${a ?? '-'}`, JoinWindows.ofTimeDifferenceWithNoGrace(60_000)).to('matches')
  return b.build()
}

const record = (topic: string, partition: number, offset: number, key: string, timestamp: number): RawRecord => ({
  topic,
  partition,
  offset: BigInt(offset),
  key: Buffer.from(key),
  value: Buffer.from(`${key}@${timestamp}`),
  timestamp,
  headers: [],
})

describe("the join stores' in-memory copies on RocksDB", () => {
  const dir = tempDir()
  const open: StreamTask[] = []
  afterEach(async () => {
    for (const task of open.splice(0)) await task.close({ clean: false })
    dir.remove()
  })

  it('count in one budget for every task of the instance, which gets a closed task’s bytes back', async () => {
    const budget = new CacheBudget(64 * 1024, 'joinCacheMaxBytes')
    const counts = { requests: 2, assignments: 2 }
    const tasks = await Promise.all(['0_0', '0_1'].map((id) => openTask(rideJoin(), counts, id, dir.path, 'rocksdb', { joinCache: budget })))
    for (const { task } of tasks) open.push(task)
    const usedBy: number[] = []
    for (const [partition, { task, collector }] of tasks.entries()) {
      const before = budget.usedBytes
      const records: RawRecord[] = []
      for (let i = 0; i < 50; i++) {
        records.push(record('requests', partition, i, `r${partition}-${i}`, 1_000 * i))
        records.push(record('assignments', partition, i, `r${partition}-${i}`, 1_000 * i + 500))
      }
      await feed(task, records)
      await commit(task, collector)
      expect(collector.recordsOf('matches')).toHaveLength(50)
      usedBy.push(budget.usedBytes - before)
    }
    // Both tasks' copies are in the one budget, within its bound.
    expect(usedBy.every((bytes) => bytes > 0)).toBe(true)
    expect(budget.usedBytes).toBe(usedBy[0]! + usedBy[1]!)
    expect(budget.usedBytes).toBeLessThanOrEqual(budget.maxBytes)
    await tasks[0]!.task.close({ clean: true })
    open.shift()
    expect(budget.usedBytes).toBe(usedBy[1])
  })
})
