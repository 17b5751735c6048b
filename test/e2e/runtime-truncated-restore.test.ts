import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { QueryableStoreTypes } from '../../src/index.js'
import { KafkaStreams, type ProcessingGuarantee } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { buf, readText, startStreams, waitFor, type StreamsFixture } from './fixtures.js'

const APP = 'rides-with-drivers'

/** Rides joined with the drivers table, which is restored from its own source topic (reuse.ktable.source.topics). */
function ridesWithDrivers(): Topology {
  const s = Serdes.string()
  const b = new StreamsBuilder()
  const drivers = b.table<string, string>('drivers', { keySerde: s, valueSerde: s, storeName: 'drivers' })
  b.stream<string, string>('rides', { keySerde: s, valueSerde: s })
    .join(drivers, (ride, driver) => `${ride} by ${driver}`)
    .to('rides-with-drivers', { keySerde: s, valueSerde: s })
  return b.build({ optimization: 'reuse.ktable.source.topics' })
}

describe.each<ProcessingGuarantee>(['at_least_once', 'exactly_once_v2'])('a table whose source topic lost records while the instance was down (%s)', (processingGuarantee) => {
  let env: StreamsFixture
  beforeEach(async () => {
    env = await startStreams(APP)
  })
  afterEach(() => env.close())

  /** Default settings, one state directory for both runs. */
  const newInstance = () => env.track(new KafkaStreams(ridesWithDrivers(), { applicationId: APP, bootstrapServers: [env.kafka.broker.bootstrapServers], stateDir: env.stateDir, processingGuarantee }))

  it('is wiped and rebuilt from what the topic still holds, and the instance runs on', async () => {
    const { kafka } = env
    const admin = kafka.track(kafka.clients.admin())
    await admin.createTopics(['drivers', 'rides', 'rides-with-drivers'].map((name) => ({ name, partitions: 1 })))
    const producer = kafka.track(kafka.clients.producer())
    const driver = (id: string, name: string) => ({ topic: 'drivers', key: buf(id), value: buf(name), timestamp: Date.now() })
    await producer.send([driver('d1', 'Ann'), driver('d2', 'Bo')])

    const first = newInstance()
    await first.start()
    await waitFor('the first instance to run', () => first.state() === 'RUNNING', 20_000)
    const names = async (app: KafkaStreams) => {
      const all: string[] = []
      for await (const [id, name] of app.store('drivers', QueryableStoreTypes.keyValueStore<string, string>()).all()) all.push(`${id}=${name}`)
      return all
    }
    await waitFor('both drivers in the table', async () => (await names(first)).length === 2, 20_000)
    // A clean close leaves a checkpoint at offset 2 of drivers-0.
    await first.close()

    // While the instance is down the topic grows, then records below offset 3 are deleted.
    await producer.send([driver('d3', 'Cy'), driver('d4', 'Dee')])
    await admin.deleteRecords('drivers', 0, 3n)

    const second = newInstance()
    await second.start()
    await waitFor('the second instance to run', () => second.state() === 'RUNNING', 20_000)
    // The checkpoint (2) is below the topic's start (3): the old state would keep d1 and d2. The
    // restore stops at the committed offset (2); d4, after it, comes into the table as input.
    await waitFor('d4 in the table', async () => (await names(second)).length > 0, 20_000)
    expect(await names(second)).toEqual(['d4=Dee'])
    await producer.send(['d1', 'd2', 'd3', 'd4'].map((id, i) => ({ topic: 'rides', key: buf(id), value: buf(`r${i + 1}`), timestamp: Date.now() })))
    const isolation = processingGuarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted'
    await waitFor('the joined ride', async () => (await readText(env.reader(isolation), 'rides-with-drivers', 1)).length > 0, 20_000)
    await second.close()
    expect((await readText(env.reader(isolation), 'rides-with-drivers', 1)).map((r) => `${r.key}|${r.value}`)).toEqual(['d4|r4 by Dee'])
    expect(second.state()).toBe('NOT_RUNNING')
  }, 60_000)
})
