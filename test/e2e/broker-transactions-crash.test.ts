import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
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

  it('aborts the transaction open at SIGKILL, so read_committed consumers read exactly the committed records', async () => {
    const work = mkdtempSync(join(tmpdir(), 'tributary-txn-crash-'))
    cleanup.push(() => rmSync(work, { recursive: true, force: true }))
    const script = join(work, 'main.mjs')
    writeFileSync(script, brokerMainScript(compileBroker(join(work, 'broker'))))
    const dataDir = join(work, 'data')

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
    await open.send({ topic: 'settlements', messages: Array.from({ length: 10 }, (_, i) => ({ key: `open-${i}`, value: 'never committed' })) })
    await open.sendOffsets({ consumerGroupId: 'settler-input', topics: [{ topic: 'settlements', partitions: [{ partition: 0, offset: '99' }] }] })
    await stopBrokerChild(first.child, 'SIGKILL')
    await producer.disconnect().catch(() => undefined)

    const second = await startBrokerChild(script, dataDir)
    cleanup.push(() => stopBrokerChild(second.child))
    // The last stable offset is the high watermark again: nothing is left open.
    const raw = await RawClient.connect(second.bootstrap)
    cleanup.push(() => raw.close())
    const calls = new TxnCalls(raw)
    for (const partition of [0, 1]) {
      expect(await calls.latestOffset('settlements', partition, 1)).toBe(await calls.latestOffset('settlements', partition, 0))
    }
    // Offsets committed with the three transactions survive; the open one's are dropped.
    expect(await calls.committedOffset('settler-input', 'settlements', 0, true)).toEqual({ offset: 3n, errorCode: 0 })

    const kafka2 = new Kafka({ clientId: 'txn-crash-reader', brokers: [second.bootstrap], logLevel: logLevel.NOTHING })
    const consumer = kafka2.consumer({ groupId: 'auditor', maxWaitTimeInMs: 50 })
    await consumer.connect()
    cleanup.push(() => consumer.disconnect())
    await consumer.subscribe({ topic: 'settlements', fromBeginning: true })
    const seen: string[] = []
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.key)) })
    await waitFor('the committed records', () => seen.length >= committedKeys.length, 20_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(seen.sort()).toEqual([...committedKeys].sort())

    // The transactional id works again after the restart: its new producer commits normally.
    const again = kafka2.producer({ transactionalId: 'settler', idempotent: true, maxInFlightRequests: 1 })
    await again.connect()
    cleanup.push(() => again.disconnect())
    const txn = await again.transaction()
    await txn.send({ topic: 'settlements', messages: [{ key: 'after-restart', value: 'committed' }] })
    await txn.commit()
    await waitFor('the record committed after the restart', () => seen.includes('after-restart'), 20_000)
  })
})
