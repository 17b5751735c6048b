import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { waitFor } from './fixtures.js'

describe('embedded broker with kafkajs', () => {
  let kafka: EmbeddedKafka
  let client: Kafka
  const closers: Array<() => Promise<unknown>> = []

  beforeEach(async () => {
    kafka = await EmbeddedKafka.start()
    client = new Kafka({ clientId: 'kafkajs-test', brokers: [kafka.bootstrapServers], logLevel: logLevel.NOTHING })
  })

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
    await kafka.close()
  })

  async function producer(): Promise<Producer> {
    const p = client.producer({ allowAutoTopicCreation: false })
    await p.connect()
    closers.push(() => p.disconnect())
    return p
  }

  async function produceRange(p: Producer, topic: string, from: number, to: number): Promise<void> {
    for (let start = from; start < to; start += 1000) {
      const messages = []
      for (let i = start; i < Math.min(to, start + 1000); i++) messages.push({ key: `k${i}`, value: `v${i}` })
      await p.send({ topic, messages, acks: -1 })
    }
  }

  it('admin: creates topics with configs, describes them, lists offsets and deletes them', async () => {
    const admin = client.admin()
    await admin.connect()
    closers.push(() => admin.disconnect())
    expect(await admin.createTopics({ topics: [{ topic: 'drivers', numPartitions: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] })).toBe(true)
    expect(await admin.createTopics({ topics: [{ topic: 'drivers', numPartitions: 2 }] })).toBe(false)
    const described = await admin.describeConfigs({ resources: [{ type: 2, name: 'drivers', configNames: ['cleanup.policy'] }], includeSynonyms: false })
    expect(described.resources[0].configEntries[0]).toMatchObject({ configName: 'cleanup.policy', configValue: 'compact' })
    const p = await producer()
    await produceRange(p, 'drivers', 0, 10)
    const offsets = await admin.fetchTopicOffsets('drivers')
    expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(10)
    await admin.createPartitions({ topicPartitions: [{ topic: 'drivers', count: 3 }] })
    expect((await admin.fetchTopicMetadata({ topics: ['drivers'] })).topics[0].partitions).toHaveLength(3)
    await admin.deleteTopics({ topics: ['drivers'] })
    expect(await admin.listTopics()).not.toContain('drivers')
  })

  it('consumes 10k records with a group that rebalances, then resumes from committed offsets', async () => {
    const topic = 'trips'
    const admin = client.admin()
    await admin.connect()
    closers.push(() => admin.disconnect())
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] })
    const p = await producer()
    await produceRange(p, topic, 0, 5000)

    const seen = new Set<string>()
    const perMember = new Map<string, number>()
    const start = async (name: string): Promise<Consumer> => {
      const c = client.consumer({ groupId: 'dispatch', sessionTimeout: 10_000, heartbeatInterval: 100, maxWaitTimeInMs: 100, rebalanceTimeout: 10_000 })
      await c.connect()
      closers.push(() => c.disconnect())
      await c.subscribe({ topic, fromBeginning: true })
      await c.run({
        autoCommitInterval: 100,
        eachMessage: async ({ message }) => {
          seen.add(String(message.key))
          perMember.set(name, (perMember.get(name) ?? 0) + 1)
        },
      })
      return c
    }
    const a = await start('a')
    const b = await start('b')
    await waitFor('the first 5000 records', () => seen.size === 5000, 30_000)
    const c = await start('c')
    await produceRange(p, topic, 5000, 10_000)
    await waitFor('all 10000 records', () => seen.size === 10_000, 30_000)
    await waitFor('c to take part', () => (perMember.get('c') ?? 0) > 0, 30_000)
    await b.disconnect()
    await produceRange(p, topic, 10_000, 10_400)
    await waitFor('records produced after b left', () => seen.size === 10_400, 30_000)

    await waitFor('committed offsets at the log end', async () => {
      const committed = await admin.fetchOffsets({ groupId: 'dispatch', topics: [topic] })
      const end = await admin.fetchTopicOffsets(topic)
      return end.every((e) => committed[0].partitions.find((x) => x.partition === e.partition)?.offset === e.offset)
    }, 30_000)
    await Promise.all([a.disconnect(), c.disconnect()])

    await produceRange(p, topic, 20_000, 20_010)
    const resumed: string[] = []
    const d = client.consumer({ groupId: 'dispatch', heartbeatInterval: 100, maxWaitTimeInMs: 100 })
    await d.connect()
    closers.push(() => d.disconnect())
    await d.subscribe({ topic, fromBeginning: true })
    await d.run({ eachMessage: async ({ message }) => void resumed.push(String(message.key)) })
    await waitFor('the 10 records produced while the group was away', () => resumed.length >= 10, 30_000)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(resumed.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${20_000 + i}`).sort())
  })
})
