import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedSchemaRegistry } from '../../src/broker/index.js'
import { KafkaAuthenticationError } from '../../src/core/errors.js'
import { createKafkaClients, type KafkaClients } from '../../src/kafka/index.js'
import type { SaslConfig } from '../../src/kafka/security.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { KafkaStreams, type ProcessingGuarantee } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { buf, numbersByKey, readText, TempDirs, waitFor } from './fixtures.js'
import { startSecuredBroker, type SecuredBroker } from './fixtures/secured-broker.js'

const PARTITIONS = 3
const CUSTOMERS = ['ann', 'bob', 'cyd', 'dee', 'eve']
const bin = resolve(import.meta.dirname, '../../dist/src/cli/main.js')

let secured: SecuredBroker
const dirs = new TempDirs('tributary-sasl-ssl-')
beforeAll(async () => {
  secured = await startSecuredBroker()
})
afterAll(async () => {
  await secured.close()
  dirs.removeAll()
})

const tls = () => ({ ca: secured.ca })
const scram = (password = secured.user.password): SaslConfig => ({ mechanism: 'SCRAM-SHA-256', username: secured.user.username, password })

/** Orders of `<prefix>-orders` counted per customer into store `order-counts` and topic `<prefix>-counts`. */
function orderCounts(prefix: string): Topology {
  const b = new StreamsBuilder()
  b.stream<string, { amount: number }>(`${prefix}-orders`, { keySerde: Serdes.string(), valueSerde: Serdes.json<{ amount: number }>() })
    .groupByKey()
    .count({ storeName: 'order-counts' })
    .toStream()
    .to(`${prefix}-counts`, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })
  return b.build()
}

/** Clients of the test itself, over the same SASL_SSL listener. */
function testClients(applicationId: string): KafkaClients {
  return createKafkaClients({ bootstrapServers: [secured.bootstrapServers], clientId: `${applicationId}-test`, applicationId, tls: tls(), sasl: scram() })
}

/** Starts an app with the default config but for the connection and a state directory. */
async function startApp(applicationId: string, guarantee: ProcessingGuarantee, stateDir: string): Promise<KafkaStreams> {
  const app = new KafkaStreams(orderCounts(applicationId), {
    applicationId, bootstrapServers: [secured.bootstrapServers], tls: tls(), sasl: scram(), stateDir, processingGuarantee: guarantee,
  })
  await app.start()
  return app
}

