import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { createKafkaClients } from '../../src/kafka/index.js'
import { RawClient } from '../broker/fixtures/raw-client.js'
import { identity, producerBatchOf, TxnCalls } from '../broker/fixtures/txn-client.js'
import { readAll, str } from './fixtures.js'

describe('read_committed fetches holding the abort marker of a transaction that wrote nothing to the partition', () => {
  const open: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close().catch(() => undefined)
  })

  it('skip the aborted data and keep the committed data, for the reader and the group consumer', async () => {
    const kafka = await EmbeddedKafka.start({ defaultPartitions: 1 })
    open.push(() => kafka.close())
    kafka.localTopics.ensureTopic('fares', 1)
    const raw = await RawClient.connect(kafka.bootstrapServers)
    open.push(async () => raw.close())
    const txn = new TxnCalls(raw)
    const transaction = async (id: string, values: string[], commit: boolean) => {
      const who = identity(await txn.init(id))
      await txn.addPartitions(id, who, 'fares', [0])
      if (values.length > 0) await txn.produce('fares', 0, producerBatchOf(values.map((value) => ({ key: id, value })), who, 0))
      expect(await txn.endTxn(id, who, commit)).toBe(0)
    }
    // Kafka lists only transactions with data among a fetch's aborted ones: the empty abort's
    // marker (a failed send, a broker restart) comes with nobody listed for its producer.
    await transaction('aborted-with-data', ['a1', 'a2'], false)
    await transaction('aborted-empty', [], false)
    await transaction('committed', ['c1'], true)
    await transaction('aborted-empty', [], false)
    await transaction('aborted-with-data', ['a3'], false)
    await transaction('committed', ['c2'], true)

    const clients = createKafkaClients({ bootstrapServers: [kafka.bootstrapServers], clientId: 'fares', applicationId: 'fares' })
    const reader = clients.reader({ isolationLevel: 'read_committed' })
    open.push(() => reader.close())
    expect((await readAll(reader, 'fares', 0)).map((r) => str(r.value))).toEqual(['c1', 'c2'])

    const consumer = clients.consumer({ isolationLevel: 'read_committed' })
    open.push(() => consumer.close())
    await consumer.subscribe(['fares'], { onAssigned: () => undefined, onRevoked: () => undefined })
    const seen: string[] = []
    for (let i = 0; i < 50 && seen.length < 2; i++) for (const r of await consumer.poll(100, 100)) seen.push(str(r.value) ?? '')
    expect(seen).toEqual(['c1', 'c2'])
  })
})
