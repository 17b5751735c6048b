import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TopologyBuilder } from '../../src/dsl/index.js'
import type { ProcessorContext } from '../../src/processors/api.js'
import { KafkaStreams } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import type { KeyValueStore } from '../../src/state/types.js'
import { buf, readText, startStreams, waitFor, type StreamsFixture } from './fixtures.js'

const APP = 'named-rides'
const str = Serdes.string()

/** Rides named after their zone, the names in a read-only store filled from the `zones` topic. */
function namedRides() {
  return new TopologyBuilder()
    .addReadOnlyStateStore({ name: 'zone-names', type: 'keyValue' }, 'zones-source', 'zones', 'zones-loader', () => {
      let names: KeyValueStore<string, string>
      return {
        init: (context) => void (names = context.getStateStore('zone-names')),
        process: (record) => names.put(record.key as string, record.value as string),
      }
    }, { keySerde: str, valueSerde: str })
    .addSource('rides-source', 'rides', { keySerde: str, valueSerde: str })
    .addProcessor('name-rides', () => {
      let ctx: ProcessorContext<unknown, unknown>
      let names: KeyValueStore<string, string>
      return {
        init(context) {
          ctx = context
          names = context.getStateStore('zone-names')
        },
        async process(record) {
          await ctx.forward({ ...record, value: `${String(record.value)} in ${(await names.get(record.key as string)) ?? '?'}` })
        },
      }
    }, 'rides-source')
    .connectProcessorAndStateStores('name-rides', 'zone-names')
    .addSink('out', 'named', { keySerde: str, valueSerde: str }, 'name-rides')
    .build()
}

describe('a Processor API topology (TopologyBuilder) on the embedded broker', () => {
  let env: StreamsFixture
  beforeEach(async () => {
    env = await startStreams(APP)
  })
  afterEach(() => env.close())

  it('runs, and rebuilds its read-only store from the source topic on an empty state directory', async () => {
    const { kafka } = env
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: 'zones', partitions: 2 },
      { name: 'rides', partitions: 2 },
      { name: 'named', partitions: 1 },
    ])
    const producer = kafka.track(kafka.clients.producer())
    // Default settings: the instance a user would run (close commits).
    const newInstance = (stateDir: string) => env.track(new KafkaStreams(namedRides(), { applicationId: APP, bootstrapServers: [kafka.broker.bootstrapServers], stateDir }))
    const named = async () => (await readText(env.reader(), 'named', 1)).map((r) => `${r.key}: ${r.value}`).sort()

    const first = newInstance(env.stateDir)
    await first.start()
    await producer.send([
      { topic: 'zones', key: buf('z1'), value: buf('Harbour') },
      { topic: 'zones', key: buf('z2'), value: buf('Mission') },
    ])
    // The names are in before the rides that need them (the task reads both inputs in time order).
    await producer.send([
      { topic: 'rides', key: buf('z1'), value: buf('r1'), timestamp: Date.now() + 1_000 },
      { topic: 'rides', key: buf('z2'), value: buf('r2'), timestamp: Date.now() + 1_000 },
    ])
    await waitFor('the first rides named', async () => (await named()).length === 2, 30_000)
    expect(await named()).toEqual(['z1: r1 in Harbour', 'z2: r2 in Mission'])
    await first.close()

    const second = newInstance(env.newStateDir())
    await second.start()
    await producer.send([{ topic: 'rides', key: buf('z2'), value: buf('r3'), timestamp: Date.now() + 2_000 }])
    await waitFor('a ride after the restart named from the restored store', async () => (await named()).length === 3, 30_000)
    expect(await named()).toContain('z2: r3 in Mission')
  })
})
