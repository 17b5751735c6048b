import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { buf, readAll, startStreams, str, waitFor, type StreamsFixture } from './fixtures.js'

const APP = 'zone-supply'
const s = Serdes.string()

/** Drivers counted per zone (re-keyed from a 1-partition topic), joined with requests keyed by zone (6 partitions). */
function requestsWithDriversPerZone(): Topology {
  const b = new StreamsBuilder()
  const zones = b
    .table<string, string>('driver-zones', { keySerde: s, valueSerde: s })
    .groupBy((_driver, zone) => [zone, zone], { keySerde: s, valueSerde: s, name: 'drivers-by-zone' })
    .count({ storeName: 'drivers-per-zone' })
  b.stream<string, string>('zone-requests', { keySerde: s, valueSerde: s })
    .join(zones, (request, drivers) => `${request}:${drivers}`)
    .to('requests-with-supply', { keySerde: s, valueSerde: s })
  return b.build()
}

describe('KafkaStreams sizes a join\'s repartition topics to the co-partition group', () => {
  let env: StreamsFixture

  beforeEach(async () => {
    env = await startStreams(APP)
  })

  afterEach(() => env.close())

  it('a table re-keyed from a 1-partition topic joins a 6-partition stream', async () => {
    const { kafka } = env
    const admin = kafka.track(kafka.clients.admin())
    await admin.createTopics([
      { name: 'driver-zones', partitions: 1 },
      { name: 'zone-requests', partitions: 6 },
      { name: 'requests-with-supply', partitions: 1 },
    ])
    const app = env.newApp(requestsWithDriversPerZone())
    await app.start()
    const internal = await admin.describeTopics([`${APP}-drivers-by-zone-repartition`, `${APP}-drivers-per-zone-changelog`])
    expect(Object.fromEntries(internal)).toEqual({ [`${APP}-drivers-by-zone-repartition`]: 6, [`${APP}-drivers-per-zone-changelog`]: 6 })

    const producer = kafka.track(kafka.clients.producer())
    await producer.send(Array.from({ length: 12 }, (_, i) => ({ topic: 'driver-zones', key: buf(`driver-${i}`), value: buf(`zone-${i % 4}`), timestamp: 1_000 + i })))
    await waitFor('the zone counts', async () => (await app.store<string, number>('drivers-per-zone').get('zone-3')) === 3, 20_000)
    await producer.send(Array.from({ length: 8 }, (_, i) => ({ topic: 'zone-requests', key: buf(`zone-${i % 4}`), value: buf(`req-${i}`), timestamp: 2_000 + i })))

    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' }))
    const joined = async () => (await readAll(reader, 'requests-with-supply', 0)).map((r) => [str(r.key), str(r.value)])
    await waitFor('every request joined', async () => (await joined()).length === 8, 20_000)
    const out = await joined()
    for (let i = 0; i < 8; i++) expect(out).toContainEqual([`zone-${i % 4}`, `req-${i}:3`])
  }, 40_000)
})
