import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { RawRecord, StreamTask } from '../../src/engine/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { FakeChangelogReader, STORE_SUPPLIERS, tempDir } from '../runtime/fixtures.js'
import { APP, commit, feed, openTask } from './task-harness.js'

const str = Serdes.string()

/** The latest status per ride, kept in `latest` (queryable), its updates to `latest-out`. */
function topology() {
  const b = new StreamsBuilder()
  b.stream<string, string>('statuses', { keySerde: str, valueSerde: str })
    .toTable({ storeName: 'latest' })
    .toStream()
    .to('latest-out', { keySerde: str, valueSerde: str })
  return b.build()
}

let offset = 0
const status = (key: string | null, value: string | null, timestamp: number): RawRecord => ({
  topic: 'statuses',
  partition: 0,
  offset: BigInt(offset++),
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  timestamp,
  headers: [],
})

/** The table's store, as the task holds it. */
type LatestRows = { get(k: string): { value: string; timestamp: number } | undefined | Promise<{ value: string; timestamp: number } | undefined> }

describe.each(STORE_SUPPLIERS)('KStream.toTable with a store (%s)', (supplier) => {
  const dir = tempDir()
  const open: StreamTask[] = []
  afterEach(async () => {
    for (const task of open.splice(0)) await task.close({ clean: false })
    dir.remove()
  })

  it('upserts and deletes by key, drops null keys, logs to <app>-latest-changelog and comes back from it', async () => {
    const first = await openTask(topology(), { statuses: 1 }, '0_0', dir.path, supplier)
    open.push(first.task)
    await feed(first.task, [status('r1', 'requested', 1), status('r2', 'requested', 2), status(null, 'orphan', 3), status('r1', 'started', 4), status('r2', null, 5)])
    await commit(first.task, first.collector)
    const out = first.collector.recordsOf('latest-out').map((r) => [r.key?.toString(), r.value?.toString() ?? null, r.timestamp])
    expect(out).toEqual([
      ['r1', 'requested', 1],
      ['r2', 'requested', 2],
      ['r1', 'started', 4],
      ['r2', null, 5],
    ])
    const changelog = first.collector.recordsOf(`${APP}-latest-changelog`).map((r) => [r.key?.toString(), r.value?.toString() ?? null])
    // The store batches its writes until the commit: one changelog record per key.
    expect(changelog).toEqual([
      ['r1', 'started'],
      ['r2', null],
    ])
    await first.task.close({ clean: true })
    open.pop()

    const second = await openTask(topology(), { statuses: 1 }, '0_0', dir.path, supplier, { reader: new FakeChangelogReader(first.collector.written) })
    open.push(second.task)
    const store = second.task.stateStore('latest') as unknown as LatestRows
    expect(await store.get('r1')).toEqual({ value: 'started', timestamp: 4 })
    expect(await store.get('r2')).toBeUndefined()
  })
})
