import { afterEach, describe, expect, it } from 'vitest'
import { TopologyError } from '../../src/core/errors.js'
import { TopologyBuilder } from '../../src/dsl/index.js'
import type { Processor, ProcessorContext } from '../../src/processors/api.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { KeyValueStore } from '../../src/state/types.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const str = Serdes.string()

/** Counts rides per zone in store "counts" and forwards `zone -> count`. */
function countingProcessor(): Processor<string, string, string, number> {
  let ctx: ProcessorContext<string, number>
  let counts: KeyValueStore<string, number>
  return {
    init(context) {
      ctx = context
      counts = context.getStateStore('counts')
    },
    async process(record) {
      const count = ((await counts.get(record.key)) ?? 0) + 1
      await counts.put(record.key, count)
      await ctx.forward({ ...record, value: count })
    },
  }
}

describe('TopologyBuilder (the Processor API topology)', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('runs sources, processors with their stores and sinks as built, stores logged to their changelogs', async () => {
    const topology = new TopologyBuilder()
      .addSource('rides', 'ride_requests', { keySerde: str, valueSerde: str })
      .addProcessor('count', countingProcessor, 'rides')
      .addStateStore({ name: 'counts', type: 'keyValue', keySerde: str, valueSerde: Serdes.json<number>() }, 'count')
      .addSink('out', 'rides_per_zone', { keySerde: str, valueSerde: Serdes.json<number>() }, 'count')
      .build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: rides (topics: [ride_requests])\n' +
        '      --> count\n' +
        '    Processor: count (stores: [counts])\n' +
        '      --> out\n' +
        '      <-- rides\n' +
        '    Sink: out (topic: rides_per_zone)\n' +
        '      <-- count\n\n',
    )
    expect([...topology.internalTopics.keys()]).toEqual(['counts-changelog'])
    driver = new TopologyTestDriver(topology)
    const input = driver.createInputTopic('ride_requests', str, str)
    await input.pipeInput('zone-1', 'r1', 1)
    await input.pipeInput('zone-2', 'r2', 2)
    await input.pipeInput('zone-1', 'r3', 3)
    expect(driver.createOutputTopic('rides_per_zone', str, Serdes.json<number>()).readKeyValuesToList()).toEqual([
      ['zone-1', 1],
      ['zone-2', 1],
      ['zone-1', 2],
    ])
    expect(await driver.getKeyValueStore<string, number>('counts').get('zone-1')).toBe(2)
  })

  it('routes with a topic name extractor, and lets every processor read a global store', async () => {
    const topology = new TopologyBuilder()
      .addGlobalStore({ name: 'zone-names', type: 'keyValue', keySerde: str, valueSerde: str }, 'zones-source', 'zones', 'zones-loader', () => {
        let store: KeyValueStore<string, string>
        return {
          init: (context) => void (store = context.getStateStore('zone-names')),
          process: (record) => store.put(record.key as string, record.value as string),
        }
      }, { keySerde: str, valueSerde: str })
      .addSource('rides', 'ride_requests', { keySerde: str, valueSerde: str })
      .addProcessor('name-zone', () => {
        let ctx: ProcessorContext<string, string>
        let names: KeyValueStore<string, string>
        return {
          init(context) {
            ctx = context
            names = context.getStateStore('zone-names')
          },
          async process(record) {
            await ctx.forward({ ...record, key: record.key as string, value: `${String(record.value)} in ${(await names.get(record.key as string)) ?? 'unknown'}` })
          },
        }
      }, 'rides')
      .addSink('by-zone', (key: unknown) => `rides-${String(key)}`, { keySerde: str, valueSerde: str }, 'name-zone')
      .build()
    driver = new TopologyTestDriver(topology)
    await driver.createInputTopic('zones', str, str).pipeInput('z1', 'Harbour')
    await driver.createInputTopic('ride_requests', str, str).pipeInput('z1', 'r1')
    expect(driver.createOutputTopic('rides-z1', str, str).readValuesToList()).toEqual(['r1 in Harbour'])
  })

  it('says which node or store is wrong when a name is taken or missing', () => {
    const builder = new TopologyBuilder().addSource('rides', 'ride_requests')
    expect(() => builder.addSource('rides', 'other')).toThrow(/A node named "rides" is already added/)
    expect(() => builder.addSource('rides-2', 'ride_requests')).toThrow(TopologyError)
    expect(() => builder.addProcessor('p', () => ({ process: () => undefined }), 'nope')).toThrow(/Parent "nope" of processor "p" is not added yet/)
    expect(() => builder.connectProcessorAndStateStores('rides', 'missing')).toThrow(/State store "missing" is not added yet/)
  })
})

describe('TopologyBuilder stores from suppliers and read-only stores', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('adds the stores a supplier brings, once, and connects them to each of its processors', async () => {
    const counts = { name: 'counts', type: 'keyValue' as const, keySerde: str, valueSerde: Serdes.json<number>() }
    const counting = Object.assign(countingProcessor, { stores: [counts] })
    const topology = new TopologyBuilder()
      .addSource('rides', 'ride_requests', { keySerde: str, valueSerde: str })
      .addProcessor('count', counting, 'rides')
      .addSink('out', 'rides_per_zone', { keySerde: str, valueSerde: Serdes.json<number>() }, 'count')
      .build()
    expect(topology.stores.has('counts')).toBe(true)
    driver = new TopologyTestDriver(topology)
    await driver.createInputTopic('ride_requests', str, str).pipeInput('zone-1', 'r1')
    await driver.createInputTopic('ride_requests', str, str).pipeInput('zone-1', 'r2')
    expect(driver.createOutputTopic('rides_per_zone', str, Serdes.json<number>()).readValuesToList()).toEqual([1, 2])
  })

  it('fills a read-only store from its topic, which is its changelog: no changelog topic of its own', async () => {
    const topology = new TopologyBuilder()
      .addReadOnlyStateStore({ name: 'zone-names', type: 'keyValue' }, 'zones-source', 'zones', 'zones-loader', () => {
        let store: KeyValueStore<string, string>
        return {
          init: (context) => void (store = context.getStateStore('zone-names')),
          process: (record) => store.put(record.key as string, record.value as string),
        }
      }, { keySerde: str, valueSerde: str })
      .build()
    expect([...topology.internalTopics.keys()]).toEqual([])
    expect(topology.stores.get('zone-names')).toMatchObject({ changelogTopic: 'zones', changelogIsInternal: false, definition: { loggingEnabled: false } })
    driver = new TopologyTestDriver(topology)
    await driver.createInputTopic('zones', str, str).pipeInput('z1', 'Harbour')
    expect(await driver.getKeyValueStore<string, string>('zone-names').get('z1')).toBe('Harbour')
    expect(() => new TopologyBuilder().addReadOnlyStateStore({ name: 'w', type: 'window', retentionMs: 1, windowSizeMs: 1 }, 's', 't', 'p', () => ({ process: () => undefined }))).toThrow(
      /must be a key-value store/,
    )
  })
})
