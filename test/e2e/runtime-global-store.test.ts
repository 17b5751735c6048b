import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { ProcessorContext } from '../../src/processors/api.js'
import { Serdes } from '../../src/serde/index.js'
import type { KeyValueStore } from '../../src/state/types.js'
import { buf, readText, startStreams, waitFor, type StreamsFixture } from './fixtures.js'

const text = { keySerde: Serdes.string(), valueSerde: Serdes.string() }

/**
 * Zone names kept upper-cased in a global store by a processor of the user's, and pings looked up
 * there by a stream processor: the global store is filled before the first ping is processed.
 */
function topology() {
  const b = new StreamsBuilder()
  b.addGlobalStore<string, string>({ name: 'zone-names', type: 'keyValue', ...text }, 'zones', text, () => {
    let names!: KeyValueStore<string, string>
    return {
      init: (context) => void (names = context.getStateStore('zone-names')),
      process: (record) => names.put(record.key, record.value === null ? null : record.value.toUpperCase()),
    }
  })
  b.stream<string, string>('pings', text)
    .process<string, string>(() => {
      let ctx!: ProcessorContext<string, string>
      let names!: KeyValueStore<string, string>
      return {
        init(context) {
          ctx = context
          names = context.getStateStore('zone-names')
        },
        async process(record) {
          const zone = (await names.get(record.value)) ?? 'unknown'
          return ctx.forward({ ...record, value: `${record.key}@${zone}` })
        },
      }
    })
    .to('located', text)
  return b.build()
}

describe('a global store filled by the processor given to addGlobalStore', () => {
  let streams: StreamsFixture
  beforeEach(async () => {
    streams = await startStreams('global-store')
  })
  afterEach(async () => {
    await streams.close()
  })

  it('is filled from every partition before processing starts, and readable by every task', async () => {
    const { kafka } = streams
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: 'zones', partitions: 2 },
      { name: 'pings', partitions: 2 },
      { name: 'located', partitions: 1 },
    ])
    const producer = kafka.track(kafka.clients.producer())
    await producer.send([
      { topic: 'zones', partition: 0, key: buf('z1'), value: buf('harbour') },
      { topic: 'zones', partition: 1, key: buf('z2'), value: buf('old town') },
      { topic: 'pings', partition: 0, key: buf('d1'), value: buf('z1') },
      { topic: 'pings', partition: 1, key: buf('d2'), value: buf('z2') },
    ])
    const app = streams.newApp(topology())
    await app.start()
    const reader = streams.reader()
    await waitFor('both pings located', async () => (await readText(reader, 'located', 1)).length >= 2, 30_000)
    const located = (await readText(reader, 'located', 1)).map((r) => r.value).sort()
    expect(located).toEqual(['d1@HARBOUR', 'd2@OLD TOWN'])
  })
})
