import { Kafka, logLevel } from 'kafkajs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { waitFor } from './fixtures.js'

describe('transactions with kafkajs', () => {
  let kafka: EmbeddedKafka
  let client: Kafka
  const closers: Array<() => Promise<unknown>> = []

  beforeEach(async () => {
    kafka = await EmbeddedKafka.start({ defaultPartitions: 2 })
    client = new Kafka({ clientId: 'kafkajs-txn', brokers: [kafka.bootstrapServers], logLevel: logLevel.NOTHING })
    const admin = client.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 2 }, { topic: 'receipts', numPartitions: 2 }] })
    await admin.disconnect()
  })

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
    await kafka.close()
  })

  it('sends and commits offsets in transactions; a read_committed consumer sees only committed records', async () => {
    const producer = client.producer({ transactionalId: 'billing-tx', idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    closers.push(() => producer.disconnect())

    const committed = await producer.transaction()
    await committed.send({ topic: 'receipts', messages: [{ key: 'a', value: 'receipt-a', partition: 0 }, { key: 'b', value: 'receipt-b', partition: 1 }] })
    await committed.sendOffsets({ consumerGroupId: 'billing', topics: [{ topic: 'payments', partitions: [{ partition: 0, offset: '5' }] }] })
    await committed.commit()

    const aborted = await producer.transaction()
    await aborted.send({ topic: 'receipts', messages: [{ key: 'c', value: 'receipt-c', partition: 0 }, { key: 'd', value: 'receipt-d', partition: 1 }] })
    await aborted.sendOffsets({ consumerGroupId: 'billing', topics: [{ topic: 'payments', partitions: [{ partition: 0, offset: '9' }] }] })
    await aborted.abort()

    const last = await producer.transaction()
    await last.send({ topic: 'receipts', messages: [{ key: 'e', value: 'receipt-e', partition: 0 }] })
    await last.commit()

    const admin = client.admin()
    await admin.connect()
    closers.push(() => admin.disconnect())
    const offsets = await admin.fetchOffsets({ groupId: 'billing', topics: ['payments'] })
    expect(offsets[0].partitions.find((p) => p.partition === 0)?.offset).toBe('5')

    // kafkajs consumers read with read_committed unless told otherwise.
    const consumer = client.consumer({ groupId: 'auditor', maxWaitTimeInMs: 100 })
    await consumer.connect()
    closers.push(() => consumer.disconnect())
    await consumer.subscribe({ topics: ['receipts'], fromBeginning: true })
    const seen: string[] = []
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) })
    await waitFor('the three committed receipts', () => seen.length >= 3, 20_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(seen.sort()).toEqual(['receipt-a', 'receipt-b', 'receipt-e'])
  })

  it('fences a producer whose transactional id was taken over', async () => {
    const zombie = client.producer({ transactionalId: 'dispatch-tx', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 50 } })
    await zombie.connect()
    closers.push(() => zombie.disconnect())
    const open = await zombie.transaction()
    await open.send({ topic: 'receipts', messages: [{ key: 'z', value: 'zombie', partition: 0 }] })

    const successor = client.producer({ transactionalId: 'dispatch-tx', idempotent: true, maxInFlightRequests: 1 })
    await successor.connect()
    closers.push(() => successor.disconnect())
    const txn = await successor.transaction()
    await txn.send({ topic: 'receipts', messages: [{ key: 's', value: 'successor', partition: 0 }] })
    await txn.commit()

    await expect(open.commit()).rejects.toMatchObject({ type: 'INVALID_PRODUCER_EPOCH' })
    const consumer = client.consumer({ groupId: 'fence-reader', maxWaitTimeInMs: 100 })
    await consumer.connect()
    closers.push(() => consumer.disconnect())
    await consumer.subscribe({ topics: ['receipts'], fromBeginning: true })
    const seen: string[] = []
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) })
    await waitFor('the successor record', () => seen.length >= 1, 20_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(seen).toEqual(['successor'])
  })
})