describe('KafkaStreams over SASL_SSL (SCRAM-SHA-256) against the embedded broker', () => {
  it.each(['at_least_once', 'exactly_once_v2'] as const)('%s: counts exactly, restores its store from the changelog over the secured listener', async (guarantee) => {
    const applicationId = `orders-${guarantee.replace(/_/g, '-')}`
    const clients = testClients(applicationId)
    const admin = clients.admin()
    const producer = clients.producer()
    const reader = clients.reader({ isolationLevel: 'read_committed' })
    const expected = new Map<string, number>()
    // Current timestamps: the counts wait for the 30 s commit, and the broker's 7-day retention
    // (checked every 30 s) would delete outputs stamped near the epoch before they are read.
    const base = Date.now()
    const send = async (n: number) => {
      const records = Array.from({ length: n }, (_, i) => {
        const customer = CUSTOMERS[(expected.size + i * 3) % CUSTOMERS.length]!
        expected.set(customer, (expected.get(customer) ?? 0) + 1)
        return { topic: `${applicationId}-orders`, key: buf(customer), value: buf(JSON.stringify({ amount: i })), timestamp: base + i }
      })
      await producer.send(records)
    }
    const counted = async () => numbersByKey(await readText(reader, `${applicationId}-counts`, PARTITIONS))
    // Each customer's count reaches its number of orders, every update above the one before: nothing lost, nothing counted twice.
    const exact = async () => {
      const byKey = await counted()
      return [...expected].every(([customer, n]) => byKey.get(customer)?.at(-1) === n)
    }
    const expectIncreasing = (byKey: Map<string, number[]>) => {
      for (const [customer, values] of byKey) values.slice(1).forEach((v, i) => expect(v, `${customer}: ${values.join(',')}`).toBeGreaterThan(values[i]!))
    }
    // Under at-least-once the record cache writes the counts out at the default 30 s commit.
    const countedWithin = guarantee === 'at_least_once' ? 50_000 : 30_000
    try {
      await admin.createTopics([{ name: `${applicationId}-orders`, partitions: PARTITIONS }, { name: `${applicationId}-counts`, partitions: PARTITIONS }])
      await send(60)
      let app = await startApp(applicationId, guarantee, dirs.make())
      await waitFor('the first 60 orders counted', exact, countedWithin)
      await app.close()
      expect(app.state()).toBe('NOT_RUNNING')

      // A new state directory: the store is rebuilt from its changelog by the restoring reader.
      await send(40)
      app = await startApp(applicationId, guarantee, dirs.make())
      try {
        await waitFor('all 100 orders counted, continuing from the restored store', exact, countedWithin)
        const byKey = await counted()
        expectIncreasing(byKey)
        expect(new Map([...byKey].map(([customer, values]) => [customer, values.at(-1)]))).toEqual(expected)
        const store = app.store<string, number>('order-counts')
        for (const [customer, n] of expected) expect(await store.get(customer)).toBe(n)
        expect(await admin.describeTopics([`${applicationId}-order-counts-changelog`])).toEqual(new Map([[`${applicationId}-order-counts-changelog`, PARTITIONS]]))
      } finally {
        await app.close()
      }
    } finally {
      for (const client of [reader, producer, admin]) await client.close().catch(() => undefined)
    }
  }, 150_000)

  it('fails start() at once with a KafkaAuthenticationError on a wrong password, which no message repeats', async () => {
    const app = new KafkaStreams(orderCounts('orders'), {
      applicationId: 'orders-wrong-password', bootstrapServers: [secured.bootstrapServers], tls: tls(), sasl: scram('not-the-password'), stateDir: dirs.make(),
    })
    const startedAt = Date.now()
    const error = await app.start().then(() => undefined, (e: unknown) => e)
    expect(Date.now() - startedAt).toBeLessThan(10_000)
    expect(error).toBeInstanceOf(KafkaAuthenticationError)
    expect((error as KafkaAuthenticationError).reason).toBe('sasl')
    expect((error as KafkaAuthenticationError).canRetry).toBe(false)
    expect((error as Error).message).toMatch(/failed: the brokers refused SASL authentication \(.*SCRAM-SHA-256.*\)\. Check sasl\.mechanism, sasl\.username and sasl\.password/)
    expect((error as Error).message).not.toContain('not-the-password')
    expect(app.state()).toBe('ERROR')
    await app.close()
  })

  it('fails start() at once with a KafkaAuthenticationError (reason tls) when the CA is not given', async () => {
    const app = new KafkaStreams(orderCounts('orders'), {
      applicationId: 'orders-untrusted', bootstrapServers: [secured.bootstrapServers], tls: true, sasl: scram(), stateDir: dirs.make(),
    })
    const error = await app.start().then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(KafkaAuthenticationError)
    expect((error as KafkaAuthenticationError).reason).toBe('tls')
    expect((error as Error).message).toContain("Give tls.ca the CA that signed the brokers' certificates")
    await app.close()
  })
})

