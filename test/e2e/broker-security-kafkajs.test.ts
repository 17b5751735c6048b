import { createServer } from 'node:net'
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
import type { SaslMechanism } from '../../src/broker/index.js'
import { startSecuredBroker, type SecuredBroker, type SecuredBrokerOptions } from './fixtures/secured-broker.js'

/** kafkajs, a client written independently of the broker, against its TLS and SASL listeners. */
describe('secured embedded broker with kafkajs', () => {
  const closers: Array<() => Promise<unknown>> = []

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
  })

  async function start(options: SecuredBrokerOptions): Promise<SecuredBroker> {
    const secured = await startSecuredBroker(options)
    closers.push(() => secured.close())
    return secured
  }

  /** A kafkajs client: TLS trusting the test CA when the broker serves TLS, SASL as `mechanism` unless null. */
  function client(b: SecuredBroker, mechanism: SaslMechanism | null, username = b.user.username, password = b.users[username] ?? 'none', extra: Partial<KafkaConfig> = {}): Kafka {
    const sasl = mechanism === null ? undefined : ({ mechanism: mechanism.toLowerCase(), username, password } as SASLOptions)
    return new Kafka({
      clientId: 'kafkajs-security-test',
      brokers: [b.bootstrapServers],
      ssl: b.ca === '' ? undefined : { ca: [b.ca] },
      sasl,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 3_000,
      ...extra,
    })
  }

  async function produceAndConsume(kafka: Kafka, topic: string): Promise<void> {
    const producer = kafka.producer({ allowAutoTopicCreation: true })
    await producer.connect()
    closers.push(() => producer.disconnect())
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `driver-${i}`, value: `ping-${i}` }))
    await producer.send({ topic, messages, acks: -1 })
    const consumer = kafka.consumer({ groupId: `${topic}-readers`, maxWaitTimeInMs: 100 })
    await consumer.connect()
    closers.push(() => consumer.disconnect())
    await consumer.subscribe({ topic, fromBeginning: true })
    const seen: string[] = []
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(String(message.value))
          if (seen.length === messages.length) resolve()
        },
      })
    })
    await done
    expect(seen.sort()).toEqual(messages.map((m) => m.value).sort())
  }

  const cases: Array<[SecuredBrokerOptions, SaslMechanism | null, string]> = [
    [{ mechanisms: ['SCRAM-SHA-256'] }, 'SCRAM-SHA-256', 'SASL_SSL'],
    [{}, 'SCRAM-SHA-512', 'SASL_SSL'],
    [{}, 'PLAIN', 'SASL_SSL'],
    [{ tls: false }, 'SCRAM-SHA-512', 'SASL_PLAINTEXT'],
    [{ tls: false, mechanisms: ['PLAIN'] }, 'PLAIN', 'SASL_PLAINTEXT'],
    [{ sasl: false }, null, 'SSL'],
  ]
  for (const [options, mechanism, protocol] of cases) {
    it(`produces and consumes with a group over ${protocol}${mechanism === null ? '' : ` with ${mechanism}`}`, async () => {
      const b = await start(options)
      expect(b.securityProtocol).toBe(protocol)
      await produceAndConsume(client(b, mechanism), 'locations')
    })
  }

  it('an admin as another user creates and lists topics over SASL_SSL', async () => {
    const b = await start({})
    const admin = client(b, 'SCRAM-SHA-256', 'bob').admin()
    await admin.connect()
    closers.push(() => admin.disconnect())
    await admin.createTopics({ topics: [{ topic: 'surge', numPartitions: 2 }] })
    expect(await admin.listTopics()).toContain('surge')
  })

  it('over SASL_SSL clients follow the advertised listener, whose host the certificate must name', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number }
        probe.close(() => resolve(port))
      })
    })
    // Bootstrap by IP, then every connection to "localhost", checked against the certificate's DNS name.
    const b = await start({ broker: { port, advertisedListener: `localhost:${port}` } })
    const admin = client(b, 'SCRAM-SHA-512').admin()
    await admin.connect()
    closers.push(() => admin.disconnect())
    expect((await admin.describeCluster()).brokers).toEqual([{ nodeId: 0, host: 'localhost', port }])
    await produceAndConsume(client(b, 'SCRAM-SHA-512'), 'advertised')
  })

  it('a wrong password or an unknown user fails with kafkajs\' SASL authentication error carrying the broker\'s message', async () => {
    const b = await start({})
    const failures: Array<[SaslMechanism, string, string, RegExp]> = [
      ['SCRAM-SHA-256', 'alice', 'wrong', /^SASL SCRAM SHA256 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256$/],
      ['SCRAM-SHA-512', 'mallory', 'x', /^SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512$/],
      ['PLAIN', 'alice', 'wrong', /^SASL PLAIN authentication failed: Authentication failed: Invalid username or password$/],
    ]
    for (const [mechanism, username, password, message] of failures) {
      const admin = client(b, mechanism, username, password).admin()
      const error = (await admin.connect().catch((e: unknown) => e)) as Error
      expect(error.name).toBe('KafkaJSSASLAuthenticationError')
      expect(error.message).toMatch(message)
      expect(error.message).toMatch(/SASL .*authentication failed/)
      await admin.disconnect()
    }
  })

  it('a mechanism the broker has not enabled gets UNSUPPORTED_SASL_MECHANISM', async () => {
    const b = await start({ mechanisms: ['SCRAM-SHA-256'] })
    const admin = client(b, 'PLAIN').admin()
    const error = (await admin.connect().catch((e: unknown) => e)) as Error & { type?: string }
    expect(error.type).toBe('UNSUPPORTED_SASL_MECHANISM')
    await admin.disconnect()
  })

  it('a client without TLS on the TLS port, and one without SASL on a SASL port, cannot get metadata', async () => {
    const b = await start({})
    const plaintext = client(b, 'SCRAM-SHA-256', undefined, undefined, { ssl: false }).admin()
    await expect(plaintext.connect()).rejects.toThrow()
    await plaintext.disconnect()
    const saslPlain = await start({ tls: false })
    const unauthenticated = client(saslPlain, null).admin()
    // kafkajs sends ApiVersions, then Metadata, which closes the connection.
    await expect(unauthenticated.connect().then(() => unauthenticated.fetchTopicMetadata())).rejects.toThrow(/Connection|closed|ECONNRESET/i)
    await unauthenticated.disconnect()
  })
})
