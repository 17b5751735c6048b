import { Admin, Consumer, Producer, stringDeserializers, stringSerializers, type Message } from '@platformatic/kafka'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { waitFor } from './fixtures.js'

type StringConsumer = Consumer<string, string, string, string>
type StringProducer = Producer<string, string, string, string>

describe('transactions with @platformatic/kafka', () => {
  let kafka: EmbeddedKafka
  const closers: Array<() => Promise<unknown>> = []

  beforeEach(async () => {
    kafka = await EmbeddedKafka.start({ defaultPartitions: 2 })
    const admin = new Admin({ clientId: 'txn-admin', bootstrapBrokers: [kafka.bootstrapServers] })
    await admin.createTopics({ topics: ['trips-in', 'trips-out'], partitions: 2, replicas: 1 })
    await admin.close()
  })

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
    await kafka.close()
  })

  function txProducer(transactionalId: string): StringProducer {
    // No identity (-1, -1), as a new producer presents: the client's default (0, 0) asks to bump
    // producer id 0's epoch, which this broker, like Apache Kafka, fences once the id has another.
    const p = new Producer({ clientId: transactionalId, bootstrapBrokers: [kafka.bootstrapServers], serializers: stringSerializers, idempotent: true, transactionalId, retries: 0, producerId: -1n, producerEpoch: -1 })
    closers.push(() => p.close())
    return p
  }

  function consumer(groupId: string): StringConsumer {
    const c = new Consumer({
      groupId,
      clientId: groupId,
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

  /** Everything a read_committed consumer (the client's default) reads from `topic`. */
  async function readCommitted(topic: string, expected: number): Promise<string[]> {
    const c = consumer(`reader-${topic}-${Math.random()}`)
    const stream = await c.consume({ topics: [topic], mode: 'earliest', autocommit: false })
    closers.push(() => stream.close())
    const values: string[] = []
    stream.on('data', (m) => values.push(m.value))
    await waitFor(`${expected} committed records in ${topic}`, () => values.length >= expected, 20_000)
    // Anything else (an aborted record leaking through) would arrive with the same fetches.
    await new Promise((resolve) => setTimeout(resolve, 300))
    return values.sort()
  }

  it('runs a consume-transform-produce loop that commits outputs and offsets atomically', async () => {
    const input = new Producer({ clientId: 'input', bootstrapBrokers: [kafka.bootstrapServers], serializers: stringSerializers })
    closers.push(() => input.close())
    await input.send({ messages: Array.from({ length: 6 }, (_, i) => ({ topic: 'trips-in', key: `t${i}`, value: `trip-${i}`, partition: i % 2 })) })

    const processor = consumer('fare-calculator')
    const producer = txProducer('fare-calculator-tx')
    const stream = await processor.consume({ topics: ['trips-in'], mode: 'earliest', autocommit: false })
    closers.push(() => stream.close())
    let processed = 0
    for await (const message of stream as AsyncIterable<Message<string, string, string, string>>) {
      const tx = await producer.beginTransaction()
      await tx.send({ messages: [{ topic: 'trips-out', key: message.key, value: `fare(${message.value})` }] })
      await tx.addConsumer(processor)
      await tx.addOffset(message)
      // Two records are aborted: their outputs must never be visible.
      if (message.key === 't1' || message.key === 't2') await tx.abort()
      else await tx.commit()
      processed++
      if (processed === 6) break
    }

    const outputs = await readCommitted('trips-out', 4)
    expect(outputs).toEqual(['fare(trip-0)', 'fare(trip-3)', 'fare(trip-4)', 'fare(trip-5)'])
    // The last record of each partition was committed in a transaction: offsets are at the end.
    const committed = await processor.listCommittedOffsets({ topics: [{ topic: 'trips-in', partitions: [0, 1] }] })
    expect(committed.get('trips-in')).toEqual([3n, 3n])
  })

  it('hides aborted records from read_committed consumers', async () => {
    const producer = txProducer('ledger-tx')
    for (let round = 0; round < 4; round++) {
      const tx = await producer.beginTransaction()
      await tx.send({ messages: [0, 1].map((p) => ({ topic: 'trips-out', key: `r${round}`, value: `round-${round}-p${p}`, partition: p })) })
      if (round % 2 === 0) await tx.commit()
      else await tx.abort()
    }
    expect(await readCommitted('trips-out', 4)).toEqual(['round-0-p0', 'round-0-p1', 'round-2-p0', 'round-2-p1'])
    // The aborted records are in the log: a read_uncommitted fetch returns them.
    const c = consumer('raw-reader')
    // The client fetches with v13+, which names topics by id (KIP-516).
    const topicId = (await c.metadata({ topics: ['trips-out'] })).topics.get('trips-out')!.id
    const response = await c.fetch({
      node: 0,
      maxWaitTime: 10,
      isolationLevel: 'READ_UNCOMMITTED',
      topics: [{ topicId, topic: 'trips-out', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }] as never,
    } as never)
    const values = (response.responses[0].partitions[0].records ?? []).filter((b) => (b.attributes & 0x20) === 0).flatMap((b) => b.records.map((r) => r.value?.toString()))
    expect(values).toEqual(['round-0-p0', 'round-1-p0', 'round-2-p0', 'round-3-p0'])
  })

  it('fences the first producer when a second one starts with the same transactional id', async () => {
    const first = txProducer('dispatch-tx')
    const tx = await first.beginTransaction()
    await tx.send({ messages: [{ topic: 'trips-out', key: 'z', value: 'from-zombie', partition: 0 }] })

    const second = txProducer('dispatch-tx')
    const tx2 = await second.beginTransaction()
    await tx2.send({ messages: [{ topic: 'trips-out', key: 's', value: 'from-successor', partition: 0 }] })
    await tx2.commit()

    const failure = (await tx.commit().then(() => null, (error: unknown) => error)) as { errors?: Array<{ message: string }> } | null
    // The client's text for PRODUCER_FENCED.
    expect(failure?.errors?.[0]?.message).toMatch(/newer producer with the same transactionalId/)
    expect(await readCommitted('trips-out', 1)).toEqual(['from-successor'])
  })
})
