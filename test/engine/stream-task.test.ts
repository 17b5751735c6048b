import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import { partitionForKey } from '../../src/core/partitioner.js'
import { StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import type { Processor, ProcessorContext } from '../../src/processors/api.js'
import type { Serde } from '../../src/serde/serde.js'
import { DEAD_LETTER_HEADERS, StateDirectory, type StreamTask } from '../../src/engine/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { raw, STORE_SUPPLIERS, tempDir } from '../runtime/fixtures.js'
import { APP, commit, feed, openTask, type HarnessOptions } from './task-harness.js'

const str = Serdes.string()
const num = Serdes.json<number>()

function countTopology() {
  const b = new StreamsBuilder()
  b.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'counts' }).toStream().to('out', { keySerde: str, valueSerde: num })
  return b.build()
}

function decode(records: readonly { key: Buffer | null; value: Buffer | null; timestamp: number }[]) {
  return records.map((r) => [str.deserialize(r.key as Buffer, { topic: 'out', isKey: true }), r.value === null ? null : num.deserialize(r.value, { topic: 'out', isKey: false }), r.timestamp])
}

/** Keys that land in partition `partition` of `partitions` (the default partitioner), so task and driver agree. */
function keysOf(partition: number, partitions: number, n: number): string[] {
  const keys: string[] = []
  for (let i = 0; keys.length < n; i++) if (partitionForKey(Buffer.from(`driver-${i}`), partitions) === partition) keys.push(`driver-${i}`)
  return keys
}

