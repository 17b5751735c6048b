import { rmSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, SerdeError } from '../../src/core/errors.js'
import { KafkaStreams, type KafkaStreamsState } from '../../src/runtime/index.js'
import type { KafkaClients } from '../../src/kafka/index.js'
import { buf, type KafkaFixture, readText, SHOP_TOPICS, shopTopology, startStreams, type StreamsFixture, testBrokerKind, waitFor } from './fixtures.js'

const APP = 'shop'
const PARTITIONS = 3

interface Customer {
  readonly name: string
}

describe(`KafkaStreams at-least-once against the ${testBrokerKind()} broker`, () => {
  let env: StreamsFixture
  let kafka: KafkaFixture

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
  })

  afterEach(() => env.close())

  const readTopic = (topic: string) => readText(env.reader(), topic, PARTITIONS)

  it('counts and joins, then continues from its state after a restart and after losing its state directory', async () => {
    await kafka.track(kafka.clients.admin()).createTopics(SHOP_TOPICS.map((name) => ({ name, partitions: PARTITIONS })))
    const producer = kafka.track(kafka.clients.producer())
    const customers = new Map<string, string>()
    const orders: { customer: string; amount: number }[] = []
    let clock = 1_000

    // The independent computation: a count per customer and one joined line per order.
    const expectedCounts = () => {
      const counts = new Map<string, number>()
      for (const o of orders) counts.set(o.customer, (counts.get(o.customer) ?? 0) + 1)
      return counts
    }
    const expectedParity = () => {
      const counts = new Map<string, number>()
      for (const o of orders) {
        const parity = o.amount % 2 === 0 ? 'even' : 'odd'
        counts.set(parity, (counts.get(parity) ?? 0) + 1)
      }
      return counts
    }
    const lastValues = async (topic: string) => {
      const last = new Map<string, number>()
      for (const r of await readTopic(topic)) last.set(r.key, JSON.parse(r.value) as number)
      return last
    }
    const expectedEnriched = () => orders.map((o) => `${o.customer}|${customers.get(o.customer)}:${o.amount}`).sort()

    async function addCustomers(app: KafkaStreams, names: string[]) {
      for (const name of names) customers.set(name, name.toUpperCase())
      await producer.send(names.map((name) => ({ topic: 'customers', key: buf(name), value: buf(JSON.stringify({ name: name.toUpperCase() })), timestamp: clock++ })))
      // Orders are produced only once the table holds every customer, so each join finds its match.
      const store = app.store<string, Customer>('customers')
      await waitFor('customers in the table store', async () => {
        for (const name of names) if ((await store.get(name))?.name !== name.toUpperCase()) return false
        return true
      })
    }

    async function addOrders(count: number, names: string[]) {
      const batch = []
      for (let i = 0; i < count; i++) {
        const customer = names[(i * 7 + orders.length) % names.length] as string
        const order = { customer, amount: orders.length + 1 }
        orders.push(order)
        batch.push({ topic: 'orders', key: buf(customer), value: buf(JSON.stringify({ amount: order.amount })), timestamp: clock++ })
      }
      await producer.send(batch)
    }

    async function expectOutputs() {
      await waitFor(
        'outputs matching the inputs',
        async () => {
          const enriched = await readTopic('enriched')
          if (enriched.length < orders.length) return false
          const last = await lastValues('order-counts-out')
          const parity = await lastValues('parity-counts-out')
          return [...expectedCounts()].every(([k, n]) => last.get(k) === n) && [...expectedParity()].every(([k, n]) => parity.get(k) === n)
        },
        20_000,
      )
      const enriched = (await readTopic('enriched')).map((r) => `${r.key}|${r.value}`).sort()
      // A clean close commits everything: no record is processed twice.
      expect(enriched).toEqual(expectedEnriched())
      expect(await lastValues('order-counts-out')).toEqual(expectedCounts())
      expect(await lastValues('parity-counts-out')).toEqual(expectedParity())
    }

    // Run 1: a fresh application.
    const first = env.newApp(shopTopology())
    const states: KafkaStreamsState[] = []
    first.on('stateChange', (next) => states.push(next))
    await first.start()
    expect(first.state()).toBe('RUNNING')
    await addCustomers(first, ['ann', 'bob', 'cyd', 'dee'])
    await addOrders(200, ['ann', 'bob', 'cyd', 'dee'])
    await expectOutputs()
    expect(await first.store<string, number>('order-counts').get('ann')).toBe(expectedCounts().get('ann'))
    await first.close()
    expect(states).toEqual(['REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING'])

    // Run 2: same state directory; counts continue from the checkpointed stores.
    const second = env.newApp(shopTopology())
    await second.start()
    await addCustomers(second, ['eve'])
    await addOrders(150, ['ann', 'bob', 'cyd', 'dee', 'eve'])
    await expectOutputs()
    await second.close()

    // Run 3: the state directory is gone; the stores are rebuilt from the changelogs and topics.
    rmSync(env.stateDir, { recursive: true, force: true })
    const third = env.newApp(shopTopology())
    await third.start()
    expect(await third.store<string, number>('order-counts').get('eve')).toBe(expectedCounts().get('eve'))
    await addOrders(100, ['ann', 'bob', 'cyd', 'dee', 'eve'])
    await expectOutputs()
    await third.close()
    expect(third.state()).toBe('NOT_RUNNING')

    // Records of the repartition topic below the committed offsets were purged.
    const repartition = [...shopTopology().internalTopics.values()].filter((t) => t.purpose === 'repartition').map((t) => `${APP}-${t.name}`)
    expect(repartition).toHaveLength(1)
    const starts = await kafka.track(kafka.clients.admin()).listOffsets(repartition[0] as string, [0, 1, 2], 'earliest')
    expect([...starts.values()].reduce((sum, offset) => sum + offset, 0n)).toBe(BigInt(orders.length))
  }, 60_000)

  it('pauses a partition whose task buffer is full and resumes it once the task can process again', async () => {
    await kafka.track(kafka.clients.admin()).createTopics(SHOP_TOPICS.map((name) => ({ name, partitions: PARTITIONS })))
    const paused: string[] = []
    const resumed: string[] = []
    const clients: KafkaClients = {
      ...kafka.clients,
      consumer: (options) => {
        const consumer = kafka.clients.consumer(options)
        const pause = consumer.pause.bind(consumer)
        const resume = consumer.resume.bind(consumer)
        consumer.pause = (ps) => (paused.push(...ps.map((p) => `${p.topic}-${p.partition}`)), pause(ps))
        consumer.resume = (ps) => (resumed.push(...ps.map((p) => `${p.topic}-${p.partition}`)), resume(ps))
        return consumer
      },
    }
    // The join task waits for its empty customers partition, so its orders pile up to the bound.
    // The client's own retry settings, not the fixture's quick ones.
    const app = env.track(
      new KafkaStreams(
        shopTopology(),
        { applicationId: APP, bootstrapServers: [kafka.broker.bootstrapServers], stateDir: env.stateDir, commitIntervalMs: 100, maxTaskIdleMs: 600_000 },
        { clients },
      ),
    )
    const producer = kafka.track(kafka.clients.producer())
    const total = 2_500
    await producer.send(Array.from({ length: total }, (_, i) => ({ topic: 'orders', key: buf('ann'), value: buf(JSON.stringify({ amount: i })), timestamp: 1_000 + i })))
    await app.start()
    await waitFor('the orders partition paused', () => paused.some((p) => p.startsWith('orders-')))
    expect(await app.store<string, number>('order-counts').get('ann')).toBeUndefined()

    // A customer record, later than every order, lets the task process the orders ahead of it.
    await producer.send([{ topic: 'customers', key: buf('ann'), value: buf(JSON.stringify({ name: 'ANN' })), timestamp: 1_000_000 }])
    await waitFor('every order counted', async () => (await app.store<string, number>('order-counts').get('ann')) === total, 20_000)
    await waitFor('the orders partition resumed', () => resumed.length === paused.length)
    expect(resumed).toEqual(paused)
    await app.close()
  }, 40_000)

  it('closes cleanly when close() is called while start() is still joining', async () => {
    await kafka.track(kafka.clients.admin()).createTopics(SHOP_TOPICS.map((name) => ({ name, partitions: PARTITIONS })))
    const app = env.newApp(shopTopology())
    const states: KafkaStreamsState[] = []
    app.on('stateChange', (next) => states.push(next))
    const started = app.start()
    await app.close()
    await started
    expect(states).toEqual(['REBALANCING', 'PENDING_SHUTDOWN', 'NOT_RUNNING'])
  })

  it('fails start() with a ConfigError naming the topics and their partition counts when a join is not co-partitioned', async () => {
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: 'orders', partitions: 3 },
      { name: 'customers', partitions: 2 },
    ])
    const app = env.newApp(shopTopology())
    const errors: unknown[] = []
    app.on('error', (error) => errors.push(error))
    const started = app.start()
    await expect(started).rejects.toBeInstanceOf(ConfigError)
    await expect(started).rejects.toThrow(/"orders" has 3 partitions.*"customers" has 2 partitions|"customers" has 2 partitions.*"orders" has 3 partitions/)
    expect(app.state()).toBe('ERROR')
    expect(errors).toHaveLength(1)
  })

  it("enters ERROR on an undeserializable record under 'fail' and commits nothing past it", async () => {
    await kafka.track(kafka.clients.admin()).createTopics(SHOP_TOPICS.map((name) => ({ name, partitions: PARTITIONS })))
    const producer = kafka.track(kafka.clients.producer())
    const group = kafka.track(kafka.clients.consumer({ isolationLevel: 'read_uncommitted' }))
    const partitions = [0, 1, 2].map((partition) => ({ topic: 'orders', partition }))
    const committedTotal = async () => (await group.committed(partitions)).reduce((sum, o) => sum + o.offset, 0n)
    const order = (value: string, timestamp: number) => ({ topic: 'orders', key: buf('ann'), value: buf(value), timestamp })

    const app = env.newApp(shopTopology())
    const errors: unknown[] = []
    const states: KafkaStreamsState[] = []
    app.on('error', (error) => errors.push(error))
    app.on('stateChange', (next) => states.push(next))
    await app.start()
    await producer.send(Array.from({ length: 10 }, (_, i) => order(JSON.stringify({ amount: i }), 1_000 + i)))
    await waitFor('the good records committed', async () => (await committedTotal()) === 10n)

    await producer.send([order('not json', 2_000), ...Array.from({ length: 5 }, (_, i) => order(JSON.stringify({ amount: i }), 2_001 + i))])
    await waitFor('the ERROR state', () => app.state() === 'ERROR')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(SerdeError)
    expect(states.at(-1)).toBe('ERROR')
    // The bad record is at offset 10 of its partition: the group's offsets stop right before it.
    expect(await committedTotal()).toBe(10n)
    await app.close()
    expect(app.state()).toBe('ERROR')
  })
})
