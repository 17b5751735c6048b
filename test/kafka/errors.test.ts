import { describe, expect, it } from 'vitest'
import { ConfigError, KafkaAuthenticationError, KafkaError, TaskMigratedError } from '../../src/core/errors.js'
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

  it('fails a refused SASL authentication at once, with what the broker said, though the client wraps it in a retriable network error', async () => {
    const { AuthenticationError, MultipleErrors, NetworkError, ResponseError } = await import('@platformatic/kafka')
    const response = new ResponseError(36, 2, { '/': [58, 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256'] }, {})
    const refused = new NetworkError('Connection to 127.0.0.1:9093 failed.', { cause: new AuthenticationError('SASL authentication failed.', { cause: response }) })
    const mapped = toKafkaError('Describing topics', new MultipleErrors('Cannot connect to any broker.', [refused]))
    expect(mapped).toBeInstanceOf(KafkaAuthenticationError)
    expect(mapped).toBeInstanceOf(KafkaError)
    expect(mapped.code).toBe('TRIBUTARY_KAFKA')
    expect(mapped.canRetry).toBe(false)
    expect((mapped as KafkaAuthenticationError).reason).toBe('sasl')
    expect(mapped.message).toBe(
      'Describing topics failed: the brokers refused SASL authentication (SASL authentication failed: Authentication failed during authentication ' +
        'due to invalid credentials with SASL mechanism SCRAM-SHA-256). Check sasl.mechanism, sasl.username and sasl.password (or sasl.token), ' +
        'and that the listener accepts that mechanism.',
    )
  })

  it('names the broker error when a SASL handshake is refused without a message', async () => {
    const { AuthenticationError, NetworkError, ResponseError } = await import('@platformatic/kafka')
    const handshake = new ResponseError(17, 1, { '/': [33, null] }, {})
    const refused = new NetworkError('Connection failed.', { cause: new AuthenticationError('Cannot find a suitable SASL mechanism.', { cause: handshake }) })
    expect(toKafkaError('Listing topics', refused).message).toContain('refused SASL authentication (Cannot find a suitable SASL mechanism, UNSUPPORTED_SASL_MECHANISM)')
  })

  it("keeps a failing OAUTHBEARER token provider retriable: the application's identity provider may answer the next attempt", async () => {
    const { AuthenticationError, NetworkError } = await import('@platformatic/kafka')
    const failed = new NetworkError('Connection failed.', {
      cause: new AuthenticationError('The SASL/OAUTHBEARER token provider threw an error.', { cause: new Error('login.example.com: 503 Service Unavailable') }),
    })
    const mapped = toKafkaError('Listing topics', failed)
    expect(mapped).not.toBeInstanceOf(KafkaAuthenticationError)
    expect(mapped.canRetry).toBe(true)
    expect(mapped.message).toBe(
      'Listing topics failed: The SASL/OAUTHBEARER token provider threw an error: login.example.com: 503 Service Unavailable. It is asked again when the operation is retried.',
    )
  })

  it('fails an untrusted broker certificate at once, pointing at tls.ca and tls.servername', async () => {
    const { NetworkError } = await import('@platformatic/kafka')
    const untrusted = new NetworkError('Connection to 127.0.0.1:9093 failed.', { cause: clientError('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) })
    const mapped = toKafkaError('Describing topics', untrusted)
    expect(mapped).toBeInstanceOf(KafkaAuthenticationError)
    expect((mapped as KafkaAuthenticationError).reason).toBe('tls')
    expect(mapped.canRetry).toBe(false)
    expect(mapped.message).toContain('(self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT))')
    expect(mapped.message).toContain('Give tls.ca the CA')
    const wrongHost = toKafkaError('x', clientError('outer', { cause: clientError("Hostname/IP does not match certificate's altnames", { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }) }))
    expect((wrongHost as KafkaAuthenticationError).reason).toBe('tls')
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
