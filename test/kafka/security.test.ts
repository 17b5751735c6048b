import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import { kafkaSettings } from '../../src/kafka/connection.js'
import { KafkaSecurity, type KafkaSecurityConfig } from '../../src/kafka/security.js'

const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n'
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n'
const KEY = '-----BEGIN PRIVATE KEY-----\nTOP-SECRET-KEY\n-----END PRIVATE KEY-----\n'
const connection = { bootstrapServers: ['kafka-1.internal:9093'], clientId: 'fleet-client', applicationId: 'fleet' }

function refused(config: KafkaSecurityConfig): ConfigError {
  try {
    new KafkaSecurity(config)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error(`accepted ${inspect(config)}`)
}

describe('KafkaSecurity: TLS', () => {
  it('hands PEM text, servername and rejectUnauthorized to the client as tls.connect options', () => {
    const tls = { ca: CA, cert: CERT, key: KEY, passphrase: 'p', servername: 'kafka.internal', rejectUnauthorized: true }
    expect(new KafkaSecurity({ tls }).clientOptions()).toEqual({ tls })
    expect(new KafkaSecurity({ tls: { ca: [Buffer.from(CA), CA] } }).clientOptions().tls?.ca).toEqual([Buffer.from(CA), CA])
  })

  it("takes true for TLS with Node's bundled CAs", () => {
    const security = new KafkaSecurity({ tls: true })
    expect(security.clientOptions()).toEqual({ tls: {} })
    expect(security.protocol).toBe('SSL')
  })

  it('refuses a file path where PEM text belongs, a certificate without its key and unknown options', () => {
    expect(refused({ tls: { ca: '/etc/kafka/ca.pem' } }).message).toBe(
      'tls.ca must be PEM text (a string or Buffer with "-----BEGIN ..."), not a file path (it looks like a file path: pass readFileSync("/etc/kafka/ca.pem") instead).',
    )
    expect(refused({ tls: { cert: CERT } }).message).toContain('tls.cert and tls.key go together')
    expect(refused({ tls: { ca: CA, caFile: 'x' } as never }).message).toContain('unknown option(s) caFile')
    expect(refused({ tls: { rejectUnauthorized: 'no' } as never }).message).toContain('tls.rejectUnauthorized must be true or false')
    expect(refused({ tls: 'yes' } as never).message).toContain('tls must be true')
  })
})

describe('KafkaSecurity: SASL', () => {
  it('passes PLAIN and SCRAM credentials and an OAUTHBEARER token provider to the client as they are', () => {
    for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      const security = new KafkaSecurity({ sasl: { mechanism, username: 'fleet', password: 's3cret' } })
      expect(security.clientOptions()).toEqual({ sasl: { mechanism, username: 'fleet', password: 's3cret' } })
      expect(security.protocol).toBe('SASL_PLAINTEXT')
    }
    const token = async () => 'eyJhbGciOi.jwt'
    const oauth = new KafkaSecurity({ tls: true, sasl: { mechanism: 'OAUTHBEARER', token } })
    expect(oauth.clientOptions().sasl).toEqual({ mechanism: 'OAUTHBEARER', token })
    expect(oauth.clientOptions().sasl?.token).toBe(token)
    expect(oauth.protocol).toBe('SASL_SSL')
  })

  it('says what is missing, without echoing a secret', () => {
    expect(refused({ sasl: { mechanism: 'PLAIN', username: 'fleet' } }).message).toBe(
      'sasl: PLAIN needs sasl.password, a non-empty string (user "fleet" has none).',
    )
    expect(refused({ sasl: { mechanism: 'SCRAM-SHA-256', password: 'hunter2' } }).message).not.toContain('hunter2')
    expect(refused({ sasl: { mechanism: 'SCRAM-SHA-256', password: 'hunter2' } }).message).toContain('needs sasl.username')
    expect(refused({ sasl: { mechanism: 'OAUTHBEARER' } }).message).toContain('OAUTHBEARER needs sasl.token')
    expect(refused({ sasl: { mechanism: 'OAUTHBEARER', token: 't', username: 'u' } }).message).toContain('not a username and password')
    expect(refused({ sasl: { mechanism: 'PLAIN', username: 'u', password: 'p', token: 't' } }).message).toContain('sasl.token is for OAUTHBEARER')
    expect(refused({ sasl: { mechanism: 'GSSAPI' } as never }).message).toBe(
      'sasl.mechanism must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER, got "GSSAPI".',
    )
    expect(refused({ sasl: { mechanism: 'PLAIN', user: 'u' } as never }).message).toContain('unknown option(s) user')
  })

  it('prints protocol, mechanism and user, never the password, token or private key', () => {
    const security = new KafkaSecurity({ tls: { ca: CA, cert: CERT, key: KEY }, sasl: { mechanism: 'SCRAM-SHA-512', username: 'fleet', password: 'hunter2' } })
    const shown = [JSON.stringify({ security }), inspect(security), inspect({ security }, { showHidden: true, depth: 5 }), String(security)]
    for (const text of shown) {
      expect(text).not.toContain('hunter2')
      expect(text).not.toContain('TOP-SECRET-KEY')
    }
    expect(JSON.parse(JSON.stringify(security))).toEqual({ protocol: 'SASL_SSL', tls: 'own CA, client certificate', saslMechanism: 'SCRAM-SHA-512', saslUsername: 'fleet' })
    const oauth = new KafkaSecurity({ sasl: { mechanism: 'OAUTHBEARER', token: 'eyJ-secret-token' } })
    expect(inspect(oauth)).not.toContain('eyJ-secret-token')
  })
})

describe('kafkaSettings', () => {
  it('adds tls and sasl to the options every client is made from', () => {
    const { client } = kafkaSettings({ ...connection, tls: { ca: CA }, sasl: { mechanism: 'SCRAM-SHA-256', username: 'fleet', password: 'p' } })
    expect(client).toMatchObject({ clientId: 'fleet-client', bootstrapBrokers: ['kafka-1.internal:9093'], tls: { ca: CA }, sasl: { mechanism: 'SCRAM-SHA-256', username: 'fleet', password: 'p' } })
    expect(kafkaSettings(connection).client).not.toHaveProperty('tls')
    expect(kafkaSettings(connection).client).not.toHaveProperty('sasl')
  })
})
