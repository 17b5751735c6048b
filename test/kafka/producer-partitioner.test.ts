import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { murmur2 } from '../../src/core/partitioner.js'
import { buf, startKafka, type KafkaFixture } from './fixtures.js'

describe('producer partitioning', () => {
  let kafka: KafkaFixture

  beforeEach(async () => {
    kafka = await startKafka('partitioner')
  })

  afterEach(async () => {
    await kafka.close()
  })

  it("puts keyed records where Kafka's Java client does, also for keys whose murmur2 hash is negative", async () => {
    await kafka.track(kafka.clients.admin()).createTopics([{ name: 'rides', partitions: 3 }])
    const keys = Array.from({ length: 40 }, (_, i) => `driver-${i}`)
    // Keys with the sign bit set are the ones an unsigned reading of the hash would misplace.
    expect(keys.filter((k) => murmur2(Buffer.from(k)) < 0).length).toBeGreaterThan(5)
    const producer = kafka.track(kafka.clients.producer())
    for (const key of keys) {
      const [ack] = await producer.send([{ topic: 'rides', key: buf(key), value: buf('x') }])
      expect(ack?.partition, key).toBe((murmur2(Buffer.from(key)) & 0x7fffffff) % 3)
    }
  })
})
