import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { waitFor } from './fixtures.js'

describe('compacted topics', () => {
  let kafka: EmbeddedKafka
  const closers: Array<() => Promise<unknown>> = []

  beforeEach(async () => {
    kafka = await EmbeddedKafka.start()
  })

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
    await kafka.close()
  })

  it('holds the latest value per key after compaction, and consumers read it from offset 0', async () => {
    const brokers = [kafka.bootstrapServers]
    const admin = new Admin({ clientId: 'a', bootstrapBrokers: brokers })
    closers.push(() => admin.close())
    await admin.createTopics({
      topics: ['driver_profiles'],
      partitions: 1,
      replicas: 1,
      configs: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'segment.bytes', value: '2048' },
      ],
    })
    const producer = new Producer({ clientId: 'p', bootstrapBrokers: brokers, serializers: stringSerializers })
    closers.push(() => producer.close())
    const latest = new Map<string, string>()
    let produced = 0
    for (let round = 0; round < 10; round++) {
      for (let d = 0; d < 8; d++) {
        const value = `round-${round}-${'x'.repeat(100)}`
        await producer.send({ messages: [{ topic: 'driver_profiles', key: `driver-${d}`, value }] })
        latest.set(`driver-${d}`, value)
        produced++
      }
    }
    const { recordsCompacted } = kafka.runLogMaintenance()
    expect(recordsCompacted).toBeGreaterThan(0)

    const consumer = new Consumer({ groupId: 'restore', clientId: 'c', bootstrapBrokers: brokers, deserializers: stringDeserializers, maxWaitTime: 100 })
    closers.push(() => consumer.close())
    const stream = await consumer.consume({ topics: ['driver_profiles'], mode: 'earliest' })
    closers.push(() => stream.close())
    const restored = new Map<string, string>()
    const offsets: bigint[] = []
    stream.on('data', (m) => {
      restored.set(m.key, m.value)
      offsets.push(m.offset)
    })
    await waitFor('the last offset', () => offsets.includes(BigInt(produced - 1)), 20_000)
    expect(restored).toEqual(latest)
    expect(offsets.length).toBe(produced - recordsCompacted)
    expect(offsets.length).toBeLessThan(produced)
    expect([...offsets].sort((a, b) => (a < b ? -1 : 1))).toEqual(offsets)
  })
})
