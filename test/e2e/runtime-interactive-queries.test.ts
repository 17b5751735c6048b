import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, isTributaryError } from '../../src/core/errors.js'
import { murmur2 } from '../../src/core/partitioner.js'
import { SessionWindows, StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import { InvalidStateStoreError } from '../../src/runtime/interactive-queries.js'
import { KafkaStreams } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import { QueryableStoreTypes } from '../../src/topology/queryable-store-types.js'
import { buf, type KafkaFixture, queryWhenReady, startStreams, type StreamsFixture, testBrokerKind, waitFor } from './fixtures.js'

const APP = 'shop-queries'
const PARTITIONS = 3
const CUSTOMERS = Array.from({ length: 24 }, (_, i) => `customer-${i}`)
const MINUTE = 60_000

/** Orders counted per customer: in total, per minute (tumbling windows) and per session. */
function ordersTopology() {
  const b = new StreamsBuilder()
  const grouped = b.stream<string, { amount: number }>('orders', { keySerde: Serdes.string(), valueSerde: Serdes.json<{ amount: number }>() }).groupByKey()
  grouped.count({ storeName: 'order-counts' })
  // A long grace keeps every window of the test queryable (retention is size + grace).
  grouped.windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 100 * MINUTE)).count({ storeName: 'orders-per-minute' })
  grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(MINUTE, 100 * MINUTE)).count({ storeName: 'order-sessions' })
  return b.build()
}

