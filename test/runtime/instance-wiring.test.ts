import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import { resolveStreamsConfig } from '../../src/runtime/config.js'
import { kafkaClientsFor } from '../../src/runtime/instance-wiring.js'

/** The options of every @platformatic/kafka client made, by class. */
const made = vi.hoisted(() => [] as { kind: string; options: Record<string, unknown> }[])

vi.mock('@platformatic/kafka', async (importOriginal) => {
  const original = await importOriginal<typeof import('@platformatic/kafka')>()
  const recorded = <C extends abstract new (...args: never[]) => object>(kind: string, Base: C): C => {
    // @ts-expect-error: a mixin over the client's constructor
    return class extends Base {
      constructor(...args: never[]) {
        super(...args)
        made.push({ kind, options: args[0] as Record<string, unknown> })
      }
    }
  }
  return {
    ...original,
    Admin: recorded('admin', original.Admin),
    Consumer: recorded('consumer', original.Consumer),
    Producer: recorded('producer', original.Producer),
  }
})

const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n'
const base = { applicationId: 'fleet', bootstrapServers: ['kafka-1.internal:9093'] }
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close().catch(() => undefined)
  made.length = 0
})

describe('KafkaStreams config: tls and sasl', () => {
  it("reach every client the instance makes: admin, group consumer, restoring and global-table readers, producers", () => {
    const token = () => Promise.resolve('jwt')
    for (const sasl of [{ mechanism: 'SCRAM-SHA-256', username: 'fleet', password: 'hunter2' }, { mechanism: 'OAUTHBEARER', token }] as const) {
      const config = resolveStreamsConfig({ ...base, tls: { ca: CA, servername: 'kafka.internal' }, sasl })
      const clients = kafkaClientsFor(config)
      const opened = [
        clients.admin(),
        clients.consumer({ isolationLevel: 'read_committed' }),
        clients.reader({ isolationLevel: 'read_committed' }),
        clients.producer(),
        clients.transactionalProducer('p-1'),
      ]
      closers.push(...opened.map((client) => () => client.close()))
      expect(made.map((m) => m.kind)).toEqual(['admin', 'consumer', 'consumer', 'producer', 'producer'])
      for (const { options } of made) {
        expect(options.tls).toEqual({ ca: CA, servername: 'kafka.internal' })
        expect(options.sasl).toEqual(sasl)
      }
      made.length = 0
    }
  })

  it('are checked by the constructor: a ConfigError names what to add', () => {
    expect(() => resolveStreamsConfig({ ...base, sasl: { mechanism: 'PLAIN', username: 'fleet' } })).toThrow(ConfigError)
    expect(() => resolveStreamsConfig({ ...base, sasl: { mechanism: 'PLAIN', username: 'fleet' } })).toThrow(/PLAIN needs sasl\.password/)
    expect(() => resolveStreamsConfig({ ...base, tls: { ca: 'ca.pem' } })).toThrow(/tls\.ca must be PEM text/)
  })

  it('leave the clients in plaintext when absent', () => {
    const clients = kafkaClientsFor(resolveStreamsConfig(base))
    const admin = clients.admin()
    closers.push(() => admin.close())
    expect(made[0]?.options).not.toHaveProperty('tls')
    expect(made[0]?.options).not.toHaveProperty('sasl')
  })

  it('never show the password in the resolved config, however it is printed', () => {
    const config = resolveStreamsConfig({ ...base, tls: true, sasl: { mechanism: 'PLAIN', username: 'api-key', password: 'hunter2' } })
    for (const text of [inspect(config, { depth: 10 }), JSON.stringify(config), inspect(config, { showHidden: true, depth: 10 })]) {
      expect(text).not.toContain('hunter2')
      expect(text).toContain('api-key')
    }
    expect(config.security.protocol).toBe('SASL_SSL')
  })
})