describe('KafkaStreams over SSL with a client certificate (mutual TLS)', () => {
  it('counts with tls { ca, cert, key } on a listener that requires client certificates', async () => {
    const mutual = await startSecuredBroker({ sasl: false, requestCert: true })
    const { clientCert: cert, clientKey: key } = mutual.certificates!
    const connection = { bootstrapServers: [mutual.bootstrapServers], tls: { ca: mutual.ca, cert, key } }
    const clients = createKafkaClients({ ...connection, clientId: 'mtls-test', applicationId: 'mtls' })
    const admin = clients.admin()
    const producer = clients.producer()
    const reader = clients.reader({ isolationLevel: 'read_uncommitted' })
    const app = new KafkaStreams(orderCounts('mtls'), { ...connection, applicationId: 'mtls', stateDir: dirs.make() })
    try {
      await admin.createTopics([{ name: 'mtls-orders', partitions: PARTITIONS }, { name: 'mtls-counts', partitions: PARTITIONS }])
      await producer.send(CUSTOMERS.flatMap((customer) => [1, 2].map((amount) => ({ topic: 'mtls-orders', key: buf(customer), value: buf(JSON.stringify({ amount })) }))))
      await app.start()
      await waitFor('two orders counted per customer', async () => {
        const byKey = numbersByKey(await readText(reader, 'mtls-counts', PARTITIONS))
        return CUSTOMERS.every((customer) => byKey.get(customer)?.at(-1) === 2)
        // At-least-once with defaults: the record cache writes the counts out at the 30 s commit.
      }, 50_000)
    } finally {
      await app.close()
      for (const client of [reader, producer, admin]) await client.close().catch(() => undefined)
      await mutual.close()
    }
  }, 90_000)
})

/** Runs the built `tributary` command with `env` added to this process's, as a user's shell would. */
function tributary(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((done) => child.on('exit', (code) => done({ code, stdout, stderr })))
}

describe('tributary run and generate over SASL_SSL (child processes)', () => {
  it('runs fleet-map and repair-shop on the secured broker with SCRAM-SHA-512 and a registry asking for basic auth, passwords from the environment', async () => {
    const registry = await EmbeddedSchemaRegistry.start({ basicAuth: { shop: 'registry-secret' } })
    try {
      const args = [
        'run', 'fleet-map', 'repair-shop', '--brokers', secured.bootstrapServers, '--tls-ca', secured.caFile,
        '--sasl-mechanism', 'SCRAM-SHA-512', '--sasl-username', secured.user.username,
        '--registry', registry.url, '--registry-user', 'shop', '--state-dir', dirs.make(), '--no-http', '--duration', '8',
      ]
      const { code, stdout, stderr } = await tributary(args, { TRIBUTARY_SASL_PASSWORD: secured.user.password, TRIBUTARY_REGISTRY_PASSWORD: 'registry-secret' })
      expect(stderr).toBe('')
      expect(code).toBe(0)
      expect(stdout).toContain(`Connecting to Kafka at ${secured.bootstrapServers} over SASL_SSL (SCRAM-SHA-512 as ${secured.user.username}).`)
      expect(stdout).toContain('Stopping (--duration 8 reached)...')
      const summary = stdout.slice(stdout.indexOf('Summary: '))
      const count = (pattern: RegExp) => Number(pattern.exec(summary)?.[1]?.replace(/,/g, '') ?? NaN)
      expect(count(/vehicle_locations ([\d,]+)/)).toBeGreaterThan(0)
      // The generator registered the shop's Avro schemas through the registry's basic auth.
      expect(count(/tickets ([\d,]+)/)).toBeGreaterThan(0)
      expect(count(/driver_rider_vehicle_location ([\d,]+)/)).toBeGreaterThan(0)
      for (const secret of [secured.user.password, 'registry-secret']) expect(stdout).not.toContain(secret)
    } finally {
      await registry.close()
    }
  }, 60_000)

  it('a wrong TRIBUTARY_SASL_PASSWORD: one line with the broker\'s reason and the flags to check, exit code 1', async () => {
    const { code, stderr } = await tributary(
      ['generate', '--brokers', secured.bootstrapServers, '--tls-ca', secured.caFile, '--sasl-mechanism', 'SCRAM-SHA-512', '--sasl-username', secured.user.username, '--duration', '2', '--fast'],
      { TRIBUTARY_SASL_PASSWORD: 'not-the-password' },
    )
    expect(code).toBe(1)
    expect(stderr).toBe(
      `tributary generate: Kafka at ${secured.bootstrapServers} refused the connection (Creating topic "vehicle_locations" failed: the brokers refused SASL authentication ` +
        '(SASL authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512)). ' +
        'Check --sasl-mechanism, --sasl-username and TRIBUTARY_SASL_PASSWORD.\n',
    )
  }, 30_000)
})
