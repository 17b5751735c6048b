import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../../src/broker/index.js'
import { ApiKey } from '../../../src/broker/protocol/api-keys.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import { RawClient } from '../fixtures/raw-client.js'
import { ScramClient } from '../fixtures/scram-client.js'

/** The SASL state machine of a listener, at the protocol level (Kafka's SaslServerAuthenticator). */
describe('SASL authentication of a connection', () => {
  let kafka: EmbeddedKafka | undefined
  const clients: RawClient[] = []

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    await kafka?.close()
    kafka = undefined
  })

  async function connect(sasl = true): Promise<RawClient> {
    kafka ??= await EmbeddedKafka.start(sasl ? { sasl: { users: { alice: 'alice-secret' } } } : {})
    const c = await RawClient.connect(kafka.bootstrapServers)
    clients.push(c)
    return c
  }

  const metadata = (c: RawClient): Promise<Record<string, unknown>> => c.request(ApiKey.Metadata, 9, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })
  /** A raw SASL token as a frame: int32 size, then the bytes (what follows SaslHandshake v0). */
  const frame = (token: Buffer): Buffer => {
    const size = Buffer.alloc(4)
    size.writeInt32BE(token.length, 0)
    return Buffer.concat([size, token])
  }

  async function scramOverSaslAuthenticate(c: RawClient, version: number, password = 'alice-secret'): Promise<Record<string, unknown>> {
    const handshake = await c.request(ApiKey.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-512' })
    expect(handshake).toEqual({ errorCode: ErrorCode.NONE, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] })
    const client = new ScramClient('sha512', 'alice', password)
    const first = await c.request(ApiKey.SaslAuthenticate, version, { authBytes: client.clientFirst() })
    expect(first.errorCode).toBe(ErrorCode.NONE)
    const final = await c.request(ApiKey.SaslAuthenticate, version, { authBytes: client.clientFinal(first.authBytes as Buffer) })
    if (final.errorCode === ErrorCode.NONE) expect(client.verifiesServerFinal(final.authBytes as Buffer)).toBe(true)
    return final
  }

  it('answers ApiVersions before authentication, advertising SaslHandshake 0-1 and SaslAuthenticate 0-2', async () => {
    const c = await connect()
    const res = await c.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' })
    const keys = res.apiKeys as Array<{ apiKey: number; minVersion: number; maxVersion: number }>
    expect(keys.find((k) => k.apiKey === ApiKey.SaslHandshake)).toMatchObject({ minVersion: 0, maxVersion: 1 })
    expect(keys.find((k) => k.apiKey === ApiKey.SaslAuthenticate)).toMatchObject({ minVersion: 0, maxVersion: 2 })
    expect(kafka!.securityProtocol).toBe('SASL_PLAINTEXT')
  })

  it('closes a connection that sends Metadata, or SaslAuthenticate, before the handshake, without answering', async () => {
    const first = await connect()
    const answered = metadata(first).then(() => true, () => true)
    await first.whenClosed()
    expect(await Promise.race([answered, new Promise((resolve) => setTimeout(() => resolve(false), 50))])).toBe(false)
    const second = await connect()
    void second.request(ApiKey.SaslAuthenticate, 1, { authBytes: Buffer.from('x') }).catch(() => undefined)
    await second.whenClosed()
  })

  it('answers an unknown mechanism with UNSUPPORTED_SASL_MECHANISM and the enabled mechanisms, then closes', async () => {
    const c = await connect()
    expect(await c.request(ApiKey.SaslHandshake, 1, { mechanism: 'GSSAPI' })).toEqual({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] })
    await c.whenClosed()
  })

  for (const version of [0, 1, 2]) {
    it(`authenticates SCRAM-SHA-512 over SaslAuthenticate v${version}, then serves requests and answers SASL requests with ILLEGAL_SASL_STATE`, async () => {
      const c = await connect()
      const final = await scramOverSaslAuthenticate(c, version)
      expect(final.errorCode).toBe(ErrorCode.NONE)
      if (version >= 1) expect(final.sessionLifetimeMs).toBe(0n)
      expect((await metadata(c)).brokers).toHaveLength(1)
      expect(await c.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })).toEqual({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] })
      const again = await c.request(ApiKey.SaslAuthenticate, version, { authBytes: Buffer.alloc(0) })
      expect(again).toMatchObject({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate request received after successful authentication' })
      expect(c.closed).toBe(false)
    })
  }

  it('answers a wrong password with SASL_AUTHENTICATION_FAILED and its message, then closes', async () => {
    const c = await connect()
    expect(await scramOverSaslAuthenticate(c, 2, 'wrong')).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
    })
    await c.whenClosed()
    const plain = await connect()
    await plain.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
    expect(await plain.request(ApiKey.SaslAuthenticate, 1, { authBytes: Buffer.from('\0alice\0nope') })).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed: Invalid username or password',
    })
    await plain.whenClosed()
  })

  it('during the exchange, closes on any request but SaslAuthenticate (a second handshake is answered ILLEGAL_SASL_STATE first)', async () => {
    const c = await connect()
    await c.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
    expect(await c.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })).toEqual({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] })
    await c.whenClosed()
    const d = await connect()
    await d.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
    void metadata(d).catch(() => undefined)
    await d.whenClosed()
  })

  it('after SaslHandshake v0 takes raw SASL tokens: SCRAM-SHA-256 and PLAIN succeed, a wrong password closes the connection', async () => {
    const c = await connect()
    expect((await c.request(ApiKey.SaslHandshake, 0, { mechanism: 'SCRAM-SHA-256' })).errorCode).toBe(ErrorCode.NONE)
    const client = new ScramClient('sha256', 'alice', 'alice-secret')
    let reply = c.nextFrame()
    c.writeRaw(frame(client.clientFirst()))
    const serverFirst = await reply
    reply = c.nextFrame()
    c.writeRaw(frame(client.clientFinal(serverFirst)))
    expect(client.verifiesServerFinal(await reply)).toBe(true)
    expect((await metadata(c)).brokers).toHaveLength(1)

    const plain = await connect()
    await plain.request(ApiKey.SaslHandshake, 0, { mechanism: 'PLAIN' })
    reply = plain.nextFrame()
    plain.writeRaw(frame(Buffer.from('\0alice\0alice-secret')))
    expect((await reply).length).toBe(0)
    expect((await metadata(plain)).brokers).toHaveLength(1)

    const wrong = await connect()
    await wrong.request(ApiKey.SaslHandshake, 0, { mechanism: 'PLAIN' })
    wrong.writeRaw(frame(Buffer.from('\0alice\0nope')))
    await wrong.whenClosed()
  })

  it('on a listener without SASL answers both SASL requests with ILLEGAL_SASL_STATE and keeps the connection', async () => {
    const c = await connect(false)
    expect(await c.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })).toEqual({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] })
    expect((await c.request(ApiKey.SaslAuthenticate, 2, { authBytes: Buffer.alloc(0) })).errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE)
    expect((await metadata(c)).brokers).toHaveLength(1)
  })
})
