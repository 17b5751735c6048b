import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SendQueue } from '../../src/kafka/producer.js'
import type { OutgoingRecord } from '../../src/kafka/index.js'
import { buf, readAll, startKafka, str, transactionsSettled, type KafkaFixture } from './fixtures.js'

const records = (label: string, count: number): OutgoingRecord[] =>
  Array.from({ length: count }, (_, i) => ({ topic: 'rides', partition: 0, key: buf(`${label}-${i}`), value: buf(label) }))

describe('concurrent sends on one idempotent producer', () => {
  let kafka: KafkaFixture

  beforeEach(async () => {
    kafka = await startKafka()
    await kafka.track(kafka.clients.admin()).createTopics([{ name: 'rides', partitions: 1 }])
  })
  afterEach(async () => {
    await kafka.close()
  })

  it('writes every record of sends that are in flight together, in call order', async () => {
    const producer = kafka.track(kafka.clients.producer())
    // Warm the producer up (producer id, metadata) so the sends below really overlap.
    await producer.send(records('warm', 1))
    // Batches of different sizes once collided on their base sequence (OUT_OF_ORDER_SEQUENCE_NUMBER);
    // batches of the same size were taken for retries of each other and silently dropped.
    const sizes = [3, 3, 5, 3, 1, 3]
    const acks = await Promise.all(sizes.map((size, i) => producer.send(records(`s${i}`, size))))
    await producer.flush()

    const written = await readAll(kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' })), 'rides', 0)
    expect(written.map((r) => str(r.value))).toEqual(['warm', ...sizes.flatMap((size, i) => Array<string>(size).fill(`s${i}`))])
    // Each send is acknowledged with the offset its first record got.
    let offset = 1n
    acks.forEach((ack, i) => {
      expect(ack).toEqual([{ topic: 'rides', partition: 0, offset }])
      offset += BigInt(sizes[i] as number)
    })
  })

  it('keeps the sends of an open transaction in order and commits them all', async () => {
    const producer = kafka.track(kafka.clients.transactionalProducer('concurrent-txn'))
    await producer.begin()
    const sizes = [2, 2, 4, 2]
    await Promise.all(sizes.map((size, i) => producer.send(records(`t${i}`, size))))
    await producer.commit()

    await transactionsSettled(kafka, 'rides', 0)
    const written = await readAll(kafka.track(kafka.clients.reader({ isolationLevel: 'read_committed' })), 'rides', 0)
    expect(written.map((r) => str(r.value))).toEqual(sizes.flatMap((size, i) => Array<string>(size).fill(`t${i}`)))
  })
})

describe('SendQueue', () => {
  it('starts each call after the one before it settled, failed or not', async () => {
    const queue = new SendQueue()
    const events: string[] = []
    const step = (name: string, fail = false) => async (): Promise<string> => {
      events.push(`start ${name}`)
      await new Promise((resolve) => setTimeout(resolve, 5))
      events.push(`end ${name}`)
      if (fail) throw new Error(name)
      return name
    }
    const results = await Promise.allSettled([queue.run(step('a')), queue.run(step('b', true)), queue.run(step('c'))])
    await queue.drain()
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
  })
})
