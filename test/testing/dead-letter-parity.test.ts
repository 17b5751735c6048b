import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver, type TopologyTestDriverOptions } from '../../src/testing/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { openTask } from '../engine/task-harness.js'
import { raw, tempDir } from '../runtime/fixtures.js'

const str = Serdes.string()

/** Parses JSON amounts and rejects negative ones. */
function amounts(): Topology {
  const b = new StreamsBuilder()
  b.stream<string, number>('in', { keySerde: str, valueSerde: Serdes.json<number>() })
    .mapValues((amount) => {
      if (amount < 0) throw new RangeError(`negative amount ${amount}`)
      return amount
    })
    .to('out', { keySerde: str, valueSerde: Serdes.json<number>() })
  return b.build()
}

const trace: [string, Buffer] = ['trace', Buffer.from('t-9')]
const inputs = [
  { key: 'a', value: '1', timestamp: 10 },
  { key: 'b', value: '{broken', timestamp: 11 },
  { key: 'c', value: '-4', timestamp: 12 },
]
const handlers: TopologyTestDriverOptions = {
  deserializationExceptionHandler: { deadLetterTopic: 'dead' },
  processingExceptionHandler: { deadLetterTopic: 'dead' },
}

/** A dead letter as bytes, headers in a stable order, for an exact comparison. */
const asBytes = (r: { key: Buffer | null; value: Buffer | null; timestamp: number; headers: Record<string, Buffer> }) => ({
  key: r.key?.toString('hex'),
  value: r.value?.toString('hex'),
  timestamp: r.timestamp,
  headers: Object.entries(r.headers)
    .map(([k, v]) => `${k}=${v.toString('hex')}`)
    .sort(),
})

describe('dead letters of the test driver and of a KafkaStreams task', () => {
  const dirs: { remove(): void }[] = []
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
    for (const dir of dirs.splice(0)) dir.remove()
  })

  it('are the same bytes for an undeserializable record and for one whose processing throws', async () => {
    driver = new TopologyTestDriver(amounts(), handlers)
    const input = driver.createInputTopic('in', str, str)
    for (const r of inputs) await input.pipeInput(r.key, r.value, r.timestamp, { [trace[0]]: trace[1] })
    const fromDriver = driver.createOutputTopic('dead', Serdes.bytes(), Serdes.bytes()).readRecordsToList()

    const dir = tempDir()
    dirs.push(dir)
    const { task, collector } = await openTask(amounts(), { in: 1 }, '0_0', dir.path, 'memory', handlers)
    await task.addRecords(inputs.map((r, offset) => raw('in', 0, offset, r.key, r.value, r.timestamp, [trace])))
    while (await task.process(0)) continue
    const fromTask = collector.recordsOf('dead')
    await task.close({ clean: false })

    expect(fromDriver).toHaveLength(2)
    expect(fromDriver.map(asBytes)).toEqual(fromTask.map(asBytes))
  })
})
