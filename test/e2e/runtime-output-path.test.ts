import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/index.js'
import { buf, readAll, startStreams, str, waitFor, type StreamsFixture } from './fixtures.js'

const APP = 'dispatch'

describe('KafkaStreams output path', () => {
  let env: StreamsFixture

  beforeEach(async () => {
    env = await startStreams(APP)
  })

  afterEach(() => env.close())

  it('at-least-once sends results as they are produced, long before the commit that acknowledges them; counts wait in the record cache for it', async () => {
    const { kafka } = env
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: 'ride-requests', partitions: 1 },
      { name: 'requests-seen', partitions: 1 },
      { name: 'requests-per-zone', partitions: 1 },
    ])
    const b = new StreamsBuilder()
    const requests = b.stream<string, string>('ride-requests', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    requests.mapValues((v) => `seen ${v}`).to('requests-seen', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    requests
      .groupByKey()
      .count({ storeName: 'requests-per-zone' })
      .toStream()
      .to('requests-per-zone', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })
    // No commit happens during the test: results can only come from the background sends.
    const app = env.newApp(b.build(), { commitIntervalMs: 600_000 })
    await app.start()

    const producer = kafka.track(kafka.clients.producer())
    await producer.send(['zone-a', 'zone-b', 'zone-a'].map((zone) => ({ topic: 'ride-requests', key: buf(zone), value: buf('request') })))
    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' }))
    await waitFor('the results in the output topic', async () => (await readAll(reader, 'requests-seen', 0)).length === 3)
    expect((await readAll(reader, 'requests-seen', 0)).map((r) => [str(r.key), str(r.value)])).toEqual([
      ['zone-a', 'seen request'],
      ['zone-b', 'seen request'],
      ['zone-a', 'seen request'],
    ])
    // The counts are in the record cache (the store answers with them), not in the output yet.
    expect(await app.store<string, number>('requests-per-zone').get('zone-a')).toBe(2)
    expect(await readAll(reader, 'requests-per-zone', 0)).toEqual([])
    // The input offsets are still uncommitted.
    const probe = kafka.track(kafka.clients.consumer({ isolationLevel: 'read_uncommitted' }))
    expect(await probe.committed([{ topic: 'ride-requests', partition: 0 }])).toEqual([])

    // close() commits: the cache forwards each zone's latest count once, and the offsets cover every input.
    await app.close()
    expect((await readAll(reader, 'requests-per-zone', 0)).map((r) => [str(r.key), str(r.value)])).toEqual([
      ['zone-a', '2'],
      ['zone-b', '1'],
    ])
    expect(await probe.committed([{ topic: 'ride-requests', partition: 0 }])).toEqual([{ topic: 'ride-requests', partition: 0, offset: 3n }])
  })
})
