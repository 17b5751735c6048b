import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isTributaryError, KafkaError } from '../../src/core/errors.js'
import type { AssignmentListener } from '../../src/kafka/index.js'
import { buf, startKafka, type KafkaFixture } from './fixtures.js'

/** Rejects if `promise` neither resolves nor rejects in time, so a hang fails the test clearly. */
function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms: the client hangs`)), ms)
  })
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer))
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return settleWithin(promise, 20_000).then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  )
}

describe('a broker that is down', () => {
  let kafka: KafkaFixture
  const quiet: AssignmentListener = { onAssigned: () => undefined, onRevoked: () => undefined }

  beforeEach(async () => {
    kafka = await startKafka('outage', { retries: 1, retryDelayMs: 20, connectTimeoutMs: 500, requestTimeoutMs: 2_000, operationTimeoutMs: 2_000 })
    await kafka.track(kafka.clients.admin()).createTopics([{ name: 'pings', partitions: 1 }])
  })
  afterEach(async () => {
    await kafka.close()
  })

  it('surfaces as a retriable KafkaError from every client after bounded retries', { timeout: 60_000 }, async () => {
    const producer = kafka.track(kafka.clients.producer())
    await producer.send([{ topic: 'pings', key: null, value: buf('before') }])
    const consumer = kafka.track(kafka.clients.consumer({ isolationLevel: 'read_committed', heartbeatIntervalMs: 100 }))
    await consumer.subscribe(['pings'], quiet)
    const admin = kafka.track(kafka.clients.admin())
    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_committed' }))

    await kafka.broker.close()

    const attempts: [string, () => Promise<unknown>][] = [
      ['send', () => producer.send([{ topic: 'pings', key: null, value: buf('after') }])],
      ['poll', () => consumer.poll(10, 100)],
      ['commit', () => consumer.commit([{ topic: 'pings', partition: 0, offset: 1n }])],
      ['describeTopics', () => admin.describeTopics(['pings'])],
      ['listOffsets', () => admin.listOffsets('pings', [0], 'latest')],
      ['endOffset', () => reader.endOffset({ topic: 'pings', partition: 0 })],
    ]
    for (const [operation, attempt] of attempts) {
      const error = await failure(attempt())
      expect(error, operation).toBeInstanceOf(KafkaError)
      expect(error).toBeInstanceOf(KafkaError)
      expect(isTributaryError(error, 'TRIBUTARY_KAFKA')).toBe(true)
      expect((error as KafkaError).canRetry).toBe(true)
      expect((error as KafkaError).message).toMatch(/Check that the Kafka cluster is reachable/)
    }
  })
})
