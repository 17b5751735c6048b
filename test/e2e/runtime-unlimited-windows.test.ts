import { Kafka, logLevel } from 'kafkajs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder, UnlimitedWindows } from '../../src/dsl/index.js'
import { QueryableStoreTypes } from '../../src/index.js'
import { KafkaStreams } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import { buf, queryWhenReady, startStreams, waitFor, type StreamsFixture } from './fixtures.js'

const APP = 'pings-forever'
const START = 1_000

function countsForever() {
  const b = new StreamsBuilder()
  b.stream<string, string>('pings', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .groupByKey()
    .windowedBy(UnlimitedWindows.of().startOn(START))
    .count({ storeName: 'forever' })
  return b.build()
}

function countOf(app: KafkaStreams, key: string): Promise<number | undefined> {
  return queryWhenReady(async () => (await app.store('forever', QueryableStoreTypes.windowStore<string, number>()).fetch(key, START)) ?? 0)
}

describe('UnlimitedWindows on the embedded broker', () => {
  let env: StreamsFixture
  beforeEach(async () => {
    env = await startStreams(APP)
  })
  afterEach(() => env.close())

  it('keeps its changelog for good, and an instance on an empty state directory rebuilds the counts from it', async () => {
    const { kafka } = env
    await kafka.track(kafka.clients.admin()).createTopics([{ name: 'pings', partitions: 1 }])
    const producer = kafka.track(kafka.clients.producer())
    // Default settings: the instance a user would run.
    const newInstance = (stateDir: string) => env.track(new KafkaStreams(countsForever(), { applicationId: APP, bootstrapServers: [kafka.broker.bootstrapServers], stateDir }))
    const ping = (key: string, timestamp: number) => ({ topic: 'pings', key: buf(key), value: buf('ping'), timestamp })

    const first = newInstance(env.stateDir)
    await first.start()
    await producer.send([ping('a', 500), ping('a', START), ping('a', Date.now()), ping('b', 2_000)])
    await waitFor('the pings from the start on counted', async () => (await countOf(first, 'a')) === 2 && (await countOf(first, 'b')) === 1, 30_000)
    await first.close()

    // Checked with an independent client: Kafka's retention of a store that never drops a window.
    const admin = new Kafka({ clientId: 'check', brokers: [kafka.broker.bootstrapServers], logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    try {
      const described = await admin.describeConfigs({ resources: [{ type: 2, name: `${APP}-forever-changelog`, configNames: ['retention.ms'] }], includeSynonyms: false })
      expect(described.resources[0]?.configEntries[0]).toMatchObject({ configName: 'retention.ms', configValue: '9223372036854775807' })
    } finally {
      await admin.disconnect()
    }

    const second = newInstance(env.newStateDir())
    await second.start()
    await waitFor('the counts rebuilt from the changelog', async () => (await countOf(second, 'a')) === 2 && (await countOf(second, 'b')) === 1, 30_000)
    await producer.send([ping('a', 3_000)])
    await waitFor('a later ping counted on top', async () => (await countOf(second, 'a')) === 3, 30_000)
  })
})
