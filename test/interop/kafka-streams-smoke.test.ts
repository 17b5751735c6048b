import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buf, readAll, startKafka, str, waitFor, type KafkaFixture } from '../kafka/fixtures.js'
import { startKafkaStreams, type KafkaStreamsApp } from './kafka-streams.js'

// Kafka Streams' own Java clients (consumer group, producer, admin) against the broker under test:
// on the embedded broker a fourth independent client implementation, on Apache Kafka the runner's check.
describe('Kafka Streams (Java) on the test broker', () => {
  let kafka: KafkaFixture
  let app: KafkaStreamsApp | undefined

  beforeEach(async () => {
    kafka = await startKafka('smoke')
  })
  afterEach(async () => {
    await app?.stop()
    app = undefined
    await kafka.close()
  })

  it('counts records per key and exits cleanly', async () => {
    await kafka.track(kafka.clients.admin()).createTopics([{ name: 'words', partitions: 2 }, { name: 'word-counts', partitions: 2 }])
    const producer = kafka.track(kafka.clients.producer())
    await producer.send(['a', 'b', 'a', 'c', 'a', 'b'].map((word, i) => ({ topic: 'words', key: buf(word), value: buf(String(i)) })))
    app = await startKafkaStreams({ scenario: 'smoke.CountByKey', bootstrapServers: kafka.broker.bootstrapServers, applicationId: 'smoke' })
    await app.waitForState('RUNNING')

    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' }))
    const last = new Map<string, string>()
    await waitFor('the final counts', async () => {
      for (let p = 0; p < 2; p++) for (const r of await readAll(reader, 'word-counts', p)) last.set(str(r.key)!, str(r.value)!)
      return last.size === 3 && last.get('a') === '3'
    }, 60_000)
    expect(Object.fromEntries(last)).toEqual({ a: '3', b: '2', c: '1' })
    await app.stop()
    expect(app.lines).toContain('CLOSED')
  })
})
