import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { KafkaStreams, type KafkaStreamsState } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import { buf, readAll, startKafka, str, waitFor, type KafkaFixture } from '../kafka/fixtures.js'

const APP = 'shop-rebalance'
const PARTITIONS = 3
const NAMES = ['ann', 'bob', 'cyd', 'dee', 'eve', 'fay']

function countTopology() {
  const b = new StreamsBuilder()
  b.stream<string, { amount: number }>('orders', { keySerde: Serdes.string(), valueSerde: Serdes.json<{ amount: number }>() })
    .groupByKey()
    .count({ storeName: 'order-counts' })
    .toStream()
    .to('order-counts-out', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })
  return b.build()
}

describe('KafkaStreams at-least-once rebalancing', () => {
  let kafka: KafkaFixture
  const dirs: string[] = []
  const apps: KafkaStreams[] = []

  beforeEach(async () => {
    kafka = await startKafka(APP)
  })

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close().catch(() => undefined)
    await kafka.close()
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  /** An instance with its own state directory that commits only on revocation and close. */
  const newApp = () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tributary-rebalance-'))
    dirs.push(stateDir)
    const app = new KafkaStreams(countTopology(), {
      applicationId: APP,
      bootstrapServers: [kafka.broker.bootstrapServers],
      stateDir,
      commitIntervalMs: 600_000,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 200,
      retries: 2,
      retryDelayMs: 50,
    })
    apps.push(app)
    return app
  }

  const localCounts = async (app: KafkaStreams) => {
    const counts = new Map<string, number>()
    for await (const [key, count] of app.store<string, number>('order-counts').all()) counts.set(key, count)
    return counts
  }

  it('commits every task and closes the revoked ones when a member joins; the new owner restores their state and goes on', async () => {
    await kafka.track(kafka.clients.admin()).createTopics(['orders', 'order-counts-out'].map((name) => ({ name, partitions: PARTITIONS })))
    const producer = kafka.track(kafka.clients.producer())
    const group = kafka.track(kafka.clients.consumer({ isolationLevel: 'read_uncommitted' }))
    const committedOrders = async () =>
      (await group.committed([0, 1, 2].map((partition) => ({ topic: 'orders', partition })))).reduce((sum, o) => sum + o.offset, 0n)
    const expected = new Map<string, number>()
    let sent = 0
    const addOrders = async (count: number) => {
      const batch = []
      for (let i = 0; i < count; i++, sent++) {
        const customer = NAMES[sent % NAMES.length] as string
        expected.set(customer, (expected.get(customer) ?? 0) + 1)
        batch.push({ topic: 'orders', key: buf(customer), value: buf(JSON.stringify({ amount: sent })), timestamp: 1_000 + sent })
      }
      await producer.send(batch)
    }

    const first = newApp()
    const states: KafkaStreamsState[] = []
    first.on('stateChange', (next) => states.push(next))
    await first.start()
    await addOrders(120)
    await waitFor('the first instance to count every order', async () => [...(await localCounts(first)).values()].reduce((a, b) => a + b, 0) === 120)
    // Its commit interval has not elapsed: nothing is committed yet.
    expect(await committedOrders()).toBe(0n)

    const second = newApp()
    await second.start()
    await waitFor('the first instance to rebalance and run again', () => states.includes('REBALANCING') && first.state() === 'RUNNING', 20_000)
    // The revocation committed the progress of every task of the first instance.
    await waitFor('the revocation commit', async () => (await committedOrders()) === 120n)
    const [ownedByFirst, ownedBySecond] = [await localCounts(first), await localCounts(second)]
    expect(ownedByFirst.size).toBeGreaterThan(0)
    expect(ownedBySecond.size).toBeGreaterThan(0)
    // Each customer's count lives in one instance only: the revoked tasks were closed.
    expect([...ownedByFirst.keys()].filter((k) => ownedBySecond.has(k))).toEqual([])

    await addOrders(60)
    await waitFor('both instances to count the new orders', async () => {
      const all = new Map([...(await localCounts(first)), ...(await localCounts(second))])
      return [...expected].every(([k, n]) => (all.get(k) ?? 0) >= n)
    })
    // The second instance took over with the state the first built: its counts carry on from
    // there (at-least-once may count a record twice, never lose one).
    for (const [customer, count] of await localCounts(second)) expect(count, customer).toBeGreaterThanOrEqual(expected.get(customer) ?? 0)
    await first.close()
    await second.close()
    expect(await committedOrders()).toBe(180n)
    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' }))
    const seen = new Map<string, Set<number>>()
    for (let p = 0; p < PARTITIONS; p++) {
      for (const r of await readAll(reader, 'order-counts-out', p)) {
        const key = str(r.key) ?? ''
        seen.set(key, (seen.get(key) ?? new Set()).add(JSON.parse(str(r.value) ?? '0') as number))
      }
    }
    for (const [customer, n] of expected) expect(seen.get(customer)?.has(n), customer).toBe(true)
  }, 30_000)
})
