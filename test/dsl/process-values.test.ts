import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { ProcessorSupplier } from '../../src/processors/api.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const str = Serdes.string()

/** A processor that tries to re-key every record to "other" and upper-cases its value. */
const rekeying: ProcessorSupplier<string, string, string, string> = () => {
  let forward: (record: { key: string; value: string; timestamp: number; headers: Record<string, Buffer> }) => unknown
  return {
    init: (context) => void (forward = (record) => context.forward(record)),
    process: (record) => void forward({ ...record, key: 'other', value: record.value.toUpperCase() }),
  }
}

describe("KStream.processValues (Kafka Streams' FixedKeyProcessor)", () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('keeps each record’s key, whatever key the processor forwards', async () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', { keySerde: str, valueSerde: str }).processValues(rekeying).to('out', { keySerde: str, valueSerde: str })
    driver = new TopologyTestDriver(b.build())
    await driver.createInputTopic('in', str, str).pipeInput('k1', 'a')
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([['k1', 'A']])
  })

  it('needs no repartition before a grouping by key, where process() does', () => {
    const topics = (useProcessValues: boolean) => {
      const b = new StreamsBuilder()
      const stream = b.stream<string, string>('in', { keySerde: str, valueSerde: str })
      const processed = useProcessValues ? stream.processValues(rekeying) : stream.process(rekeying)
      processed.groupByKey().count({ storeName: 'counts' })
      return [...b.build().internalTopics.keys()]
    }
    expect(topics(true)).toEqual(['counts-changelog'])
    expect(topics(false)).toEqual(['counts-repartition', 'counts-changelog'])
  })

  it('adds a store its supplier brings once, however many processors bring it', () => {
    const seen = { name: 'seen', type: 'keyValue' as const, keySerde: str, valueSerde: str }
    const withStore = () => Object.assign((() => ({ process: () => undefined })) as ProcessorSupplier, { stores: [seen] })
    const b = new StreamsBuilder()
    const stream = b.stream<string, string>('in', { keySerde: str, valueSerde: str })
    stream.process(withStore(), { name: 'first' })
    stream.processValues(withStore(), { name: 'second' })
    const topology = b.build()
    expect([...topology.stores.keys()]).toEqual(['seen'])
    expect(topology.describe()).toContain('Processor: first (stores: [seen])')
    expect(topology.describe()).toContain('Processor: second (stores: [seen])')
  })
})
