import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/index.js'
import { buf, readText, startStreams, waitFor, type StreamsFixture } from './fixtures.js'

// Kafka Streams' per-source AutoOffsetReset: a source read from 'latest' skips what its topic held
// before the application first committed, while one left at the default reads it all.
describe('offsetResetPolicy per source, at the first start', () => {
  let streams: StreamsFixture
  beforeEach(async () => {
    streams = await startStreams('offset-reset')
  })
  afterEach(async () => {
    await streams.close()
  })

  it("reads 'latest' sources from their end and the others from their start", async () => {
    const { kafka } = streams
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: 'alerts', partitions: 2 },
      { name: 'audit', partitions: 2 },
      { name: 'seen', partitions: 1 },
    ])
    const producer = kafka.track(kafka.clients.producer())
    // Written before the application starts.
    await producer.send([
      { topic: 'alerts', partition: 0, key: buf('old-0'), value: buf('a') },
      { topic: 'alerts', partition: 1, key: buf('old-1'), value: buf('a') },
      { topic: 'audit', partition: 0, key: buf('audit-old'), value: buf('b') },
    ])
    const text = { keySerde: Serdes.string(), valueSerde: Serdes.string() }
    const b = new StreamsBuilder()
    b.stream<string, string>('alerts', { ...text, offsetResetPolicy: 'latest' }).to('seen', text)
    b.stream<string, string>('audit', text).to('seen', text)
    const app = streams.newApp(b.build())
    await app.start()
    await producer.send([
      { topic: 'alerts', partition: 0, key: buf('new-0'), value: buf('a') },
      { topic: 'alerts', partition: 1, key: buf('new-1'), value: buf('a') },
      { topic: 'audit', partition: 1, key: buf('audit-new'), value: buf('b') },
    ])
    const reader = streams.reader()
    await waitFor('the records written after the start', async () => (await readText(reader, 'seen', 1)).length >= 4, 30_000)
    const keys = (await readText(reader, 'seen', 1)).map((r) => r.key).sort()
    expect(keys).toEqual(['audit-new', 'audit-old', 'new-0', 'new-1'])
  })
})
