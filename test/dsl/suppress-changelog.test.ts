import { afterEach, describe, expect, it } from 'vitest'
import type { Windowed } from '../../src/core/windowed.js'
import { StreamsBuilder, Suppressed, TimeWindows } from '../../src/dsl/index.js'
import { sessionWindowedSerde } from '../../src/serde/windowed.js'
import { Serdes } from '../../src/serde/serdes.js'
import { decodeBufferedRecord } from '../../src/state/memory/buffered-record-format.js'
import type { BufferedRecord } from '../../src/state/types.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { APP, commit, feed, openTask } from '../engine/task-harness.js'
import { FakeChangelogReader, raw, tempDir } from '../runtime/fixtures.js'
import { num, storeEngines, str, windowedStr } from './fixtures.js'

const MINUTE = 60_000
/** Kafka Streams' names: the buffer takes the index after its processor, `KTABLE-SUPPRESS-0000000003`. */
const BUFFER = 'KTABLE-SUPPRESS-STATE-STORE-0000000004'

/** Counts per key and tumbling minute, grace 0, each minute's final count once it closes. */
function finalCounts() {
  const b = new StreamsBuilder()
  b.stream<string, string>('in', { keySerde: str, valueSerde: str })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(MINUTE))
    .count()
    .suppress(Suppressed.untilWindowCloses())
    .toStream()
    .to('out', { keySerde: windowedStr, valueSerde: num })
  return b.build()
}

const bufferKeys = sessionWindowedSerde(str)
const ctx = { topic: 'changelog', isKey: true }

describe('the suppression buffer as a changelogged store', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('is a store of the suppress node with a compacted changelog, as in Kafka Streams', () => {
    const topology = finalCounts()
    expect(topology.describe()).toContain(`Processor: KTABLE-SUPPRESS-0000000003 (stores: [${BUFFER}])`)
    expect(topology.describe()).toContain('Processor: KTABLE-TOSTREAM-0000000005 (stores: [])')
    expect(topology.internalTopics.get(`${BUFFER}-changelog`)?.config).toEqual({ 'cleanup.policy': 'compact' })

    const named = new StreamsBuilder()
    named.stream<string, string>('in').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(MINUTE)).count().suppress(Suppressed.untilWindowCloses().withName('finals')).toStream().to('out')
    const description = named.build().describe()
    expect(description).toContain('Processor: finals (stores: [finals-store])')
    expect(description).toContain('Processor: KTABLE-TOSTREAM-0000000004 (stores: [])')
  })

  it('logs each buffered window at commit and a tombstone once its final result is emitted', async () => {
    driver = new TopologyTestDriver(finalCounts())
    const input = driver.createInputTopic('in', str, str)
    const changelog = driver.createOutputTopic(`${driver.applicationId}-${BUFFER}-changelog`, Serdes.bytes(), Serdes.bytes())
    const read = () =>
      changelog.readRecordsToList().map((r) => {
        const key = bufferKeys.deserialize(r.key as Buffer, ctx) as Windowed<string>
        const entry = r.value === null ? null : decodeBufferedRecord(r.value, BUFFER)
        return [`${key.key}@${key.window.start}`, entry === null ? null : [entry.bufferTime, entry.newValue?.toString(), entry.oldValue?.toString() ?? null, entry.timestamp], r.timestamp]
      })

    await input.pipeInput('a', 'x', 1_000)
    await input.pipeInput('a', 'x', 2_000)
    await input.pipeInput('b', 'x', 3_000)
    expect(read()).toEqual([
      ['a@0', [MINUTE, '1', null, 1_000], 1_000],
      ['a@0', [MINUTE, '2', '1', 2_000], 2_000],
      ['b@0', [MINUTE, '1', null, 3_000], 3_000],
    ])
    const held = await driver.getKeyValueStore<Windowed<string>, BufferedRecord<Windowed<string>, number>>(BUFFER).get({ key: 'a', window: { start: 0, end: MINUTE } })
    expect(held?.record.value).toEqual({ newValue: 2, oldValue: 1 })

    await input.pipeInput('a', 'x', MINUTE + 1) // closes minute 0
    expect(read()).toEqual([
      ['a@60000', [2 * MINUTE, '1', null, MINUTE + 1], MINUTE + 1],
      ['a@0', null, 2_000],
      ['b@0', null, 3_000],
    ])
    expect(await driver.getKeyValueStore(BUFFER).approximateNumEntries()).toBe(1)
  })
})

describe.each(storeEngines)('a suppressing task restarted (%s stores)', (supplier) => {
  const dirs: { path: string; remove(): void }[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove()
  })
  const newDir = () => {
    const dir = tempDir()
    dirs.push(dir)
    return dir.path
  }
  const decodeOut = (records: readonly { key: Buffer | null; value: Buffer | null; timestamp: number }[]) =>
    records.map((r) => {
      const key = JSON.parse(r.key!.toString()) as Windowed<string>
      return [`${key.key}@${key.window.start}`, JSON.parse(r.value!.toString()) as number, r.timestamp]
    })

  it.each([
    ['in the same state directory', false],
    ['in an empty state directory, from the changelogs alone', true],
  ])('emits the finals of a minute open at the restart once, %s', async (_, emptyDir) => {
    const dir = newDir()
    const first = await openTask(finalCounts(), { in: 1 }, '0_0', dir, supplier)
    await feed(first.task, [raw('in', 0, 0, 'a', 'x', 1_000), raw('in', 0, 1, 'b', 'x', 2_000), raw('in', 0, 2, 'a', 'x', MINUTE + 1_000), raw('in', 0, 3, 'a', 'x', MINUTE + 2_000), raw('in', 0, 4, 'b', 'x', MINUTE + 3_000)])
    expect(decodeOut(first.collector.recordsOf('out'))).toEqual([
      ['a@0', 1, 1_000],
      ['b@0', 1, 2_000],
    ])
    await commit(first.task, first.collector)
    await first.task.close()
    first.collector.flush()

    const reader = new FakeChangelogReader(first.collector.written)
    const second = await openTask(finalCounts(), { in: 1 }, '0_0', emptyDir ? newDir() : dir, supplier, { reader })
    await feed(second.task, [raw('in', 0, 5, 'b', 'x', MINUTE + 4_000), raw('in', 0, 6, 'c', 'x', 2 * MINUTE + 1)])
    expect(decodeOut(second.collector.recordsOf('out'))).toEqual([
      ['a@60000', 2, MINUTE + 2_000],
      ['b@60000', 2, MINUTE + 4_000],
    ])
    expect(second.collector.recordsOf(`${APP}-${BUFFER}-changelog`)).toEqual([]) // nothing logged before the next commit
    await second.task.close({ clean: false })
  })
})
