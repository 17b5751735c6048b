import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { KafkaError } from '../../src/core/errors.js'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { createKafkaClients } from '../../src/kafka/index.js'
import { buf, readAll, str } from './fixtures.js'

describe('a transactional producer across a broker outage', () => {
  const cleanup: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined)
  })

  it('begins again once the broker is back, after a begin and an abort that failed while it was down', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-txn-outage-'))
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }))
    let broker = await EmbeddedKafka.start({ dataDir, autoCreateTopics: false })
    cleanup.push(() => broker.close())
    const port = Number(broker.bootstrapServers.split(':').at(-1))
    // Short client timeouts keep the outage brief; the fault soak checks the same with defaults.
    const clients = createKafkaClients({ bootstrapServers: [broker.bootstrapServers], clientId: 'outage', applicationId: 'outage', retries: 1, retryDelayMs: 20, connectTimeoutMs: 500, requestTimeoutMs: 2_000, operationTimeoutMs: 2_000 })
    const admin = clients.admin()
    await admin.createTopics([{ name: 'fares', partitions: 1 }])
    await admin.close()
    const producer = clients.transactionalProducer('0')
    cleanup.push(() => producer.close())

    await producer.begin()
    await producer.send([{ topic: 'fares', key: buf('r1'), value: buf('committed before') }])
    await producer.commit()
    await producer.begin()
    await producer.send([{ topic: 'fares', key: buf('r2'), value: buf('aborted by the outage') }])

    await broker.close()
    const abortError = await producer.abort().then(() => undefined, (e: unknown) => e)
    expect(abortError).toBeInstanceOf(KafkaError)
    const beginError = await producer.begin().then(() => undefined, (e: unknown) => e)
    expect(beginError).toBeInstanceOf(KafkaError)
    expect((beginError as KafkaError).canRetry).toBe(true)

    broker = await EmbeddedKafka.start({ dataDir, port, autoCreateTopics: false })
    // The client counted its failed transactions as still open and refused to begin another one.
    await producer.begin()
    await producer.send([{ topic: 'fares', key: buf('r3'), value: buf('committed after') }])
    await producer.commit()

    const reader = clients.reader({ isolationLevel: 'read_committed' })
    cleanup.push(() => reader.close())
    expect((await readAll(reader, 'fares', 0)).map((r) => str(r.value))).toEqual(['committed before', 'committed after'])
  })
})
