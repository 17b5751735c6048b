import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/index.js'
import { buf, readText, startStreams, waitFor, type StreamsFixture } from './fixtures.js'

// A table reuses its source topic as its changelog. An application starting with no committed
// offsets must not restore that topic's records into the store before processing them: they are
// input, not state (Kafka Streams restores a source changelog only up to the committed offset).
describe('a table read from its source topic, at the first start', () => {
  let streams: StreamsFixture
  beforeEach(async () => {
    streams = await startStreams('source-table-start')
  })
  afterEach(async () => {
    await streams.close()
  })

  it('joins each update with the other table as it stood at that time, not as it ends', async () => {
    const { kafka } = streams
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: 'left', partitions: 1 },
      { name: 'right', partitions: 1 },
      { name: 'joined', partitions: 1 },
    ])
    // Written before the application starts: the left update (t=1) comes before the right one (t=2).
    await kafka.track(kafka.clients.producer()).send([
      { topic: 'left', partition: 0, key: buf('k'), value: buf('L'), timestamp: 1 },
      { topic: 'right', partition: 0, key: buf('k'), value: buf('R'), timestamp: 2 },
    ])
    const text = { keySerde: Serdes.string(), valueSerde: Serdes.string() }
    const b = new StreamsBuilder()
    const left = b.table<string, string>('left', text)
    const right = b.table<string, string>('right', text)
    left.join(right, (l, r) => `${l}+${r}`, { valueSerde: Serdes.string() }).toStream().to('joined', text)
    // Without the record cache: with it, each side's cached update is joined when that side's cache
    // is flushed, against the other side's cached value, so L+R comes out twice anyway (as in
    // Kafka Streams), and the double result this test looks for would not tell anything.
    const app = streams.newApp(b.build(), { cacheMaxBytes: 0 })
    await app.start()
    // A later pair, produced once running, whose join comes out after everything before it.
    await kafka.track(kafka.clients.producer()).send([
      { topic: 'left', partition: 0, key: buf('end'), value: buf('E'), timestamp: 3 },
      { topic: 'right', partition: 0, key: buf('end'), value: buf('F'), timestamp: 4 },
    ])
    const reader = streams.reader()
    await waitFor('the join of the later pair', async () => (await readText(reader, 'joined', 1)).some((r) => r.key === 'end'), 30_000)
    // Restored from the source topics, the store already held R when L was processed: L+R came out twice.
    expect(await readText(reader, 'joined', 1)).toEqual([{ key: 'k', value: 'L+R' }, { key: 'end', value: 'E+F' }])
  })
})