/** Retries a read while the instance rebalances (the error says it may be retried). */
/** Kafka's default partitioner, written out here so the test does not trust the code under test. */
const expectedPartition = (key: string) => (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % PARTITIONS

describe(`KafkaStreams interactive queries and metrics against the ${testBrokerKind()} broker`, () => {
  let env: StreamsFixture
  let kafka: KafkaFixture

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
    await kafka.track(kafka.clients.admin()).createTopics([{ name: 'orders', partitions: PARTITIONS }])
  })

  afterEach(() => env.close())

  // Kafka's default group timeouts (a 45 s session, a heartbeat every 3 s): the second instance joins
  // a running group, which the first notices at its next heartbeat, and no member dies here.
  const newApp = (port: number) => env.newApp(ordersTopology(), { stateDir: env.newStateDir(), applicationServer: `localhost:${port}` })

  it('two instances agree on the owner of every key, and the owner holds it in its key-value, window and session stores', async () => {
    const a = newApp(7001)
    const b = newApp(7002)
    await a.start()
    await b.start()
    // Both see the same two-member assignment covering every partition, and each runs the tasks of
    // the partitions it advertises (its metrics list the lag of the partitions its tasks read).
    const settled = async (app: KafkaStreams, port: number) => {
      const all = await queryWhenReady(() => app.allMetadata())
      if (app.state() !== 'RUNNING' || all === undefined || all.length !== 2 || all.flatMap((m) => m.partitions).length !== PARTITIONS) return false
      const advertised = all.find((m) => m.port === port)?.partitions.map((p) => `${p.topic}-${p.partition}`)
      const running = (await app.metrics()).consumerLag?.map((p) => `${p.topic}-${p.partition}`)
      return JSON.stringify(advertised) === JSON.stringify(running)
    }
    await waitFor('both instances running their share of the assignment', async () => (await settled(a, 7001)) && (await settled(b, 7002)), 20_000)
    const metadata = await a.allMetadata()
    expect(metadata.map((m) => `${m.host}:${m.port}`)).toEqual(['localhost:7001', 'localhost:7002'])
    expect(await b.allMetadata()).toEqual(metadata)
    for (const m of metadata) expect(m.stores).toEqual(['order-counts', 'order-sessions', 'orders-per-minute'])

    // Each customer orders (index % 3) + 1 times, one minute apart: one window and one session each.
    const producer = kafka.track(kafka.clients.producer())
    const expected = new Map<string, number>()
    const records = []
    for (const [i, customer] of CUSTOMERS.entries()) {
      const n = (i % 3) + 1
      expected.set(customer, n)
      for (let j = 0; j < n; j++) records.push({ topic: 'orders', key: buf(customer), value: buf(JSON.stringify({ amount: j })), timestamp: i * MINUTE + j })
    }
    await producer.send(records)

    const byPort = new Map([
      [7001, a],
      [7002, b],
    ])
    const localCount = async (app: KafkaStreams, key: string) => queryWhenReady(async () => (await app.store<string, number>('order-counts').get(key)) ?? 0)
    await waitFor(
      'every order counted on one instance or the other',
      async () => {
        for (const [key, n] of expected) if (((await localCount(a, key)) ?? 0) + ((await localCount(b, key)) ?? 0) !== n) return false
        return true
      },
      20_000,
    )

    for (const [key, n] of expected) {
      const fromA = await a.metadataForKey('order-counts', key)
      const fromB = await b.metadataForKey('order-counts', key, Serdes.string())
      expect(fromB).toEqual(fromA)
      expect(fromA.host).toBe('localhost')
      expect(fromA.partition).toBe(expectedPartition(key))
      const owner = byPort.get(fromA.port) as KafkaStreams
      const other = byPort.get(fromA.port === 7001 ? 7002 : 7001) as KafkaStreams
      // The owner advertises the key's partition and holds the key; the other instance does not.
      expect(metadata.find((m) => m.port === fromA.port)?.partitions).toContainEqual({ topic: 'orders', partition: fromA.partition })
      expect(await owner.store<string, number>('order-counts').get(key)).toBe(n)
      expect(await other.store<string, number>('order-counts').get(key)).toBeUndefined()

      const i = CUSTOMERS.indexOf(key)
      const windows = await owner.store('orders-per-minute', QueryableStoreTypes.windowStore<string, number>()).fetch(key, 0, 100 * MINUTE)
      expect(windows).toEqual([{ windowStart: i * MINUTE, value: n }])
      expect(await owner.store('orders-per-minute', QueryableStoreTypes.windowStore<string, number>()).fetch(key, i * MINUTE)).toBe(n)
      const sessions = await owner.store('order-sessions', QueryableStoreTypes.sessionStore<string, number>()).fetch(key)
      expect(sessions).toEqual([[{ key, window: { start: i * MINUTE, end: i * MINUTE + n - 1 } }, n]])
    }

    // Views span every local task: both instances together list every key exactly once.
    const listed: string[] = []
    for (const app of [a, b]) for await (const [key] of app.store<string, number>('order-counts').all()) listed.push(key)
    expect(listed.sort()).toEqual([...CUSTOMERS].sort())

    // A closed instance's stores cannot be queried any more, and the error says not to retry.
    await b.close()
    const closedRead = b.store<string, number>('order-counts').get('customer-0')
    await expect(closedRead).rejects.toBeInstanceOf(InvalidStateStoreError)
    await expect(closedRead).rejects.toMatchObject({ code: 'TRIBUTARY_STATE', canRetry: false })
  }, 60_000)

  it('rejects unknown stores and the wrong store type with a ConfigError, and reads while starting with a retriable error', async () => {
    const app = newApp(7003)
    expect(() => app.store('no-such-store')).toThrow(ConfigError)
    expect(() => app.store('no-such-store')).toThrow(/order-counts \(keyValue\).*orders-per-minute \(window\)/)
    expect(() => app.store('orders-per-minute')).toThrow(/is a window store, not a keyValue store; query it with QueryableStoreTypes.windowStore\(\)/)
    expect(() => app.store('order-counts', QueryableStoreTypes.sessionStore<string, number>())).toThrow(ConfigError)
    const early = app.store<string, number>('order-counts').get('x')
    await expect(early).rejects.toMatchObject({ name: 'InvalidStateStoreError', canRetry: true })
    await expect(app.metadataForKey('order-counts', 'x')).rejects.toSatisfy((e: unknown) => isTributaryError(e, 'TRIBUTARY_STATE'))
    await expect(app.metadataForKey('nope', 'x')).rejects.toBeInstanceOf(ConfigError)
    expect(() => new KafkaStreams(ordersTopology(), { applicationId: APP, bootstrapServers: ['127.0.0.1:1'], applicationServer: 'localhost' })).toThrow(
      /applicationServer must be "host:port"/,
    )
  })
  it('fails a scan that a rebalance interrupts with a retriable InvalidStateStoreError, not the closed store\'s own error', async () => {
    // Enough keys that no task's store is read in one batch of its iterator: whichever task the
    // rebalance moves, the scan below still has to read from it.
    const keys = Array.from({ length: 6_000 }, (_, i) => `rider-${i}`)
    const producer = kafka.track(kafka.clients.producer())
    await producer.send(keys.map((key) => ({ topic: 'orders', key: buf(key), value: buf('{"amount":1}'), timestamp: Date.now() })))
    const a = newApp(7003)
    await a.start()
    const counts = a.store<string, number>('order-counts')
    await waitFor('every order counted', async () => {
      const all = await queryWhenReady(async () => {
        let total = 0
        for await (const [, count] of counts.all()) total += count
        return total
      })
      return all === keys.length
    })
    // A scan started while the instance owns every task...
    const scan = counts.all()
    expect((await scan.next()).done).toBe(false)
    // ...outlives the tasks the rebalance moves to a second instance.
    const b = newApp(7004)
    await b.start()
    await waitFor('the first instance to hand tasks over', async () => a.state() === 'RUNNING' && b.state() === 'RUNNING' && (await a.metrics()).activeTasks < PARTITIONS, 20_000)
    let error: unknown
    try {
      for (let next = await scan.next(); next.done !== true; next = await scan.next());
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidStateStoreError)
    expect((error as InvalidStateStoreError).canRetry).toBe(true)
    expect((error as Error).message).toMatch(/was closed while it was being read.*Retry the query/)
    // A new query sees what is left on this instance.
    expect((await queryWhenReady(async () => (await counts.approximateNumEntries()) >= 0)) ?? true).toBe(true)
  }, 60_000)
})
