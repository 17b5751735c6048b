import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { KafkaClients, KafkaReader } from '../../src/kafka/index.js'
import { readCheckpointFile } from '../../src/engine/checkpoint-file.js'
import { Serdes } from '../../src/serde/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { buf, type KafkaFixture, readText, startStreams, type StreamsFixture, testBrokerKind, waitFor } from './fixtures.js'

const APP = 'dispatch'
const RIDERS = 'riders'
const RIDES = 'rides'
const ENRICHED = 'rides-enriched'

interface Rider {
  readonly name: string
}
interface Ride {
  readonly rider: string
  readonly seq: number
}

/** Each ride joined with its rider's current name, looked up in a global table by a field of the value. */
function dispatchTopology(): Topology {
  const b = new StreamsBuilder()
  const riders = b.globalTable<string, Rider>(RIDERS, { keySerde: Serdes.string(), valueSerde: Serdes.json<Rider>(), storeName: 'riders-store' })
  b.stream<string, Ride>(RIDES, { keySerde: Serdes.string(), valueSerde: Serdes.json<Ride>() })
    .join(riders, (_rideId, ride) => ride.rider, (ride, rider) => `${ride.seq}:${rider.name}`)
    .to(ENRICHED, { keySerde: Serdes.string(), valueSerde: Serdes.string() })
  return b.build()
}

/** Client factories whose readers count the global-topic records they hand out. */
function countingClients(kafka: KafkaFixture, counter: { riderRecords: number }): KafkaClients {
  return {
    ...kafka.clients,
    reader: (options) => {
      const reader = kafka.clients.reader(options)
      const counting: KafkaReader = {
        endOffset: (tp) => reader.endOffset(tp),
        startOffset: (tp) => reader.startOffset(tp),
        readRange: (tp, from, to, onBatch) =>
          reader.readRange(tp, from, to, (records) => {
            if (tp.topic === RIDERS) counter.riderRecords += records.length
            return onBatch(records)
          }),
        close: () => reader.close(),
      }
      return counting
    },
  }
}

