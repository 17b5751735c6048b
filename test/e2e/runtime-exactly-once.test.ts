import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KafkaError, TaskMigratedError } from '../../src/core/errors.js'
import type { IsolationLevel, KafkaClients, KafkaTransactionalProducer } from '../../src/kafka/index.js'
import type { KafkaStreams, KafkaStreamsConfig, KafkaStreamsState } from '../../src/runtime/index.js'
import { buf, type KafkaFixture, numbersByKey, readText, SHOP_TOPICS, shopTopology as checkedShopTopology, startStreams, type StreamsFixture, testBrokerKind, waitFor } from './fixtures.js'

const APP = 'shop-eos'
const PARTITIONS = 3

interface Customer {
  readonly name: string
}

/** The graph with a check (a pass-through one unless given): an app restarted after a failing one runs the same graph. */
const shopTopology = (check: (order: { amount: number }) => void = () => undefined) => checkedShopTopology(check)

/** A transactional producer whose commits fail while `failing.armed` is set: a crash after the sends, before the commit. */
function failingCommits(clients: KafkaClients, failing: { armed: boolean; failures: number }): KafkaClients {
  return {
    ...clients,
    transactionalProducer: (suffix) => {
      const real = clients.transactionalProducer(suffix)
      const wrapped: KafkaTransactionalProducer = {
        init: () => real.init(),
        begin: () => real.begin(),
        send: (records) => real.send(records),
        sendOffsets: (group, offsets) => real.sendOffsets(group, offsets),
        commit: async () => {
          if (!failing.armed) return real.commit()
          failing.failures++
          throw new KafkaError('Committing the transaction failed: the broker went away (simulated).', { canRetry: true })
        },
        abort: () => real.abort(),
        close: () => real.close(),
      }
      return wrapped
    },
  }
}

