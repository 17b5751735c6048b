import { describe, expect, it } from 'vitest'
import { ConfigError, KafkaError, TaskMigratedError } from '../../src/core/errors.js'
import { brokerErrorNames, callKafka, toKafkaError } from '../../src/kafka/errors.js'

/** The shape of the client's errors: a code, `canRetry`, broker error names in nested `errors`. */
function clientError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields)
}

describe('toKafkaError', () => {
  it('maps fencing and lost generations, however deeply nested, to TaskMigratedError', () => {
    const fenced = clientError('Received response with error while executing API EndTxn(v3)', {
      errors: [clientError('Producer fenced', { apiId: 'PRODUCER_FENCED', canRetry: false })],
    })
    expect(brokerErrorNames(fenced)).toEqual(['PRODUCER_FENCED'])
    const mapped = toKafkaError('Committing the transaction', fenced)
    expect(mapped).toBeInstanceOf(TaskMigratedError)
    expect(mapped.canRetry).toBe(true)
    expect(mapped.cause).toBe(fenced)

    const generation = clientError('outer', { cause: clientError('inner', { errors: [{ apiId: 'ILLEGAL_GENERATION' }] }) })
    expect(toKafkaError('Committing offsets', generation)).toBeInstanceOf(TaskMigratedError)
  })

  it('keeps the client judgement of retriability and names the broker error', () => {
    const network = clientError('Cannot connect to any broker.', { errors: [clientError('Connection failed', { canRetry: true })] })
    const retriable = toKafkaError('Producing 1 record(s)', network)
    expect(retriable).toBeInstanceOf(KafkaError)
    expect(retriable.canRetry).toBe(true)
    expect(retriable.message).toMatch(/^Producing 1 record\(s\) failed: Cannot connect to any broker\. Check/)

    const denied = toKafkaError('Creating topic "x"', clientError('Bad config', { errors: [{ apiId: 'INVALID_CONFIG', canRetry: false }] }))
    expect(denied.canRetry).toBe(false)
    expect(denied.message).toContain('(INVALID_CONFIG)')
  })

  it("treats a request that timed out as retriable, though the client marks it not retriable (Kafka's TimeoutException is)", async () => {
    const { TimeoutError } = await import('@platformatic/kafka')
    const timedOut = clientError('Received response with error while executing API JoinGroup', { errors: [new TimeoutError('Request timed out')] })
    expect(new TimeoutError('Request timed out').canRetry).toBe(false)
    const mapped = toKafkaError('Joining group "app"', timedOut)
    expect(mapped).toBeInstanceOf(KafkaError)
    expect(mapped.canRetry).toBe(true)
  })

  it('passes Tributary errors through unchanged', () => {
    const config = new ConfigError('bad')
    expect(toKafkaError('anything', config)).toBe(config)
  })
})

describe('callKafka', () => {
  it('fails a call that never settles with a retriable KafkaError once its deadline passes', async () => {
    const error = await callKafka('Producing 1 record(s)', () => new Promise<never>(() => undefined), 20).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaError)
    expect((error as KafkaError).canRetry).toBe(true)
    expect((error as KafkaError).message).toMatch(/did not complete within 20 ms/)
  })

  it('returns the result of a call that settles in time and maps its failure', async () => {
    expect(await callKafka('Listing topics', async () => ['a'], 1_000)).toEqual(['a'])
    await expect(callKafka('Listing topics', async () => Promise.reject(new Error('boom')))).rejects.toThrow(/Listing topics failed: boom/)
  })
})
