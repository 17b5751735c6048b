import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KafkaError } from '../../src/core/errors.js'
import type { OutgoingRecord, RecordAck } from '../../src/kafka/types.js'
import { RetryingSink } from '../../src/runtime/retrying-sink.js'

/** A clock that only moves when slept on. */
class FakeTime {
  now = 1_000
  readonly sleeps: number[] = []
  nowMs = () => this.now
  sleep = async (ms: number) => {
    this.sleeps.push(ms)
    this.now += ms
  }
}

/** A sink that fails its first sends with the given errors. */
function failingSink(errors: unknown[]) {
  const attempts: (readonly OutgoingRecord[])[] = []
  return {
    attempts,
    async send(records: readonly OutgoingRecord[]): Promise<RecordAck[]> {
      attempts.push(records)
      const error = errors.shift()
      if (error !== undefined) throw error
      return [{ topic: 't', partition: 0, offset: 7n }]
    },
    flush: async () => undefined,
  }
}

const records: OutgoingRecord[] = [{ topic: 't', key: null, value: Buffer.from('v') }]
const retriable = () => new KafkaError('Producing 1 record(s) failed: broker restarting.', { canRetry: true })

describe('RetryingSink', () => {
  beforeEach(() => vi.spyOn(Math, 'random').mockReturnValue(0.5))
  afterEach(() => vi.restoreAllMocks())

  it('sends the same records again after retriable failures, backing off, and resolves with the acks', async () => {
    const time = new FakeTime()
    const sink = failingSink([retriable(), retriable(), retriable()])
    const acks = await new RetryingSink(sink, { deliveryTimeoutMs: 120_000, time }).send(records)
    expect(acks).toEqual([{ topic: 't', partition: 0, offset: 7n }])
    expect(sink.attempts).toEqual([records, records, records, records])
    expect(time.sleeps).toEqual([100, 200, 400])
  })

  it('gives up once failures have lasted deliveryTimeoutMs, and at once on an error that is not retriable', async () => {
    const time = new FakeTime()
    const last = retriable()
    const sink = failingSink([...Array.from({ length: 40 }, retriable), last])
    await expect(new RetryingSink(sink, { deliveryTimeoutMs: 5_000, time }).send(records)).rejects.toBeInstanceOf(KafkaError)
    expect(time.now - 1_000).toBeGreaterThanOrEqual(5_000)
    expect(time.now - 1_000).toBeLessThan(7_000)

    const rejected = new KafkaError('Producing 1 record(s) failed: the record is too large.', { canRetry: false })
    const once = failingSink([rejected])
    await expect(new RetryingSink(once, { deliveryTimeoutMs: 120_000, time: new FakeTime() }).send(records)).rejects.toBe(rejected)
    expect(once.attempts).toHaveLength(1)
  })

  it('does not retry with deliveryTimeoutMs 0', async () => {
    const error = retriable()
    const sink = failingSink([error])
    await expect(new RetryingSink(sink, { deliveryTimeoutMs: 0, time: new FakeTime() }).send(records)).rejects.toBe(error)
    expect(sink.attempts).toHaveLength(1)
  })
})
