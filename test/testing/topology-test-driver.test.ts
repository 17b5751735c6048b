import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import { partitionForKey } from '../../src/core/partitioner.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { ProcessorContext } from '../../src/processors/api.js'
import { Serdes } from '../../src/serde/serdes.js'
import { DEAD_LETTER_HEADERS, TopologyTestDriver } from '../../src/testing/index.js'

const str = Serdes.string()
const json = Serdes.json<{ n: number }>()

function passThrough(): StreamsBuilder {
  const builder = new StreamsBuilder()
  builder.stream<string, { n: number }>('in', { keySerde: str, valueSerde: json }).mapValues((v) => v.n).to('out')
  return builder
}

describe('TopologyTestDriver', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('rejects an undeserializable record with a typed SerdeError by default', async () => {
    driver = new TopologyTestDriver(passThrough().build())
    const raw = driver.createInputTopic('in', str, str)
    let error: unknown
    await raw.pipeInput('k', '{not json', 1).catch((e: unknown) => {
      error = e
    })
    expect(isTributaryError(error, 'TRIBUTARY_SERDE')).toBe(true)
    expect((error as Error).message).toContain('in-0@0')
    expect(driver.createOutputTopic('out', str, Serdes.json()).isEmpty()).toBe(true)
  })

  it("skips and counts undeserializable records with 'continue'", async () => {
    driver = new TopologyTestDriver(passThrough().build(), { deserializationExceptionHandler: 'continue' })
    const raw = driver.createInputTopic('in', str, str)
    await raw.pipeInput('a', '{"n":1}', 1)
    await raw.pipeInput('b', '{oops', 2)
    await raw.pipeInput('c', '{"n":3}', 3)
    expect(driver.createOutputTopic('out', str, Serdes.json<number>()).readKeyValuesToList()).toEqual([['a', 1], ['c', 3]])
    expect(driver.metrics().droppedRecordsByReason.deserialization).toBe(1)
  })

  it('sends undeserializable records to a dead-letter topic when configured', async () => {
    driver = new TopologyTestDriver(passThrough().build(), { deserializationExceptionHandler: { deadLetterTopic: 'dlq' } })
    await driver.createInputTopic('in', str, str).pipeInput('b', '{oops', 2, { trace: Buffer.from('t-1') })
    const dead = driver.createOutputTopic('dlq', str, str).readRecord()
    expect(dead).toMatchObject({ key: 'b', value: '{oops', timestamp: 2 })
    // The same dead letter KafkaStreams writes: the original headers plus where it came from and why.
    const headers = Object.fromEntries(Object.entries(dead.headers).map(([k, v]) => [k, v.toString()]))
    expect(headers).toEqual({
      trace: 't-1',
      [DEAD_LETTER_HEADERS.topic]: 'in',
      [DEAD_LETTER_HEADERS.partition]: '0',
      [DEAD_LETTER_HEADERS.offset]: '0',
      [DEAD_LETTER_HEADERS.exception]: 'SerdeError',
      [DEAD_LETTER_HEADERS.message]: expect.stringContaining('Could not parse JSON value of a record from topic "in"') as unknown as string,
    })
  })

  it('wraps an exception thrown by user code in a ProcessingError that says where', async () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: str, valueSerde: str }).mapValues(() => {
      throw new Error('boom')
    })
    driver = new TopologyTestDriver(builder.build())
    const error = await driver
      .createInputTopic('in', str, str)
      .pipeInput('k', 'v', 0)
      .catch((e: unknown) => e)
    expect(isTributaryError(error, 'TRIBUTARY_PROCESSING')).toBe(true)
    expect((error as Error).message).toMatch(/in-0@0.*boom/)
  })

  it('records with a timestamp default to the wall clock, advancing by autoAdvanceMs', async () => {
    driver = new TopologyTestDriver(passThrough().build(), { startTimeMs: 1_000 })
    const input = driver.createInputTopic('in', str, json, { autoAdvanceMs: 10 })
    await input.pipeRecordList([{ key: 'a', value: { n: 1 } }, { key: 'b', value: { n: 2 } }, { key: 'c', value: { n: 3 }, timestamp: 5 }])
    const out = driver.createOutputTopic('out', str, Serdes.json<number>())
    expect(out.getQueueSize()).toBe(3)
    expect(out.readRecordsToList().map((r) => r.timestamp)).toEqual([1_000, 1_010, 5])
  })

  it('declared partitions spread a repartition topic by murmur2 of the key, one task per partition', async () => {
    const builder = new StreamsBuilder()
    const seen: [string, string, number][] = []
    builder
      .stream<string, string>('in', { keySerde: str, valueSerde: str })
      .selectKey((_k, v) => v)
      .repartition({ name: 'by-value', keySerde: str })
      .process(() => {
        let ctx!: ProcessorContext
        return {
          init: (c) => {
            ctx = c
          },
          process: (r) => {
            seen.push([r.key, ctx.taskId, ctx.recordMetadata()?.partition ?? -1])
          },
        }
      })
    driver = new TopologyTestDriver(builder.build(), { applicationId: 'app' })
    driver.declareTopic('app-by-value-repartition', { partitions: 3 })
    const input = driver.createInputTopic('in', str, str)
    const values = ['north', 'south', 'east', 'west', 'centre', 'north']
    for (const v of values) await input.pipeInput('x', v, 0)
    expect(seen.map(([key]) => key)).toEqual(values)
    for (const [key, taskId, partition] of seen) {
      const expected = partitionForKey(Buffer.from(key), 3)
      expect(partition).toBe(expected)
      expect(taskId).toBe(`1_${expected}`)
    }
    expect(new Set(seen.map(([, taskId]) => taskId)).size).toBeGreaterThan(1)
    expect(() => driver?.declareTopic('in', { partitions: 2 })).toThrow(/before piping input/)
  })

  it('keeps stream time per task: a quiet partition does not close windows of another', async () => {
    const builder = new StreamsBuilder()
    const times: [string, number][] = []
    builder.stream<string, string>('in', { keySerde: str, valueSerde: str }).process(() => {
      let ctx!: ProcessorContext
      return {
        init: (c) => {
          ctx = c
        },
        process: () => {
          times.push([ctx.taskId, ctx.currentStreamTimeMs()])
        },
      }
    })
    driver = new TopologyTestDriver(builder.build())
    driver.declareTopic('in', { partitions: 8 })
    const input = driver.createInputTopic('in', str, str)
    const [a, b] = ['k1', 'k2', 'k3', 'k4', 'k5'].filter((k, i, all) => all.findIndex((o) => partitionForKey(Buffer.from(o), 8) === partitionForKey(Buffer.from(k), 8)) === i)
    await input.pipeInput(a as string, 'v', 100)
    await input.pipeInput(b as string, 'v', 5)
    expect(times).toEqual([
      [`0_${partitionForKey(Buffer.from(a as string), 8)}`, 100],
      [`0_${partitionForKey(Buffer.from(b as string), 8)}`, 5],
    ])
  })

  it('records changelogs under <applicationId>-<store>-changelog (default application id documented)', async () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'counts' })
    driver = new TopologyTestDriver(builder.build())
    expect(driver.applicationId).toBe('topology-test-driver')
    await driver.createInputTopic('in', str, str).pipeInput('a', 'x', 7)
    expect(driver.producedTopicNames()).toEqual(new Set(['topology-test-driver-counts-changelog']))
    const changelog = driver.createOutputTopic('topology-test-driver-counts-changelog', str, Serdes.bytes()).readRecord()
    expect(changelog.key).toBe('a')
    expect(changelog.timestamp).toBe(7)
  })

  it('store getters name the stores that exist and check the store type', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'counts' })
    driver = new TopologyTestDriver(builder.build())
    expect(() => driver?.getKeyValueStore('nope')).toThrow(/Stores of this topology: counts/)
    expect(() => driver?.getWindowStore('counts')).toThrow(/keyValue store/)
    expect(() => driver?.createInputTopic('elsewhere', str, str)).toThrow(/not read by this topology/)
  })

  it('runs on RocksDB stores under the given state directory', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tributary-driver-test-'))
    try {
      const builder = new StreamsBuilder()
      builder.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'counts' })
      driver = new TopologyTestDriver(builder.build(), { stateStores: 'rocksdb', stateDir, applicationId: 'app' })
      const input = driver.createInputTopic('in', str, str)
      await input.pipeInput('a', 'x', 1)
      await input.pipeInput('a', 'y', 2)
      expect(await driver.getKeyValueStore<string, number>('counts').get('a')).toBe(2)
      expect(existsSync(join(stateDir, 'app', '0_0'))).toBe(true)
      expect(readdirSync(join(stateDir, 'app', '0_0')).length).toBeGreaterThan(0)
      await driver.close()
      driver = undefined
      expect(existsSync(stateDir)).toBe(true) // a directory the test owns is left alone
    } finally {
      rmSync(stateDir, { recursive: true, force: true })
    }
  })
})

describe('TopologyTestDriver repartition sizing', () => {
  it('gives a repartition topic the partitions asked for in repartition({ numPartitions })', async () => {
    const builder = new StreamsBuilder()
    const tasks = new Set<string>()
    builder
      .stream<string, string>('in', { keySerde: str, valueSerde: str })
      .repartition({ name: 'spread', numPartitions: 2 })
      .process(() => {
        let ctx!: ProcessorContext
        return {
          init: (c) => {
            ctx = c
          },
          process: () => {
            tasks.add(ctx.taskId)
          },
        }
      })
    const driver = new TopologyTestDriver(builder.build())
    try {
      const input = driver.createInputTopic('in', str, str)
      for (let i = 0; i < 20; i++) await input.pipeInput(`key-${i}`, 'v', i)
      expect([...tasks].sort()).toEqual(['1_0', '1_1'])
    } finally {
      await driver.close()
    }
  })
})
