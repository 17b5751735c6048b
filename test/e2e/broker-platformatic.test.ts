import { Admin, Consumer, Producer, stringDeserializers, stringSerializers, type MessagesStream } from '@platformatic/kafka'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { waitFor } from './fixtures.js'

type StringConsumer = Consumer<string, string, string, string>

describe('embedded broker with @platformatic/kafka', () => {
  let kafka: EmbeddedKafka
  const closers: Array<() => Promise<unknown>> = []

  beforeEach(async () => {
    kafka = await EmbeddedKafka.start({ defaultPartitions: 4 })
  })

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
    await kafka.close()
  })

  function admin(): Admin {
    const a = new Admin({ clientId: 'test-admin', bootstrapBrokers: [kafka.bootstrapServers] })
    closers.push(() => a.close())
    return a
  }

  function producer(): Producer<string, string, string, string> {
    const p = new Producer({ clientId: 'test-producer', bootstrapBrokers: [kafka.bootstrapServers], serializers: stringSerializers })
    closers.push(() => p.close())
    return p
  }

  function consumer(groupId: string, clientId: string): StringConsumer {
    const c = new Consumer({
      groupId,
      clientId,
      bootstrapBrokers: [kafka.bootstrapServers],
      deserializers: stringDeserializers,
      sessionTimeout: 10_000,
      heartbeatInterval: 200,
      rebalanceTimeout: 10_000,
      maxWaitTime: 100,
    })
    closers.push(() => c.close())
    return c
  }

  async function produceRange(p: Producer<string, string, string, string>, topic: string, from: number, to: number): Promise<void> {
    for (let start = from; start < to; start += 1000) {
      const messages = []
      for (let i = start; i < Math.min(to, start + 1000); i++) messages.push({ topic, key: `k${i}`, value: `v${i}` })
      await p.send({ messages, acks: -1 })
    }
  }

  it('creates topics, produces and fetches records by partition', async () => {
    await admin().createTopics({ topics: ['rides'], partitions: 2, replicas: 1 })
    const result = await producer().send({
      messages: [
        { topic: 'rides', key: 'a', value: 'v1', partition: 0 },
        { topic: 'rides', key: 'b', value: 'v2', partition: 1 },
        { topic: 'rides', key: 'c', value: 'v3', partition: 0 },
      ],
    })
    expect(result.offsets?.length).toBeGreaterThan(0)
    const c = consumer('g', 'c')
    // The client fetches with v13+, which names topics by id (KIP-516).
    const topicId = (await c.metadata({ topics: ['rides'] })).topics.get('rides')!.id
    const response = await c.fetch({
      node: 0,
      maxWaitTime: 10,
      topics: [{ topicId, topic: 'rides', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }] as never,
    })
    const partition = response.responses[0].partitions[0]
    expect(partition.highWatermark).toBe(2n)
    const values = (partition.records ?? []).flatMap((batch) => batch.records.map((r) => r.value?.toString()))
    expect(values).toEqual(['v1', 'v3'])
  })

  it('accepts an idempotent producer and keeps its sequences in order', async () => {
    const p = new Producer({ clientId: 'idem', bootstrapBrokers: [kafka.bootstrapServers], serializers: stringSerializers, idempotent: true, autocreateTopics: true })
    closers.push(() => p.close())
    for (let round = 0; round < 5; round++) {
      const messages = Array.from({ length: 20 }, (_, i) => ({ topic: 'ledger', key: `k${i}`, value: `r${round}` }))
      await p.send({ messages, acks: -1 })
    }
    const offsets = await consumer('g', 'c').listOffsets({ topics: ['ledger'] })
    expect((offsets.get('ledger') ?? []).reduce((n, o) => n + o, 0n)).toBe(100n)
  })

  it('reports topic errors the way Kafka does', async () => {
    const a = admin()
    await a.createTopics({ topics: ['dup'], partitions: 1, replicas: 1 })
    await expect(a.createTopics({ topics: ['dup'], partitions: 1, replicas: 1 })).rejects.toThrow()
    await a.deleteTopics({ topics: ['dup'] })
    expect(await a.listTopics()).not.toContain('dup')
  })

  it('consumes 10k records with a group that rebalances, then resumes from committed offsets', async () => {
    const topic = 'vehicle_locations'
    await admin().createTopics({ topics: [topic], partitions: 4, replicas: 1 })
    const p = producer()
    await produceRange(p, topic, 0, 5000)

    const seen = new Map<string, number>()
    const perMember = new Map<string, number>()
    const streams: MessagesStream<string, string, string, string>[] = []
    const start = async (c: StringConsumer, name: string): Promise<void> => {
      const stream = await c.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: 100 })
      streams.push(stream)
      stream.on('data', (m) => {
        seen.set(m.key, (seen.get(m.key) ?? 0) + 1)
        perMember.set(name, (perMember.get(name) ?? 0) + 1)
      })
    }

    const a = consumer('fleet', 'a')
    const b = consumer('fleet', 'b')
    await Promise.all([start(a, 'a'), start(b, 'b')])
    await waitFor('the first 5000 records', () => seen.size === 5000, 20_000)

    const c = consumer('fleet', 'c')
    await start(c, 'c')
    await waitFor('a three-member assignment', () => [a, b, c].every((m) => (m.assignments ?? []).some((x) => x.partitions.length > 0)), 20_000)
    await produceRange(p, topic, 5000, 10_000)
    await waitFor('all 10000 records', () => seen.size === 10_000, 20_000)
    expect(perMember.get('c') ?? 0).toBeGreaterThan(0)

    await b.close(true)
    await waitFor('a and c sharing all four partitions', () => {
      const owned = [a, c].flatMap((m) => (m.assignments ?? []).flatMap((x) => x.partitions))
      return new Set(owned).size === 4
    }, 20_000)
    await produceRange(p, topic, 10_000, 10_400)
    await waitFor('records produced after b left', () => seen.size === 10_400, 20_000)

    // Committed offsets catch up with the log end; then a new member resumes from them.
    await waitFor('committed offsets at the log end', async () => {
      const committed = await a.listCommittedOffsets({ topics: [{ topic, partitions: [0, 1, 2, 3] }] })
      const end = await a.listOffsets({ topics: [topic] })
      return String(committed.get(topic)) === String(end.get(topic))
    }, 20_000)
    for (const s of streams) await s.close()
    await Promise.all([a.close(true), c.close(true)])

    await produceRange(p, topic, 20_000, 20_010)
    const resumed: string[] = []
    const d = consumer('fleet', 'd')
    const stream = await d.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest' })
    stream.on('data', (m) => resumed.push(m.key))
    await waitFor('the 10 records produced while the group was away', () => resumed.length >= 10, 20_000)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(resumed.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${20_000 + i}`).sort())
    await stream.close()
  })
})
