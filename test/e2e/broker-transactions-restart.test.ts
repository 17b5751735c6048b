import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { waitFor } from './fixtures.js'

describe('a kafkajs transaction open across a broker restart', () => {
  const closers: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
  })

  it('is carried on and committed by its producer: every record and the offsets it sent become visible', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-txn-restart-'))
    closers.push(async () => rmSync(dataDir, { recursive: true, force: true }))
    let kafka = await EmbeddedKafka.start({ dataDir })
    closers.push(() => kafka.close())
    // The restarted broker listens where the first one did, so the clients simply reconnect.
    const port = kafka.port
    const client = new Kafka({ clientId: 'billing', brokers: [kafka.bootstrapServers], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } })
    const admin = client.admin()
    await admin.connect()
    closers.push(() => admin.disconnect())
    await admin.createTopics({ topics: [{ topic: 'receipts', numPartitions: 2 }] })
    const producer = client.producer({ transactionalId: 'billing-tx', idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    closers.push(() => producer.disconnect())

    const txn = await producer.transaction()
    await txn.send({ topic: 'receipts', messages: [{ key: 'a', value: 'before', partition: 0 }, { key: 'b', value: 'before', partition: 1 }] })
    await txn.sendOffsets({ consumerGroupId: 'billing', topics: [{ topic: 'receipts', partitions: [{ partition: 0, offset: '7' }] }] })
    await kafka.close()
    kafka = await EmbeddedKafka.start({ dataDir, port })

    await txn.send({ topic: 'receipts', messages: [{ key: 'c', value: 'after', partition: 0 }, { key: 'd', value: 'after', partition: 1 }] })
    await txn.commit()

    const offsets = await admin.fetchOffsets({ groupId: 'billing', topics: ['receipts'] })
    expect(offsets[0].partitions.find((p) => p.partition === 0)?.offset).toBe('7')
    // kafkajs consumers read with read_committed unless told otherwise.
    const consumer = client.consumer({ groupId: 'auditor', maxWaitTimeInMs: 100 })
    await consumer.connect()
    closers.push(() => consumer.disconnect())
    await consumer.subscribe({ topics: ['receipts'], fromBeginning: true })
    const seen: string[] = []
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(`${String(message.key)}:${String(message.value)}`) })
    await waitFor('the four records of the transaction', () => seen.length >= 4, 20_000)
    expect(seen.sort()).toEqual(['a:before', 'b:before', 'c:after', 'd:after'])
  })
})