describe(`KafkaStreams exactly_once_v2 against the ${testBrokerKind()} broker`, () => {
  let env: StreamsFixture
  let kafka: KafkaFixture

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
  })

  afterEach(() => env.close())

  const newApp = (clients: KafkaClients = kafka.clients, topology = shopTopology(), dir = env.stateDir, overrides: Partial<KafkaStreamsConfig> = {}) =>
    env.newApp(
      topology,
      // Members notice a rebalance within half a second.
      { stateDir: dir, processingGuarantee: 'exactly_once_v2', heartbeatIntervalMs: 500, ...overrides },
      { clients },
    )

  const readTopic = (topic: string, isolationLevel: IsolationLevel) => readText(env.reader(isolationLevel), topic, PARTITIONS)

  /** Topics, an order producer and the independent computation of the expected outputs. */
  async function shop() {
    await kafka.track(kafka.clients.admin()).createTopics([...SHOP_TOPICS, 'orders-zombie'].map((name) => ({ name, partitions: PARTITIONS })))
    const producer = kafka.track(kafka.clients.producer())
    const group = kafka.track(kafka.clients.consumer({ isolationLevel: 'read_committed' }))
    const orderPartitions = [0, 1, 2].map((partition) => ({ topic: 'orders', partition }))
    const committedOrders = async () => (await group.committed(orderPartitions)).reduce((sum, o) => sum + o.offset, 0n)
    const names = ['ann', 'bob', 'cyd', 'dee']
    const orders: { customer: string; amount: number }[] = []
    let clock = 1_000

    // The independent computation.
    const countBy = (key: (o: { customer: string; amount: number }) => string) => {
      const counts = new Map<string, number>()
      for (const o of orders) counts.set(key(o), (counts.get(key(o)) ?? 0) + 1)
      return counts
    }
    const expectedCounts = () => countBy((o) => o.customer)
    const expectedParity = () => countBy((o) => (o.amount % 2 === 0 ? 'even' : 'odd'))
    const expectedEnriched = () => orders.map((o) => `${o.customer}|${o.customer.toUpperCase()}:${o.amount}`).sort()

    async function addOrders(count: number) {
      const batch = []
      for (let i = 0; i < count; i++) {
        const customer = names[(i * 7 + orders.length) % names.length] as string
        const order = { customer, amount: orders.length + 1 }
        orders.push(order)
        batch.push({ topic: 'orders', key: buf(customer), value: buf(JSON.stringify({ amount: order.amount })), timestamp: clock++ })
      }
      await producer.send(batch)
    }

    /** Per key, the committed updates of a count: each value once, strictly increasing (a reprocessed record would repeat one). */
    const committedCountUpdates = async (topic: string) => numbersByKey(await readTopic(topic, 'read_committed'))
    const lastOf = (updates: Map<string, number[]>) => new Map([...updates].map(([k, values]) => [k, values.at(-1)]))

    async function expectExactlyOnceOutputs() {
      await waitFor('committed outputs matching the inputs', async () => (await readTopic('enriched', 'read_committed')).length >= orders.length, 20_000)
      await waitFor('committed counts matching the inputs', async () => {
        const counts = lastOf(await committedCountUpdates('order-counts-out'))
        const parity = lastOf(await committedCountUpdates('parity-counts-out'))
        return [...expectedCounts()].every(([k, n]) => counts.get(k) === n) && [...expectedParity()].every(([k, n]) => parity.get(k) === n)
      }, 20_000)
      const enriched = (await readTopic('enriched', 'read_committed')).map((r) => `${r.key}|${r.value}`).sort()
      expect(enriched).toEqual(expectedEnriched())
      for (const topic of ['order-counts-out', 'parity-counts-out']) {
        for (const [key, values] of await committedCountUpdates(topic)) {
          for (let i = 1; i < values.length; i++) expect(values[i], `${topic} ${key}: ${values.join(',')}`).toBeGreaterThan(values[i - 1] as number)
        }
      }
      expect(lastOf(await committedCountUpdates('order-counts-out'))).toEqual(expectedCounts())
      expect(lastOf(await committedCountUpdates('parity-counts-out'))).toEqual(expectedParity())
    }

    async function addCustomers(app: KafkaStreams) {
      await producer.send(names.map((name) => ({ topic: 'customers', key: buf(name), value: buf(JSON.stringify({ name: name.toUpperCase() })), timestamp: clock++ })))
      const customers = app.store<string, Customer>('customers')
      await waitFor('customers in the table store', async () => {
        for (const name of names) if ((await customers.get(name))?.name !== name.toUpperCase()) return false
        return true
      })
    }
    return { addOrders, addCustomers, expectExactlyOnceOutputs, committedOrders, expectedCounts }
  }

  it('commits outputs, state and offsets together: a failed transaction leaves nothing visible and a restart completes the work once', async () => {
    const { addOrders, addCustomers, expectExactlyOnceOutputs, committedOrders, expectedCounts } = await shop()

    // Run 1: a clean run.
    const first = newApp()
    await first.start()
    await addCustomers(first)
    await addOrders(200)
    await expectExactlyOnceOutputs()
    await first.close()
    expect(await committedOrders()).toBe(200n)
    const committedBefore = (await readTopic('enriched', 'read_committed')).length

    // Run 2: every commit fails after its records were sent into the transaction, and the
    // instance may not retry (taskTimeoutMs 0).
    const failing = { armed: true, failures: 0 }
    const second = newApp(failingCommits(kafka.clients, failing), shopTopology(), env.stateDir, { taskTimeoutMs: 0 })
    const errors: unknown[] = []
    const states: KafkaStreamsState[] = []
    second.on('error', (error) => errors.push(error))
    second.on('stateChange', (next) => states.push(next))
    await second.start()
    await addOrders(150)
    await waitFor('the ERROR state', () => second.state() === 'ERROR', 20_000)
    expect(failing.failures).toBe(1)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(KafkaError)
    expect(states.at(-1)).toBe('ERROR')
    await second.close()
    // The aborted transaction's records reached the log but no read_committed reader sees them,
    // and the group's offsets are those of the last committed transaction.
    expect((await readTopic('enriched', 'read_uncommitted')).length).toBeGreaterThan(committedBefore)
    expect(await readTopic('enriched', 'read_committed')).toHaveLength(committedBefore)
    expect(await committedOrders()).toBe(200n)

    // Run 3: same applicationId and state directory. The dirty close left no checkpoint, so the
    // stores are rebuilt from the committed changelogs, and the 150 orders are processed once.
    const third = newApp()
    await third.start()
    await expectExactlyOnceOutputs()
    expect(await third.store<string, number>('order-counts').get('ann')).toBe(expectedCounts().get('ann'))
    await third.close()
    expect(third.state()).toBe('NOT_RUNNING')
    expect(await committedOrders()).toBe(350n)
  }, 60_000)

  it('stops in ERROR when a processor throws, with outputs and offsets committed only together, and a restart processes the rest once', async () => {
    const { addOrders, addCustomers, expectExactlyOnceOutputs, committedOrders } = await shop()
    const poison = { armed: true }
    const failing = newApp(kafka.clients, shopTopology((order) => {
      if (poison.armed && order.amount === 180) throw new Error(`order ${order.amount} cannot be processed`)
    }))
    const errors: unknown[] = []
    failing.on('error', (error) => errors.push(error))
    await failing.start()
    await addCustomers(failing)
    // Some transactions commit before the failing order arrives.
    await addOrders(100)
    await waitFor('the first 100 orders committed', async () => (await committedOrders()) === 100n)
    await addOrders(100)
    await waitFor('the ERROR state', () => failing.state() === 'ERROR', 20_000)
    expect(errors).toHaveLength(1)
    await failing.close()
    // Every order yields one joined record: the committed outputs are exactly those of the committed offsets.
    const committed = await committedOrders()
    expect(committed).toBeGreaterThanOrEqual(100n)
    expect(committed).toBeLessThan(200n)
    expect(BigInt((await readTopic('enriched', 'read_committed')).length)).toBe(committed)

    poison.armed = false
    const restarted = newApp()
    await restarted.start()
    await expectExactlyOnceOutputs()
    await restarted.close()
    expect(await committedOrders()).toBe(200n)
  }, 60_000)

  it('commits and hands over the revoked tasks when a second instance joins; both keep running and every result is committed once', async () => {
    const { addOrders, addCustomers, expectExactlyOnceOutputs, committedOrders, expectedCounts } = await shop()
    const first = newApp()
    const errors: unknown[] = []
    const states: KafkaStreamsState[] = []
    first.on('error', (error) => errors.push(error))
    first.on('stateChange', (next) => states.push(next))
    await first.start()
    await addCustomers(first)
    await addOrders(100)
    await waitFor('the first 100 orders committed', async () => (await committedOrders()) === 100n)

    const second = newApp(kafka.clients, shopTopology(), env.newStateDir())
    second.on('error', (error) => errors.push(error))
    // Orders keep arriving while the group rebalances: the first instance has an open
    // transaction when its partitions are revoked.
    const producing = (async () => {
      for (let i = 0; i < 10; i++) {
        await addOrders(10)
        await new Promise((done) => setTimeout(done, 30))
      }
    })()
    const statesBeforeJoin = states.length
    await second.start()
    await producing
    await waitFor('the first instance to rebalance and run again', () => states.slice(statesBeforeJoin).includes('REBALANCING') && first.state() === 'RUNNING', 20_000)
    const owned = (app: KafkaStreams) => app.store<string, number>('order-counts')
    await addOrders(100)
    await expectExactlyOnceOutputs()
    expect(errors).toEqual([])
    expect(first.state()).toBe('RUNNING')
    // Each counted customer lives in exactly one instance's tasks, with its exact count.
    for (const [name, count] of expectedCounts()) {
      const held = [await owned(first).get(name), await owned(second).get(name)].filter((n) => n !== undefined)
      expect(held, name).toEqual([count])
    }
    await second.close()
    await first.close()
    expect(await committedOrders()).toBe(300n)
  }, 60_000)

  it('aborts the open transaction when the group moved on before the revoked tasks could commit, rebuilds the kept tasks and keeps running', async () => {
    const { addOrders, addCustomers, expectExactlyOnceOutputs, committedOrders, expectedCounts } = await shop()
    // No commit before close(): when the second instance joins, the first still has every order
    // in its open transaction, whose offsets carry the generation the group has just left.
    const first = newApp(kafka.clients, shopTopology(), env.stateDir, { commitIntervalMs: 600_000 })
    const errors: unknown[] = []
    const states: KafkaStreamsState[] = []
    first.on('error', (error) => errors.push(error))
    first.on('stateChange', (next) => states.push(next))
    await first.start()
    await addCustomers(first)
    await addOrders(120)
    const counts = first.store<string, number>('order-counts')
    await waitFor('every order processed', async () => (await counts.get('ann')) === expectedCounts().get('ann'))
    expect(await committedOrders()).toBe(0n)

    const second = newApp(kafka.clients, shopTopology(), env.newStateDir())
    second.on('error', (error) => errors.push(error))
    const statesBeforeJoin = states.length
    await second.start()
    await waitFor('the first instance to rebalance and run again', () => states.slice(statesBeforeJoin).includes('REBALANCING') && first.state() === 'RUNNING', 20_000)
    // Nothing of the aborted transaction became visible: the second instance may already have
    // committed its share again (every 100 ms), but no order shows up twice.
    const visible = (await readTopic('enriched', 'read_committed')).map((r) => `${r.key}|${r.value}`)
    expect(new Set(visible).size).toBe(visible.length)
    await addOrders(60)
    // Closing commits what the first instance processed since; the second commits its own share.
    await first.close()
    await expectExactlyOnceOutputs()
    expect(errors).toEqual([])
    expect(first.state()).toBe('NOT_RUNNING')
    await second.close()
    expect(await committedOrders()).toBe(180n)
  }, 60_000)

  it('replaces its transactional producer when another one with its transactional id fences it, and keeps every result once', async () => {
    const { addOrders, addCustomers, expectExactlyOnceOutputs, committedOrders } = await shop()
    const app = newApp()
    const errors: unknown[] = []
    app.on('error', (error) => errors.push(error))
    await app.start()
    await addCustomers(app)
    await addOrders(60)
    await waitFor('the first orders committed', async () => (await committedOrders()) === 60n)

    // A zombie with the instance's transactional id (as if an older copy of it came back) bumps
    // the producer epoch: the instance's next transaction fails as fenced.
    const processId = readFileSync(join(env.stateDir, APP, 'process-id'), 'utf8').trim()
    const zombie = kafka.track(kafka.clients.transactionalProducer(processId))
    await zombie.begin()
    await zombie.send([{ topic: 'orders-zombie', key: buf('z'), value: buf('z') }])
    await zombie.commit()
    await addOrders(60)
    await expectExactlyOnceOutputs()
    expect(errors).toEqual([])
    expect(app.state()).toBe('RUNNING')
    // The renewed producer fenced the zombie in turn.
    await expect(zombie.begin().then(() => zombie.send([{ topic: 'orders-zombie', key: buf('z'), value: buf('z') }]))).rejects.toThrow(TaskMigratedError)
    await app.close()
    expect(await committedOrders()).toBe(120n)
  }, 60_000)

  it('starts without waiting out the transaction a killed predecessor left open with offsets in it', async () => {
    const { addOrders, addCustomers, expectExactlyOnceOutputs, committedOrders } = await shop()
    const first = newApp()
    await first.start()
    await addCustomers(first)
    await addOrders(50)
    await expectExactlyOnceOutputs()
    await first.close()
    // What a predecessor SIGKILLed between adding its offsets to its transaction and committing it
    // leaves behind: offsets pending under its transactional id (the state directory's process id).
    const processId = readFileSync(join(env.stateDir, APP, 'process-id'), 'utf8').trim()
    // An independent client: it finds the group coordinator itself and commits as no group member.
    const zombie = new Kafka({ clientId: 'zombie', brokers: [kafka.broker.bootstrapServers], logLevel: logLevel.NOTHING }).producer({
      transactionalId: `${APP}-${processId}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 120_000,
    })
    await zombie.connect()
    kafka.track({ close: () => zombie.disconnect() })
    const transaction = await zombie.transaction()
    await transaction.sendOffsets({ consumerGroupId: APP, topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '1' }] }] })
    await addOrders(50)

    const startedAt = Date.now()
    const second = newApp()
    await second.start()
    // Its producer fences the predecessor and aborts that transaction before the tasks read their
    // committed offsets, which the pending ones would otherwise hold unstable for two minutes.
    expect(Date.now() - startedAt).toBeLessThan(30_000)
    await expectExactlyOnceOutputs()
    await second.close()
    expect(await committedOrders()).toBe(100n)
  }, 60_000)
})
