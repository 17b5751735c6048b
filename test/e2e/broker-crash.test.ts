import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiKey } from '../../src/broker/protocol/api-keys.js'
import { brokerMainScript, compileBroker } from '../broker/fixtures/compile-broker.js'
import { startBrokerChild } from '../broker/fixtures/broker-child.js'
import { RawClient } from '../broker/fixtures/raw-client.js'


describe('crash safety', () => {
  const cleanup: Array<() => void> = []
  afterEach(() => {
    for (const c of cleanup.splice(0).reverse()) c()
  })

  it('keeps every acks=-1 record and committed offset across SIGKILL', async () => {
    const work = mkdtempSync(join(tmpdir(), 'tributary-crash-'))
    cleanup.push(() => rmSync(work, { recursive: true, force: true }))
    const entry = compileBroker(join(work, 'broker'))
    const script = join(work, 'main.mjs')
    writeFileSync(script, brokerMainScript(entry))
    const dataDir = join(work, 'data')

    const first = await startBrokerChild(script, dataDir)
    cleanup.push(() => first.child.kill('SIGKILL'))
    const kafka1 = new Kafka({ clientId: 'crash', brokers: [first.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
    const admin1 = kafka1.admin()
    await admin1.connect()
    await admin1.createTopics({ topics: [{ topic: 'payments', numPartitions: 3 }] })
    const producer = kafka1.producer()
    await producer.connect()
    const acked: string[] = []
    for (let batch = 0; batch < 20; batch++) {
      const messages = Array.from({ length: 50 }, (_, i) => ({ key: `p${batch * 50 + i}`, value: `amount-${batch * 50 + i}` }))
      await producer.send({ topic: 'payments', messages, acks: -1 })
      acked.push(...messages.map((m) => m.key))
    }
    // A standalone commit (generation -1, no member), as admin tools send it.
    const raw = await RawClient.connect(first.bootstrap)
    const commit = await raw.request(ApiKey.OffsetCommit, 2, {
      groupId: 'ledger',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      retentionTimeMs: -1n,
      topics: [{ name: 'payments', partitions: [{ partitionIndex: 0, committedOffset: 7n, committedMetadata: null }, { partitionIndex: 2, committedOffset: 3n, committedMetadata: null }] }],
    })
    raw.close()
    expect(commit.topics).toMatchObject([{ name: 'payments', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 2, errorCode: 0 }] }])
    // Unacknowledged traffic in flight when the process dies must not corrupt what was acknowledged.
    const inFlight = producer.send({ topic: 'payments', messages: [{ key: 'maybe', value: 'x' }], acks: -1 }).catch(() => undefined)
    first.child.kill('SIGKILL')
    await new Promise((resolve) => first.child.once('exit', resolve))
    await inFlight
    await producer.disconnect().catch(() => undefined)
    await admin1.disconnect().catch(() => undefined)

    const second = await startBrokerChild(script, dataDir)
    cleanup.push(() => second.child.kill('SIGKILL'))
    const kafka2 = new Kafka({ clientId: 'crash', brokers: [second.bootstrap], logLevel: logLevel.NOTHING })
    const admin2 = kafka2.admin()
    await admin2.connect()
    const committed = await admin2.fetchOffsets({ groupId: 'ledger', topics: ['payments'] })
    const byPartition = Object.fromEntries(committed[0].partitions.map((p) => [p.partition, p.offset]))
    expect(byPartition).toMatchObject({ 0: '7', 2: '3' })

    const consumer = kafka2.consumer({ groupId: 'verifier', maxWaitTimeInMs: 50 })
    await consumer.connect()
    await consumer.subscribe({ topic: 'payments', fromBeginning: true })
    const seen = new Set<string>()
    await consumer.run({ eachMessage: async ({ message }) => void seen.add(String(message.key)) })
    const deadline = Date.now() + 20_000
    while (acked.some((k) => !seen.has(k)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    await consumer.disconnect()
    await admin2.disconnect()
    expect(acked.filter((k) => !seen.has(k))).toEqual([])

    second.child.kill('SIGTERM')
    await new Promise((resolve) => second.child.once('exit', resolve))
  })
})
