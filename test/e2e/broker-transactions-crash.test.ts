import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/broker/protocol/error-codes.js'
import { brokerMainScript, compileBroker } from '../broker/fixtures/compile-broker.js'
import { startBrokerChild, stopBrokerChild } from '../broker/fixtures/broker-child.js'
import { RawClient } from '../broker/fixtures/raw-client.js'
import { TxnCalls } from '../broker/fixtures/txn-client.js'
import { waitFor } from './fixtures.js'

describe('transactions across a broker crash', () => {
  const cleanup: Array<() => unknown> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  /** A broker in a child process, to SIGKILL, and the data directory it keeps across restarts. */
  function brokerScript(): { script: string; dataDir: string } {
    const work = mkdtempSync(join(tmpdir(), 'tributary-txn-crash-'))
    cleanup.push(() => rmSync(work, { recursive: true, force: true }))
    const script = join(work, 'main.mjs')
    writeFileSync(script, brokerMainScript(compileBroker(join(work, 'broker'))))
    return { script, dataDir: join(work, 'data') }
  }

  /** Every record key a read_committed (kafkajs' default) consumer of `topic` receives. */
  async function readCommitted(kafka: Kafka, topic: string): Promise<string[]> {
    const consumer = kafka.consumer({ groupId: 'auditor', maxWaitTimeInMs: 50 })
    await consumer.connect()
    cleanup.push(() => consumer.disconnect())
    await consumer.subscribe({ topic, fromBeginning: true })
    const seen: string[] = []
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.key)) })
    return seen
  }

  it('keeps the transaction open at SIGKILL until the next producer of its id fences it; read_committed consumers then read exactly the committed records', async () => {
    const { script, dataDir } = brokerScript()
    const first = await startBrokerChild(script, dataDir)
    cleanup.push(() => stopBrokerChild(first.child))
    const kafka1 = new Kafka({ clientId: 'txn-crash', brokers: [first.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } })
    const admin = kafka1.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'settlements', numPartitions: 2 }] })
    await admin.disconnect()
    const producer = kafka1.producer({ transactionalId: 'settler', idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const committedKeys: string[] = []
    for (let round = 0; round < 3; round++) {
      const txn = await producer.transaction()
      const messages = Array.from({ length: 10 }, (_, i) => ({ key: `c${round}-${i}`, value: 'committed' }))
      await txn.send({ topic: 'settlements', messages })
      await txn.sendOffsets({ consumerGroupId: 'settler-input', topics: [{ topic: 'settlements', partitions: [{ partition: 0, offset: String(round + 1) }] }] })
      await txn.commit()
      committedKeys.push(...messages.map((m) => m.key))
    }
    const open = await producer.transaction()
    await open.send({ topic: 'settlements', messages: Array.from({ length: 10 }, (_, i) => ({ key: `open-${i}`, value: 'never committed', partition: i % 2 })) })
    await open.sendOffsets({ consumerGroupId: 'settler-input', topics: [{ topic: 'settlements', partitions: [{ partition: 0, offset: '99' }] }] })
    await stopBrokerChild(first.child, 'SIGKILL')
    await producer.disconnect().catch(() => undefined)

    const second = await startBrokerChild(script, dataDir)
    cleanup.push(() => stopBrokerChild(second.child))
    const raw = await RawClient.connect(second.bootstrap)
    cleanup.push(() => raw.close())
    const calls = new TxnCalls(raw)
    // As in Kafka, the restart leaves the transaction open: the last stable offset stays below
    // the high watermark, and its offsets are still pending.
    for (const partition of [0, 1]) {
      expect(await calls.latestOffset('settlements', partition, 1)).toBeLessThan(await calls.latestOffset('settlements', partition, 0))
    }
    expect(await calls.committedOffset('settler-input', 'settlements', 0, true)).toEqual({ offset: -1n, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT })

    // The transactional id's next producer fences the old one (kafkajs initialises it with its
    // first transaction), which aborts the old one's transaction.
    const kafka2 = new Kafka({ clientId: 'txn-crash-reader', brokers: [second.bootstrap], logLevel: logLevel.NOTHING })
    const again = kafka2.producer({ transactionalId: 'settler', idempotent: true, maxInFlightRequests: 1 })
    await again.connect()
    cleanup.push(() => again.disconnect())
    const txn = await again.transaction()
    for (const partition of [0, 1]) {
      expect(await calls.latestOffset('settlements', partition, 1)).toBe(await calls.latestOffset('settlements', partition, 0))
    }
    // Offsets committed with the three transactions survive; the open one's are dropped.
    expect(await calls.committedOffset('settler-input', 'settlements', 0, true)).toEqual({ offset: 3n, errorCode: 0 })

    const seen = await readCommitted(kafka2, 'settlements')
    await waitFor('the committed records', () => seen.length >= committedKeys.length, 20_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(seen.sort()).toEqual([...committedKeys].sort())

    // The new producer commits normally.
    await txn.send({ topic: 'settlements', messages: [{ key: 'after-restart', value: 'committed' }] })
    await txn.commit()
    await waitFor('the record committed after the restart', () => seen.includes('after-restart'), 20_000)
  })

  it('lets a producer carry on with the transaction it had open at SIGKILL and commit it once the broker is back', async () => {
    const { script, dataDir } = brokerScript()
    const first = await startBrokerChild(script, dataDir)
    cleanup.push(() => stopBrokerChild(first.child))
    // The broker comes back on the same port, so the producer reconnects to it by itself.
    const port = Number(first.bootstrap.split(':')[1])
    const kafka = new Kafka({ clientId: 'txn-crash', brokers: [first.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'settlements', numPartitions: 2 }] })
    await admin.disconnect()
    const producer = kafka.producer({ transactionalId: 'settler', idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    cleanup.push(() => producer.disconnect())
    const txn = await producer.transaction()
    const before = Array.from({ length: 10 }, (_, i) => ({ key: `before-${i}`, value: 'v', partition: i % 2 }))
    await txn.send({ topic: 'settlements', messages: before })
    await txn.sendOffsets({ consumerGroupId: 'settler-input', topics: [{ topic: 'settlements', partitions: [{ partition: 0, offset: '99' }] }] })
    await stopBrokerChild(first.child, 'SIGKILL')

    const second = await startBrokerChild(script, dataDir, port)
    cleanup.push(() => stopBrokerChild(second.child))
    const after = Array.from({ length: 10 }, (_, i) => ({ key: `after-${i}`, value: 'v', partition: i % 2 }))
    await txn.send({ topic: 'settlements', messages: after })
    await txn.commit()

    const raw = await RawClient.connect(second.bootstrap)
    cleanup.push(() => raw.close())
    expect(await new TxnCalls(raw).committedOffset('settler-input', 'settlements', 0, true)).toEqual({ offset: 99n, errorCode: 0 })
    const seen = await readCommitted(kafka, 'settlements')
    await waitFor('the records of the transaction', () => seen.length >= 20, 20_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(seen.sort()).toEqual([...before, ...after].map((m) => m.key).sort())
  })
})
