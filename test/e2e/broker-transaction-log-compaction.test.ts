import { statSync } from 'node:fs'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'

/** Each compaction renames a new file into place, so a new inode means one more compaction. */
const COMPACTIONS = 8
const TOPIC = 'fares'

describe('the transaction log compacted under load', () => {
  const closers: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
  })

  it('answers every transactional request while compaction rewrites it: two producers commit throughout without an error', async () => {
    // The broker's errors show a refused request even when the client's retry hides it.
    const brokerErrors: string[] = []
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (msg: string, meta?: object) => void brokerErrors.push(`${msg} ${JSON.stringify(meta)}`) }
    // Default settings: the log is compacted every 1000 records, about 330 transactions here.
    const kafka = await EmbeddedKafka.start({ defaultPartitions: 1, logger })
    closers.push(() => kafka.close())
    kafka.localTopics.ensureTopic(TOPIC, 2)
    const logPath = join(kafka.dataDir, '__transaction_state', 'transactions.log')
    const client = new Kafka({ clientId: 'fare-writer', brokers: [kafka.bootstrapServers], logLevel: logLevel.NOTHING })

    const inodes = new Set<number>()
    const errors: string[] = []
    let committed = 0
    const writer = async (n: number): Promise<void> => {
      const producer = client.producer({ transactionalId: `fare-writer-${n}`, idempotent: true, maxInFlightRequests: 1 })
      await producer.connect()
      closers.push(() => producer.disconnect())
      // Bounded, in case compaction never happens: the assertion on `inodes` reports that.
      for (let i = 0; i < 6_000 && inodes.size <= COMPACTIONS && errors.length + brokerErrors.length === 0; i++) {
        try {
          const txn = await producer.transaction()
          await txn.send({ topic: TOPIC, messages: [{ key: `ride-${i % 10}`, value: 'fare', partition: n }] })
          await txn.commit()
          committed++
        } catch (error) {
          errors.push(`${(error as Error).name}: ${(error as Error).message}`)
        }
        inodes.add(statSync(logPath).ino)
      }
    }
    await Promise.all([writer(0), writer(1)])

    expect(brokerErrors).toEqual([])
    expect(errors).toEqual([])
    expect(inodes.size).toBeGreaterThan(COMPACTIONS)
    // Every transaction is whole: one record and one commit marker each, nothing left open.
    const admin = client.admin()
    await admin.connect()
    closers.push(() => admin.disconnect())
    const offsets = await admin.fetchTopicOffsets(TOPIC)
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(2 * committed)
  }, 120_000)
})