describe.each(STORE_SUPPLIERS)('StreamTask on %s stores', (supplier) => {
  let dir: { path: string; remove(): void }
  const open: StreamTask[] = []
  beforeEach(() => {
    dir = tempDir()
  })
  afterEach(async () => {
    for (const task of open.splice(0)) await task.close({ clean: false })
    dir.remove()
  })
  async function start(topology: Topology, counts: Record<string, number>, taskId: string, options?: HarnessOptions) {
    const opened = await openTask(topology, counts, taskId, dir.path, supplier, options)
    open.push(opened.task)
    return opened
  }

  it('processes a count topology like the TopologyTestDriver, with changelog records at the task partition', async () => {
    const keys = keysOf(1, 2, 3)
    const inputs = Array.from({ length: 12 }, (_, i) => ({ key: keys[i % 3] as string, value: `ride-${i}`, timestamp: 1_000 + i * 10 }))

    const driver = new TopologyTestDriver(countTopology(), { stateStores: supplier })
    driver.declareTopic('in', { partitions: 2 })
    const driverIn = driver.createInputTopic('in', str, str)
    for (const r of inputs) await driverIn.pipeInput(r.key, r.value, r.timestamp)
    const expected = driver.createOutputTopic('out', str, num).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])
    await driver.close()

    const { task, collector } = await start(countTopology(), { in: 2 }, '0_1')
    await feed(task, inputs.map((r, i) => raw('in', 1, i, r.key, r.value, r.timestamp)))
    expect(decode(collector.recordsOf('out'))).toEqual(expected)
    expect(expected).toHaveLength(12)

    const offsets = await task.prepareCommit()
    expect(offsets).toEqual([{ topic: 'in', partition: 1, offset: 12n }])
    const changelog = collector.recordsOf(`${APP}-counts-changelog`)
    expect(changelog.length).toBeGreaterThanOrEqual(3)
    expect(changelog.every((r) => r.partition === 1)).toBe(true)
    expect(new Set(changelog.map((r) => r.key?.toString()))).toEqual(new Set(keys))
  })

  it('merges two input partitions in timestamp order and reports each record metadata', async () => {
    const seen: [string, number, string][] = []
    const b = new StreamsBuilder()
    b.stream<string, string>('left', { keySerde: str, valueSerde: str })
      .merge(b.stream<string, string>('right', { keySerde: str, valueSerde: str }))
      .process((): Processor<string, string> => {
        let ctx!: ProcessorContext
        return {
          init: (c) => {
            ctx = c
          },
          process: (r) => {
            const meta = ctx.recordMetadata()!
            seen.push([r.value, r.timestamp, `${meta.topic}-${meta.partition}@${meta.offset}`])
          },
        }
      })
    const { task } = await start(b.build(), { left: 1, right: 1 }, '0_0')
    expect(task.inputPartitions()).toEqual([
      { topic: 'left', partition: 0 },
      { topic: 'right', partition: 0 },
    ])
    task.addRecords([raw('left', 0, 0, 'k', 'l0', 10), raw('left', 0, 1, 'k', 'l1', 40), raw('left', 0, 2, 'k', 'l2', 50)])
    task.addRecords([raw('right', 0, 0, 'k', 'r0', 20), raw('right', 0, 1, 'k', 'r1', 30)])
    await feed(task, [])
    expect(seen).toEqual([
      ['l0', 10, 'left-0@0'],
      ['r0', 20, 'right-0@0'],
      ['r1', 30, 'right-0@1'],
      ['l1', 40, 'left-0@1'],
      ['l2', 50, 'left-0@2'],
    ])
    expect(task.currentStreamTimeMs()).toBe(50)
    expect(task.recordMetadata()).toBeUndefined()
    expect(await task.prepareCommit()).toEqual([
      { topic: 'left', partition: 0, offset: 3n },
      { topic: 'right', partition: 0, offset: 2n },
    ])
  })

  it('waits maxTaskIdleMs for an empty input partition before processing', async () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('left', { keySerde: str, valueSerde: str }).merge(b.stream<string, string>('right', { keySerde: str, valueSerde: str })).to('out')
    const { task, collector } = await start(b.build(), { left: 1, right: 1 }, '0_0', { maxTaskIdleMs: 500, maxBufferedPerPartition: 2 })
    task.addRecords([raw('left', 0, 0, 'k', '"a"', 10), raw('left', 0, 1, 'k', '"b"', 20)])
    expect(task.needsPause('left', 0)).toBe(true)
    expect(task.needsPause('right', 0)).toBe(false)
    expect(task.process(1_000)).toBe(false)
    expect(task.process(1_499)).toBe(false)
    expect(collector.pending).toHaveLength(0)
    expect(task.process(1_500)).toBe(true)
    expect(task.needsPause('left', 0)).toBe(false)
    expect(task.metrics().enforcedProcessing).toBe(1)
    expect(collector.pending.map((r) => r.value?.toString())).toEqual(['"a"'])
  })

  it('with the default maxTaskIdleMs (0) waits for an empty input partition the broker still has records for', async () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('left', { keySerde: str, valueSerde: str }).merge(b.stream<string, string>('right', { keySerde: str, valueSerde: str })).to('out')
    const lag = new Map<string, bigint | undefined>([['left', 0n], ['right', 5n]])
    const { task, collector } = await start(b.build(), { left: 1, right: 1 }, '0_0', { fetchedLag: (tp) => lag.get(tp.topic) })
    task.addRecords([raw('left', 0, 0, 'k', '"a"', 10)])
    // Hours of wall-clock time change nothing: the lag says records are on their way.
    expect(task.process(0)).toBe(false)
    expect(task.process(3_600_000)).toBe(false)
    expect(collector.pending).toHaveLength(0)
    lag.set('right', undefined)
    expect(task.process(3_600_000)).toBe(false)
    // Caught up on the broker: nothing to wait for, processed (and counted as enforced).
    lag.set('right', 0n)
    expect(task.process(3_600_000)).toBe(true)
    expect(task.metrics().enforcedProcessing).toBe(1)
    expect(collector.pending.map((r) => r.value?.toString())).toEqual(['"a"'])
  })

  it('writes the checkpoint of changelog offsets on commit (persistent stores only) and reads it back', async () => {
    const { task, collector } = await start(countTopology(), { in: 1 }, '0_0')
    await feed(task, [raw('in', 0, 0, 'a', 'x', 1), raw('in', 0, 1, 'b', 'y', 2), raw('in', 0, 2, 'a', 'z', 3)])
    expect(await commit(task, collector)).toEqual([{ topic: 'in', partition: 0, offset: 3n }])
    const written = collector.recordsOf(`${APP}-counts-changelog`).length
    expect(written).toBeGreaterThan(0)
    const directory = new StateDirectory(dir.path, APP)
    expect(directory.readCheckpoint('0_0')).toEqual(supplier === 'rocksdb' ? [{ topic: `${APP}-counts-changelog`, partition: 0, offset: BigInt(written) }] : [])
    expect(task.needsCommit()).toBe(false)
  })

  it('routes undeserializable records by the handler: fail, continue, dead letter', async () => {
    const topology = () => {
      const b = new StreamsBuilder()
      b.stream<string, { n: number }>('in', { keySerde: str, valueSerde: Serdes.json<{ n: number }>() }).mapValues((v) => v.n).to('out', { keySerde: str, valueSerde: num })
      return b.build()
    }
    const batch = [raw('in', 0, 0, 'k', '{"n":1}', 1), raw('in', 0, 1, 'k', '{broken', 2, [['trace', Buffer.from('t-1')]]), raw('in', 0, 2, 'k', '{"n":3}', 3)]

    const failing = await start(topology(), { in: 1 }, '0_0')
    let error: unknown
    try {
      failing.task.addRecords(batch)
    } catch (e) {
      error = e
    }
    expect(isTributaryError(error, 'TRIBUTARY_SERDE')).toBe(true)
    expect((error as Error).message).toContain('in-0@1')
    await feed(failing.task, [])
    // Only what came before the bad record is processed and committed.
    expect(await failing.task.prepareCommit()).toEqual([{ topic: 'in', partition: 0, offset: 1n }])
    await failing.task.close()

    const skipping = await start(topology(), { in: 1 }, '0_0', { deserializationExceptionHandler: 'continue' })
    await feed(skipping.task, batch)
    expect(decode(skipping.collector.recordsOf('out'))).toEqual([
      ['k', 1, 1],
      ['k', 3, 3],
    ])
    expect(skipping.task.metrics()).toMatchObject({ processed: 2, skipped: 1, droppedRecords: 1, droppedRecordsByReason: { deserialization: 1 } })
    expect(await skipping.task.prepareCommit()).toEqual([{ topic: 'in', partition: 0, offset: 3n }])
    await skipping.task.close()

    const dlq = await start(topology(), { in: 1 }, '0_0', { deserializationExceptionHandler: { deadLetterTopic: 'rides-dlq' } })
    await feed(dlq.task, batch)
    expect(decode(dlq.collector.recordsOf('out'))).toEqual([
      ['k', 1, 1],
      ['k', 3, 3],
    ])
    const [dead, ...more] = dlq.collector.recordsOf('rides-dlq')
    expect(more).toHaveLength(0)
    expect(dead!.key).toEqual(Buffer.from('k'))
    expect(dead!.value).toEqual(Buffer.from('{broken'))
    expect(dead!.timestamp).toBe(2)
    const headers = Object.fromEntries(Object.entries(dead!.headers).map(([k, v]) => [k, v.toString()]))
    expect(headers).toMatchObject({
      trace: 't-1',
      [DEAD_LETTER_HEADERS.topic]: 'in',
      [DEAD_LETTER_HEADERS.partition]: '0',
      [DEAD_LETTER_HEADERS.offset]: '1',
      [DEAD_LETTER_HEADERS.exception]: 'SerdeError',
    })
    expect(headers[DEAD_LETTER_HEADERS.message]).toMatch(/JSON/)
  })

  it('punctuates by stream time and by wall-clock time', async () => {
    const fired: string[] = []
    let clock = 1_000
    const b = new StreamsBuilder()
    b.stream<string, string>('in', { keySerde: str, valueSerde: str }).process((): Processor<string, string> => ({
      init: (ctx) => {
        ctx.schedule(10, 'stream-time', (t) => {
          fired.push(`stream@${t}`)
        })
        ctx.schedule(100, 'wall-clock', (t) => {
          fired.push(`wall@${t}`)
        })
      },
      process: (r) => {
        fired.push(`record@${r.timestamp}`)
      },
    }))
    const { task } = await start(b.build(), { in: 1 }, '0_0', { wallClockMs: () => clock })
    await feed(task, [raw('in', 0, 0, 'k', 'a', 0), raw('in', 0, 1, 'k', 'b', 5), raw('in', 0, 2, 'k', 'c', 12), raw('in', 0, 3, 'k', 'd', 9), raw('in', 0, 4, 'k', 'e', 35)])
    expect(fired).toEqual(['record@0', 'stream@0', 'record@5', 'record@12', 'stream@12', 'record@9', 'record@35', 'stream@35'])
    fired.length = 0
    expect(await task.maybePunctuateSystemTime(1_050)).toBe(false)
    expect(await task.maybePunctuateSystemTime(1_100)).toBe(true)
    expect(await task.maybePunctuateSystemTime(1_199)).toBe(false)
    clock = 1_450
    expect(await task.maybePunctuateSystemTime()).toBe(true) // three missed intervals: one call
    expect(fired).toEqual(['wall@1100', 'wall@1450'])
    expect(task.metrics().punctuations).toBe(5)
  })

  it('orders by extracted timestamps, waits for asynchronous serdes and counts late records as dropped', async () => {
    // A serde that answers with a promise, as a schema-registry serde does on a cache miss.
    const json = Serdes.json<{ ts: number }>()
    const slowJson: Serde<{ ts: number }> = {
      serialize: (v, c) => json.serialize(v, c),
      deserialize: (data, c) => new Promise((resolve) => setImmediate(() => resolve(json.deserialize(data, c) as { ts: number }))),
    }
    const b = new StreamsBuilder()
    b.stream<string, { ts: number }>('pings', { keySerde: str, valueSerde: slowJson, timestampExtractor: (r) => (r.value as { ts: number }).ts })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(100))
      .count({ storeName: 'per-window' })
      .toStream()
      .map((w, n) => [`${w.key}@${w.window.start}`, n])
      .to('out', { keySerde: str, valueSerde: num })
    const firstDrops: unknown[] = []
    const { task, collector } = await start(b.build(), { pings: 1 }, '0_0', { onFirstDrop: (drop) => firstDrops.push(drop) })
    // Record timestamps are ignored: the extractor reads `ts` from the value.
    await feed(task, [raw('pings', 0, 0, 'k', '{"ts":50}', 999), raw('pings', 0, 1, 'k', '{"ts":250}', 0), raw('pings', 0, 2, 'k', '{"ts":60}', 0)])
    expect(decode(collector.recordsOf('out'))).toEqual([
      ['k@0', 1, 50],
      ['k@200', 1, 250],
    ])
    expect(task.currentStreamTimeMs()).toBe(250)
    const metrics = task.metrics()
    expect(metrics.processed).toBe(3)
    expect(metrics.droppedRecordsByReason.late).toBe(1)
    expect(Object.values(metrics.droppedRecordsByNode)).toEqual([1])
    // The first drop for a reason is told once (the runtime warns); later ones are only counted.
    expect(firstDrops).toEqual([{ taskId: '0_0', nodeName: Object.keys(metrics.droppedRecordsByNode)[0], reason: 'late' }])
    await feed(task, [raw('pings', 0, 3, 'k', '{"ts":70}', 0)])
    expect(task.metrics().droppedRecordsByReason.late).toBe(2)
    expect(firstDrops).toHaveLength(1)
  })

  it('refuses to open a task whose directory another owner holds', async () => {
    const first = await start(countTopology(), { in: 1 }, '0_0')
    let error: unknown
    await start(countTopology(), { in: 1 }, '0_0').catch((e: unknown) => {
      error = e
    })
    expect(isTributaryError(error, 'TRIBUTARY_STATE')).toBe(true)
    expect((error as Error).message).toContain('Task 0_0 of application "app"')
    await first.task.close()
    const second = await start(countTopology(), { in: 1 }, '0_0')
    await feed(second.task, [raw('in', 0, 0, 'a', 'x', 1)])
    expect(decode(second.collector.recordsOf('out'))).toEqual([['a', 1, 1]])
  })
})
