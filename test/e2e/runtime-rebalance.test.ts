import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidStateStoreError, KafkaStreams, type KafkaStreamsConfig, type KafkaStreamsState } from '../../src/runtime/index.js'
import { numbersByKey, orderCountsTopology, orderFeed, readText, startStreams, waitFor, type KafkaFixture, type StreamsFixture } from './fixtures.js'

const APP = 'shop-rebalance'
const PARTITIONS = 3
const NAMES = ['ann', 'bob', 'cyd', 'dee', 'eve', 'fay']

/**
 * How the group is set up. Kafka's defaults (a 45 s session, a heartbeat every 3 s, three retries
 * 250 ms apart): the first instance hears of the join at its next heartbeat. The fast case
 * heartbeats every 200 ms and gives up on the broker after two quick retries.
 */
const GROUPS: readonly { name: string; group: Partial<KafkaStreamsConfig> }[] = [
  { name: 'a 6 s session', group: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 200, retries: 2, retryDelayMs: 50 } },
  { name: 'default settings', group: {} },
]

describe.each(GROUPS)('KafkaStreams at-least-once rebalancing, $name', ({ group }) => {
  let env: StreamsFixture
  let kafka: KafkaFixture

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
  })

  afterEach(() => env.close())

  /** An instance with its own state directory that commits only on revocation and close. */
  const newApp = () =>
    env.track(
      new KafkaStreams(orderCountsTopology(), {
        applicationId: APP,
        bootstrapServers: [kafka.broker.bootstrapServers],
        stateDir: env.newStateDir(),
        commitIntervalMs: 600_000,
        ...group,
      }),
    )

  const localCounts = async (app: KafkaStreams) => {
    const counts = new Map<string, number>()
    for await (const [key, count] of app.store<string, number>('order-counts').all()) counts.set(key, count)
    return counts
  }

  /** While a rebalance restores the stores, queries fail with a retriable InvalidStateStoreError: ask again, as users do. */
  const whenQueryable = (condition: () => Promise<boolean>) => async () => {
    try {
      return await condition()
    } catch (error) {
      if (error instanceof InvalidStateStoreError && error.canRetry) return false
      throw error
    }
  }

  it('commits every task and closes the revoked ones when a member joins; the new owner restores their state and goes on', async () => {
    await kafka.track(kafka.clients.admin()).createTopics(['orders', 'order-counts-out'].map((name) => ({ name, partitions: PARTITIONS })))
    const orders = orderFeed(kafka.track(kafka.clients.producer()), NAMES)
    const expected = orders.expected
    const group = kafka.track(kafka.clients.consumer({ isolationLevel: 'read_uncommitted' }))
    const committedOrders = async () =>
      (await group.committed([0, 1, 2].map((partition) => ({ topic: 'orders', partition })))).reduce((sum, o) => sum + o.offset, 0n)

    const first = newApp()
    const states: KafkaStreamsState[] = []
    first.on('stateChange', (next) => states.push(next))
    await first.start()
    await orders.add(120)
    await waitFor('the first instance to count every order', whenQueryable(async () => [...(await localCounts(first)).values()].reduce((a, b) => a + b, 0) === 120))
    // Its commit interval has not elapsed: nothing is committed yet.
    expect(await committedOrders()).toBe(0n)

    // The first instance's own start went through REBALANCING: look only at what follows the join.
    const statesBeforeJoin = states.length
    const second = newApp()
    await second.start()
    await waitFor(
      'the first instance to rebalance and both to run',
      () => states.slice(statesBeforeJoin).includes('REBALANCING') && first.state() === 'RUNNING' && second.state() === 'RUNNING',
      20_000,
    )
    // The revocation committed the progress of every task of the first instance.
    await waitFor('the revocation commit', async () => (await committedOrders()) === 120n)
    const [ownedByFirst, ownedBySecond] = [await localCounts(first), await localCounts(second)]
    expect(ownedByFirst.size).toBeGreaterThan(0)
    expect(ownedBySecond.size).toBeGreaterThan(0)
    // Each customer's count lives in one instance only: the revoked tasks were closed.
    expect([...ownedByFirst.keys()].filter((k) => ownedBySecond.has(k))).toEqual([])

    await orders.add(60)
    await waitFor(
      'both instances to count the new orders',
      whenQueryable(async () => {
        const all = new Map([...(await localCounts(first)), ...(await localCounts(second))])
        return [...expected].every(([k, n]) => (all.get(k) ?? 0) >= n)
      }),
    )
    // The second instance took over with the state the first built: its counts carry on from
    // there (at-least-once may count a record twice, never lose one).
    for (const [customer, count] of await localCounts(second)) expect(count, customer).toBeGreaterThanOrEqual(expected.get(customer) ?? 0)
    await first.close()
    await second.close()
    expect(await committedOrders()).toBe(180n)
    const seen = numbersByKey(await readText(env.reader(), 'order-counts-out', PARTITIONS))
    for (const [customer, n] of expected) expect(seen.get(customer)?.includes(n), customer).toBe(true)
  }, 30_000)
})
