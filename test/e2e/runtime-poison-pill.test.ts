import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { RawRecord } from '../../src/kafka/index.js'
import { DEAD_LETTER_HEADERS } from '../../src/engine/dead-letter.js'
import { KafkaStreams } from '../../src/runtime/kafka-streams.js'
import { Serdes } from '../../src/serde/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { buf, type KafkaFixture, readPartitions, startStreams, str, type StreamsFixture, testBrokerKind, waitFor } from './fixtures.js'

const APP = 'billing'
const PARTITIONS = 3

interface Order {
  readonly amount: number
}

/** Fares doubled; a negative amount makes the mapper throw. */
function billingTopology(): Topology {
  const b = new StreamsBuilder()
  b.stream<string, Order>('orders', { keySerde: Serdes.string(), valueSerde: Serdes.json<Order>() })
    .mapValues((order) => {
      if (order.amount < 0) throw new RangeError(`negative amount ${order.amount}`)
      return order.amount * 2
    })
    .to('charges', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })
  return b.build()
}

describe(`KafkaStreams dead-letter topics against the ${testBrokerKind()} broker`, () => {
  let env: StreamsFixture
  let kafka: KafkaFixture

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
    await kafka.track(kafka.clients.admin()).createTopics(['orders', 'charges', 'orders-poison', 'orders-failed'].map((name) => ({ name, partitions: PARTITIONS })))
  })

  afterEach(() => env.close())

  const readTopic = (topic: string): Promise<RawRecord[]> => readPartitions(env.reader(), topic, PARTITIONS)

  const header = (record: RawRecord, name: string) => str(record.headers.find(([k]) => k === name)?.[1] ?? null)

  it('sends undeserializable and failing records to their dead-letter topics with their bytes and headers, and keeps running', async () => {
    const errors: unknown[] = []
    // The client's own retry settings, not the fixture's quick ones.
    const app = env.track(new KafkaStreams(billingTopology(), {
      applicationId: APP,
      bootstrapServers: [kafka.broker.bootstrapServers],
      stateDir: env.stateDir,
      commitIntervalMs: 100,
      deserializationExceptionHandler: { deadLetterTopic: 'orders-poison' },
      processingExceptionHandler: { deadLetterTopic: 'orders-failed' },
    }))
    app.on('error', (error) => errors.push(error))
    await app.start()
    const producer = kafka.track(kafka.clients.producer())
    const order = (key: string, value: string, timestamp: number, headers: [string, Buffer][] = []) => ({ topic: 'orders', key: buf(key), value: buf(value), timestamp, headers })

    await producer.send([order('ann', JSON.stringify({ amount: 1 }), 1_000), order('bob', JSON.stringify({ amount: 2 }), 1_001)])
    await waitFor('the first charges', async () => (await readTopic('charges')).length === 2)

    // A poison pill, a record the mapper rejects, then good records behind both.
    await producer.send([order('ann', '{not json', 2_000, [['trace', buf('t-1')]])])
    await producer.send([order('bob', JSON.stringify({ amount: -5 }), 2_001, [['trace', buf('t-2')]])])
    await producer.send([order('ann', JSON.stringify({ amount: 3 }), 2_002), order('bob', JSON.stringify({ amount: 4 }), 2_003)])
    await waitFor('the later charges', async () => (await readTopic('charges')).length === 4)
    await waitFor('both dead letters', async () => (await readTopic('orders-poison')).length === 1 && (await readTopic('orders-failed')).length === 1)

    const charges = (await readTopic('charges')).map((r) => `${str(r.key)}=${str(r.value)}`).sort()
    expect(charges).toEqual(['ann=2', 'ann=6', 'bob=4', 'bob=8'])

    const source = await readTopic('orders')
    const poisonSource = source.find((r) => str(r.value) === '{not json') as RawRecord
    const [poison] = await readTopic('orders-poison')
    expect(poison?.key).toEqual(buf('ann'))
    expect(poison?.value).toEqual(buf('{not json'))
    expect(poison?.timestamp).toBe(2_000)
    expect(header(poison as RawRecord, 'trace')).toBe('t-1')
    expect(header(poison as RawRecord, DEAD_LETTER_HEADERS.topic)).toBe('orders')
    expect(header(poison as RawRecord, DEAD_LETTER_HEADERS.partition)).toBe(String(poisonSource.partition))
    expect(header(poison as RawRecord, DEAD_LETTER_HEADERS.offset)).toBe(String(poisonSource.offset))
    expect(header(poison as RawRecord, DEAD_LETTER_HEADERS.exception)).toBe('SerdeError')
    expect(header(poison as RawRecord, DEAD_LETTER_HEADERS.message)).toMatch(/json/i)

    const failedSource = source.find((r) => str(r.value) === JSON.stringify({ amount: -5 })) as RawRecord
    const [failed] = await readTopic('orders-failed')
    expect(failed?.key).toEqual(buf('bob'))
    expect(failed?.value).toEqual(buf(JSON.stringify({ amount: -5 })))
    expect(header(failed as RawRecord, 'trace')).toBe('t-2')
    expect(header(failed as RawRecord, DEAD_LETTER_HEADERS.topic)).toBe('orders')
    expect(header(failed as RawRecord, DEAD_LETTER_HEADERS.partition)).toBe(String(failedSource.partition))
    expect(header(failed as RawRecord, DEAD_LETTER_HEADERS.offset)).toBe(String(failedSource.offset))
    expect(header(failed as RawRecord, DEAD_LETTER_HEADERS.exception)).toBe('RangeError')
    expect(header(failed as RawRecord, DEAD_LETTER_HEADERS.message)).toBe('negative amount -5')

    // Still running, and the group's offsets moved past both bad records.
    expect(app.state()).toBe('RUNNING')
    expect(errors).toEqual([])
    const group = kafka.track(kafka.clients.consumer({ isolationLevel: 'read_uncommitted' }))
    const partitions = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 'orders', partition }))
    await waitFor('all six orders committed', async () => (await group.committed(partitions)).reduce((sum, o) => sum + o.offset, 0n) === 6n)
    await app.close()
    expect(app.state()).toBe('NOT_RUNNING')
  }, 40_000)
})
