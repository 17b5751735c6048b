import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmitStrategy, StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { buf, numbersByKey, readText, startStreams, waitFor, type StreamsFixture } from './fixtures.js'

const APP = 'rides-per-minute-final'
const MINUTE = 60_000
const s = Serdes.string()

/** Rides per zone and tumbling minute, emitted once per window by the aggregation itself. */
function finalCountsOnClose(): Topology {
  const b = new StreamsBuilder()
  b.stream<string, string>('rides', { keySerde: s, valueSerde: s })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(MINUTE))
    .emitStrategy(EmitStrategy.onWindowClose())
    .count({ storeName: 'rides-per-minute' })
    .toStream()
    .map<string, number>((window, count) => [`${window.key}@${window.window.start}`, count])
    .to('final-counts', { keySerde: s, valueSerde: Serdes.json<number>() })
  return b.build()
}

describe('KafkaStreams with EmitStrategy.onWindowClose() and the default emit interval (1000 ms)', () => {
  let env: StreamsFixture
  beforeEach(async () => {
    env = await startStreams(APP)
  })
  afterEach(() => env.close())

  it('writes each closed window once, with its final count, and nothing of the open one', async () => {
    const { kafka } = env
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: 'rides', partitions: 1 },
      { name: 'final-counts', partitions: 1 },
    ])
    const app = env.newApp(finalCountsOnClose())
    await app.start()
    const producer = kafka.track(kafka.clients.producer())
    const ride = (zone: string, timestamp: number) => ({ topic: 'rides', partition: 0, key: buf(zone), value: buf('ride'), timestamp })
    // Minute 0: 3 rides in zone a, 2 in zone b; then one in minute 1, which closes minute 0.
    await producer.send([ride('a', 1_000), ride('b', 2_000), ride('a', 3_000), ride('b', 4_000), ride('a', 5_000), ride('a', MINUTE + 1_000)])
    // Closed windows are looked for at most once a second of wall clock: a record after that looks
    // again (while minute 0 is still in the store, which keeps a window for its size past its end).
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    await producer.send([ride('a', MINUTE + 2_000)])

    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' }))
    const finals = async () => numbersByKey(await readText(reader, 'final-counts', 1))
    await waitFor('minute 0 closed', async () => (await finals()).size === 2, 20_000)
    // Give a wrongly repeated or early result time to show up before checking there is none.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(Object.fromEntries(await finals())).toEqual({ 'a@0': [3], 'b@0': [2] })
  }, 40_000)
})