describe(`KafkaStreams global tables against the ${testBrokerKind()} broker`, () => {
  let env: StreamsFixture
  let kafka: KafkaFixture

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
  })

  afterEach(() => env.close())

  const newApp = (stateDir: string, clients?: KafkaClients, guarantee: 'at_least_once' | 'exactly_once_v2' = 'at_least_once') =>
    env.newApp(dispatchTopology(), { stateDir, processingGuarantee: guarantee }, clients === undefined ? {} : { clients })

  const enriched = async (): Promise<Map<string, string>> => new Map((await readText(env.reader(), ENRICHED, 3)).map((r) => [r.key, r.value]))

  it('serves the full table on every instance, follows updates, and restores from its checkpoint on restart', async () => {
    // The global topic has another partition count than the stream: a global join needs no co-partitioning.
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: RIDES, partitions: 3 },
      { name: RIDERS, partitions: 2 },
      { name: ENRICHED, partitions: 3 },
    ])
    const producer = kafka.track(kafka.clients.producer())
    const names = new Map<string, string>()
    const setRiders = async (entries: [string, string][]) => {
      for (const [id, name] of entries) names.set(id, name)
      await producer.send(entries.map(([id, name]) => ({ topic: RIDERS, key: buf(id), value: buf(JSON.stringify({ name })), timestamp: 1_000 })))
    }
    await setRiders(Array.from({ length: 10 }, (_, i) => [`rider-${i}`, `Rider ${i}`] as [string, string]))

    const dirA = env.newStateDir()
    const dirB = env.newStateDir()
    const a = newApp(dirA)
    const b = newApp(dirB)
    await a.start()
    // Bootstrapped before start() resolves: the whole table is there at once, on each instance.
    expect(await a.store<string, Rider>('riders-store').approximateNumEntries()).toBe(10)
    await b.start()
    for (const app of [a, b]) {
      for (const [id, name] of names) expect((await app.store<string, Rider>('riders-store').get(id))?.name).toBe(name)
    }

    let seq = 0
    const expected = new Map<string, string>()
    const sendRides = async (riders: string[]) => {
      const batch = riders.map((rider) => {
        const id = `ride-${seq}`
        expected.set(id, `${seq}:${names.get(rider)}`)
        return { topic: RIDES, key: buf(id), value: buf(JSON.stringify({ rider, seq: seq++ })), timestamp: 2_000 + seq }
      })
      await producer.send(batch)
    }
    const expectEnriched = async () => {
      await waitFor('every ride joined', async () => (await enriched()).size >= expected.size, 20_000)
      expect(await enriched()).toEqual(expected)
    }

    await sendRides(Array.from({ length: 30 }, (_, i) => `rider-${i % 10}`))
    await expectEnriched()

    // An update of the global topic reaches both instances, then the joins.
    await setRiders([
      ['rider-3', 'Renamed 3'],
      ['rider-10', 'Rider 10'],
    ])
    await waitFor('the update on both instances', async () => {
      for (const app of [a, b]) {
        const store = app.store<string, Rider>('riders-store')
        if ((await store.get('rider-3'))?.name !== 'Renamed 3' || (await store.get('rider-10'))?.name !== 'Rider 10') return false
      }
      return true
    })
    await sendRides(['rider-3', 'rider-10', 'rider-3', 'rider-1'])
    await expectEnriched()

    await b.close()
    await a.close()
    // The global topic is the changelog: no "-changelog" topic, a checkpoint of its two partitions.
    const admin = kafka.track(kafka.clients.admin())
    expect((await admin.describeTopics([`${APP}-riders-store-changelog`])).size).toBe(0)
    const checkpointPath = join(dirA, APP, 'global', '.checkpoint')
    expect(existsSync(checkpointPath)).toBe(true)
    const ends = await admin.listOffsets(RIDERS, [0, 1], 'latest')
    expect(readCheckpointFile(checkpointPath).sort((x, y) => x.partition - y.partition)).toEqual([
      { topic: RIDERS, partition: 0, offset: ends.get(0) },
      { topic: RIDERS, partition: 1, offset: ends.get(1) },
    ])

    // Restart on the same state directory: only what was written to the topic meanwhile is read.
    await setRiders([['rider-11', 'Rider 11']])
    const counter = { riderRecords: 0 }
    const restarted = newApp(dirA, countingClients(kafka, counter))
    await restarted.start()
    expect(counter.riderRecords).toBe(1)
    const store = restarted.store<string, Rider>('riders-store')
    expect(await store.approximateNumEntries()).toBe(12)
    for (const [id, name] of names) expect((await store.get(id))?.name).toBe(name)
    await sendRides(['rider-11', 'rider-3'])
    await expectEnriched()
    await restarted.close()
  }, 60_000)

  it('under exactly_once_v2 reads the global topic read_committed: an aborted update never reaches the table', async () => {
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: RIDES, partitions: 1 },
      { name: RIDERS, partitions: 1 },
      { name: ENRICHED, partitions: 1 },
    ])
    const writer = kafka.track(kafka.clients.transactionalProducer('riders-writer'))
    const rider = (id: string, name: string) => ({ topic: RIDERS, key: buf(id), value: buf(JSON.stringify({ name })), timestamp: 1_000 })
    await writer.begin()
    await writer.send([rider('r1', 'Ann')])
    await writer.commit()
    await writer.begin()
    await writer.send([rider('r1', 'Aborted'), rider('r2', 'Aborted')])
    await writer.abort()

    const app = newApp(env.newStateDir(), undefined, 'exactly_once_v2')
    await app.start()
    const store = app.store<string, Rider>('riders-store')
    expect((await store.get('r1'))?.name).toBe('Ann')
    expect(await store.get('r2')).toBeUndefined()

    // Later: another aborted write, then a committed one; only the committed one arrives.
    await writer.begin()
    await writer.send([rider('r1', 'Aborted again')])
    await writer.abort()
    await writer.begin()
    await writer.send([rider('r3', 'Cyd')])
    await writer.commit()
    await waitFor('the committed update', async () => (await store.get('r3'))?.name === 'Cyd')
    expect((await store.get('r1'))?.name).toBe('Ann')
    expect(await store.get('r2')).toBeUndefined()
    await app.close()
  }, 40_000)
})
