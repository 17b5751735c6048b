import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { KafkaConsumer, RawRecord } from '../../src/kafka/index.js'
import { buf, pollUntil, startKafka, type KafkaFixture } from './fixtures.js'

const options = { isolationLevel: 'read_uncommitted', heartbeatIntervalMs: 100, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000 } as const
const trips = { topic: 'trips', partition: 0 }
const listener = { onAssigned: () => undefined, onRevoked: () => undefined }

/** Polls 4 at a time: a poll that leaves 1-3 records buffered fetches more in the background. */
const pollFours = (consumer: KafkaConsumer, count: number): Promise<RawRecord[]> => pollUntil(consumer, count, [], 4)

// poll() leaves a fetch running while its caller processes: what it brings must never be
// returned twice, skipped, or win over a seek made meanwhile.
describe('KafkaConsumer fetching ahead', () => {
  let kafka: KafkaFixture

  beforeEach(async () => {
    kafka = await startKafka('trips-app')
    await kafka.track(kafka.clients.admin()).createTopics([{ name: 'trips', partitions: 1 }])
  })
  afterEach(async () => {
    await kafka.close()
  })

  const produce = async (from: number, to: number): Promise<void> => {
    const producer = kafka.track(kafka.clients.producer())
    await producer.send(Array.from({ length: to - from }, (_, i) => ({ ...trips, key: buf('k'), value: buf(`trip-${from + i}`) })))
  }

  it('returns records produced between polls once each, in order', async () => {
    await produce(0, 5)
    const consumer = kafka.track(kafka.clients.consumer(options))
    await consumer.subscribe(['trips'], listener)
    // 4 returned, 1 left: the next records are fetched while the caller would process these.
    const first = await consumer.poll(4, 1_000)
    await produce(5, 12)
    const rest = await pollFours(consumer, 12 - first.length)
    expect([...first, ...rest].map((r) => r.offset)).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i)))
    expect(consumer.position(trips)).toBe(12n)
  })

  it('drops what a fetch in flight brings for a partition sought meanwhile', async () => {
    await produce(0, 5)
    const consumer = kafka.track(kafka.clients.consumer(options))
    await consumer.subscribe(['trips'], listener)
    expect(await consumer.poll(4, 1_000)).toHaveLength(4)
    await produce(5, 10)
    consumer.seek(trips, 2n)
    const again = await pollFours(consumer, 8)
    expect(again.map((r) => r.offset)).toEqual(Array.from({ length: 8 }, (_, i) => BigInt(i + 2)))
  })
})
