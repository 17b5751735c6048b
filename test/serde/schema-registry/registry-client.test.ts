import { createServer } from 'node:https'
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedSchemaRegistry } from '../../../src/broker/registry/embedded-schema-registry.js'
import { ConfigError, SerdeError } from '../../../src/core/errors.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { generateCertificates } from '../../broker/fixtures/certificates.js'

const ticket = { type: 'record', name: 'TicketOpened', namespace: 'shop', fields: [{ name: 'ticketId', type: 'string' }] }
const valueCtx = { topic: 'tickets', isKey: false }

let registry: EmbeddedSchemaRegistry
beforeEach(async () => {
  registry = await EmbeddedSchemaRegistry.start({ basicAuth: { 'shop-app': 's3cret' } })
})
afterEach(async () => {
  await registry.close()
})

describe('Serdes.schemaRegistry: basicAuth', () => {
  it('registers and reads with the credentials of a registry that asks for them', async () => {
    const serde = Serdes.schemaRegistry<{ ticketId: string }>({ url: registry.url, schema: ticket, basicAuth: { username: 'shop-app', password: 's3cret' } })
    const bytes = await serde.serialize({ ticketId: 'T-1' }, valueCtx)
    const reader = Serdes.schemaRegistry<{ ticketId: string }>({ url: registry.url, basicAuth: { username: 'shop-app', password: 's3cret' } })
    expect({ ...(await reader.deserialize(bytes, valueCtx)) }).toEqual({ ticketId: 'T-1' })
  })

  it('fails without them, or with wrong ones, with a SerdeError that says 401 and names basicAuth, not retried', async () => {
    for (const options of [{}, { basicAuth: { username: 'shop-app', password: 'wrong' } }]) {
      const serde = Serdes.schemaRegistry<{ ticketId: string }>({ url: registry.url, schema: ticket, ...options })
      const error = await Promise.resolve(serde.serialize({ ticketId: 'T-1' }, valueCtx)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SerdeError)
      expect((error as SerdeError).canRetry).toBe(false)
      expect((error as SerdeError).message).toMatch(/^Schema registry refused to register a schema under subject "tickets-value": it needs credentials, or refused the ones given \(401, .*\)\. Check basicAuth\.$/)
      expect((error as SerdeError).message).not.toContain('wrong')
    }
  })
})

describe('Serdes.schemaRegistry: access settings', () => {
  it('refuses settings that cannot apply, with a ConfigError', () => {
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
    expect(() => Serdes.schemaRegistry({ url: 'http://registry:8081', tls: { ca } })).toThrow(ConfigError)
    expect(() => Serdes.schemaRegistry({ url: 'http://registry:8081', tls: { ca } })).toThrow(/tls applies to an https:\/\/ registry URL/)
    expect(() => Serdes.schemaRegistry({ url: 'https://registry:8081', tls: { ca: 'ca.pem' } })).toThrow(/tls\.ca must be PEM text/)
    expect(() => Serdes.schemaRegistry({ url: 'https://registry:8081', basicAuth: { username: '', password: 'x' } })).toThrow(/basicAuth must be \{ username, password \}/)
    const client = new SchemaRegistry({ host: 'http://registry:8081' })
    expect(() => Serdes.schemaRegistry({ registry: client, basicAuth: { username: 'u', password: 'p' } })).toThrow(/a `registry` instance brings its own/)
    expect(() => Serdes.schemaRegistry({ url: 'https://registry:8081', tls: { ca }, basicAuth: { username: 'u', password: 'p' } })).not.toThrow()
  })
})

describe('Serdes.schemaRegistry: tls', () => {
  it('reaches an https registry whose certificate a private CA signed, given that CA; without it says the certificate is not trusted', async () => {
    const certificates = generateCertificates()
    // TLS in front of the embedded registry, as a reverse proxy would put it.
    const proxy = createServer({ key: certificates.serverKey, cert: certificates.serverCert }, (request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        const body = Buffer.concat(chunks)
        void fetch(`${registry.url}${request.url}`, {
          method: request.method,
          headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', authorization: request.headers.authorization ?? '' },
          ...(body.length === 0 ? {} : { body }),
        }).then(async (answer) => {
          response.writeHead(answer.status, { 'content-type': 'application/vnd.schemaregistry.v1+json' })
          response.end(Buffer.from(await answer.arrayBuffer()))
        })
      })
    })
    await new Promise<void>((listening) => proxy.listen(0, '127.0.0.1', listening))
    try {
      const url = `https://localhost:${(proxy.address() as { port: number }).port}`
      const basicAuth = { username: 'shop-app', password: 's3cret' }
      const serde = Serdes.schemaRegistry<{ ticketId: string }>({ url, schema: ticket, basicAuth, tls: { ca: certificates.ca } })
      const bytes = await serde.serialize({ ticketId: 'T-7' }, valueCtx)
      expect({ ...(await Serdes.schemaRegistry<{ ticketId: string }>({ url, basicAuth, tls: { ca: certificates.ca } }).deserialize(bytes, valueCtx)) }).toEqual({ ticketId: 'T-7' })

      const untrusting = Serdes.schemaRegistry<{ ticketId: string }>({ url, schema: ticket, basicAuth })
      const error = await Promise.resolve(untrusting.serialize({ ticketId: 'T-8' }, valueCtx)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SerdeError)
      expect((error as SerdeError).message).toMatch(/^Schema registry could not register a schema under subject "tickets-value": its TLS certificate is not trusted \(.*certificate.*\)\. Give tls\.ca the CA that signed it\.$/)
      expect((error as SerdeError).canRetry).toBe(false)
    } finally {
      proxy.closeAllConnections()
      await new Promise((closed) => proxy.close(closed))
      certificates.remove()
    }
  })
})
