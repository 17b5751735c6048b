import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { IsolationLevel } from '../../src/kafka/index.js'
import { buf, numbersByKey, readText, startStreams, waitFor, type KafkaFixture, type StreamsFixture } from './fixtures.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const DIST = resolve(HERE, '../../dist/src/index.js')
const CHILD = join(HERE, 'fixtures/crash-shop-app.mjs')
const APP = 'shop-crash'
const PARTITIONS = 3
const NAMES = ['ann', 'bob', 'cyd', 'dee']

type Guarantee = 'at_least_once' | 'exactly_once_v2'

/**
 * How the group is set up. With a static `groupInstanceId` and default timeouts, the restarted
 * instance takes the killed member's place at once, well within the 45 s session; a 6 s session
 * lets a dynamic member's replacement join quickly.
 */
const GROUPS = [
  { name: 'a 6 s session', group: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 }, restartWithinMs: 30_000 },
  { name: 'a static groupInstanceId', group: { groupInstanceId: 'shop-instance-1' }, restartWithinMs: 30_000 },
  { name: 'default settings (a dynamic member, a 45 s session)', group: {}, restartWithinMs: 90_000 },
] as const

describe.each(GROUPS)('KafkaStreams killed with SIGKILL mid-stream and restarted, $name', ({ group, restartWithinMs }) => {
  let env: StreamsFixture
  let kafka: KafkaFixture
  const children: ChildProcess[] = []

  beforeEach(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first (the application runs in a child process, which loads the compiled package).`)
    env = await startStreams(APP)
    kafka = env.kafka
  })

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await env.close()
  })

  /** Starts the application in a child process; resolves once it is RUNNING with every customer loaded. */
  async function startChild(processingGuarantee: Guarantee): Promise<ChildProcess> {
    const settings = { applicationId: APP, bootstrapServers: [kafka.broker.bootstrapServers], stateDir: env.stateDir, processingGuarantee, commitIntervalMs: 200, customers: NAMES, group }
    const child = spawn(process.execPath, [CHILD], { env: { PATH: process.env.PATH ?? '', TRIBUTARY_DIST: DIST, TRIBUTARY_APP: JSON.stringify(settings) }, stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(child)
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    try {
      await waitFor('the child application to be READY', () => {
        if (child.exitCode !== null) throw new Error(`The child application exited with ${child.exitCode}`)
        return stdout.includes('READY')
      }, restartWithinMs)
    } catch (error) {
      throw new Error(`${(error as Error).message}; its output: ${stdout}${stderr}`)
    }
    return child
  }

  async function kill(child: ChildProcess): Promise<void> {
    const exited = new Promise((done) => child.once('exit', done))
    child.kill('SIGKILL')
    await exited
  }

  const readTopic = (topic: string, isolationLevel: IsolationLevel) => readText(env.reader(isolationLevel), topic, PARTITIONS)

  /** Topics, customers, an order producer and the independent computation of the outputs. */
  async function shop(isolationLevel: IsolationLevel) {
    await kafka.track(kafka.clients.admin()).createTopics(['orders', 'customers', 'order-counts-out', 'enriched'].map((name) => ({ name, partitions: PARTITIONS })))
    const producer = kafka.track(kafka.clients.producer())
    let group: ReturnType<typeof kafka.clients.consumer> | undefined
    const orderPartitions = [0, 1, 2].map((partition) => ({ topic: 'orders', partition }))
    const committedOrders = async () => {
      group ??= kafka.track(kafka.clients.consumer({ isolationLevel: 'read_committed' }))
      return (await group.committed(orderPartitions)).reduce((sum, o) => sum + o.offset, 0n)
    }
    const orders: { customer: string; amount: number }[] = []
    // Current timestamps: the broker's 7-day retention (checked every 30 s) would delete older ones
    // while the restarted instance waits out the dead member's session.
    let clock = Date.now()
    await producer.send(NAMES.map((name) => ({ topic: 'customers', key: buf(name), value: buf(JSON.stringify({ name: name.toUpperCase() })), timestamp: clock++ })))

    const expectedCounts = () => {
      const counts = new Map<string, number>()
      for (const o of orders) counts.set(o.customer, (counts.get(o.customer) ?? 0) + 1)
      return counts
    }
    const expectedEnriched = () => orders.map((o) => `${o.customer}|${o.customer.toUpperCase()}:${o.amount}`).sort()

    async function addOrders(count: number) {
      for (let sent = 0; sent < count; sent += 25) {
        // Small batches with pauses, so that the application is mid-stream when it is killed.
        const batch = []
        for (let i = 0; i < Math.min(25, count - sent); i++) {
          const customer = NAMES[(i * 7 + orders.length) % NAMES.length] as string
          const order = { customer, amount: orders.length + 1 }
          orders.push(order)
          batch.push({ topic: 'orders', key: buf(customer), value: buf(JSON.stringify({ amount: order.amount })), timestamp: clock++ })
        }
        await producer.send(batch)
        await new Promise((done) => setTimeout(done, 20))
      }
    }

    /** Per customer, every count the output topic holds, in order. */
    const countUpdates = async () => numbersByKey(await readTopic('order-counts-out', isolationLevel))
    const lastCounts = async () => new Map([...(await countUpdates())].map(([k, values]) => [k, values.at(-1)]))
    const enriched = async () => (await readTopic('enriched', isolationLevel)).map((r) => `${r.key}|${r.value}`)

    async function waitForEveryInput() {
      await waitFor('outputs covering every input', async () => {
        if ((await committedOrders()) < BigInt(orders.length)) return false
        const last = await lastCounts()
        return [...expectedCounts()].every(([k, n]) => (last.get(k) ?? 0) >= n) && new Set(await enriched()).size >= orders.length
      }, 20_000)
    }
    return { addOrders, committedOrders, expectedCounts, expectedEnriched, countUpdates, lastCounts, enriched, waitForEveryInput, orders }
  }

  it('at_least_once: loses nothing; every count of a clean run shows up', async () => {
    const s = await shop('read_uncommitted')
    const first = await startChild('at_least_once')
    const producing = s.addOrders(400)
    await waitFor('some outputs and committed offsets', async () => (await s.enriched()).length > 0 && (await s.committedOrders()) > 0n, 20_000)
    await kill(first)
    const committedAtCrash = await s.committedOrders()
    await producing
    // Killed mid-stream: orders were still arriving and some were not committed yet.
    expect(committedAtCrash).toBeLessThan(400n)
    await s.addOrders(100)

    const second = await startChild('at_least_once')
    await s.waitForEveryInput()
    // No loss: every order has its joined record (repeats are allowed), and every customer's last
    // count reaches n. The record cache writes a customer's latest count once per commit, so not
    // every count between shows. The final count may exceed n only when the kill lands between a
    // commit's store flush and its offset commit: the restored store then already holds the records
    // that are processed again (at-least-once, as in Kafka Streams).
    const enriched = await s.enriched()
    expect([...new Set(enriched)].sort()).toEqual(s.expectedEnriched())
    const updates = await s.countUpdates()
    expect([...updates.keys()].sort()).toEqual([...s.expectedCounts().keys()].sort())
    for (const [customer, values] of updates) {
      const truth = s.expectedCounts().get(customer) ?? 0
      expect(values.at(-1), customer).toBeGreaterThanOrEqual(truth)
    }
    expect(await s.committedOrders()).toBe(BigInt(s.orders.length))
    await kill(second)
  }, restartWithinMs + 60_000)

  it('exactly_once_v2: a read_committed reader sees every result exactly once', async () => {
    const s = await shop('read_committed')
    const first = await startChild('exactly_once_v2')
    const producing = s.addOrders(400)
    await waitFor('some committed outputs and offsets', async () => (await s.enriched()).length > 0 && (await s.committedOrders()) > 0n, 20_000)
    await kill(first)
    expect(await s.committedOrders()).toBeLessThan(400n)
    await producing
    await s.addOrders(100)

    const second = await startChild('exactly_once_v2')
    await s.waitForEveryInput()
    expect(await s.committedOrders()).toBe(BigInt(s.orders.length))
    // Exactly once: one joined record per order and, per customer, counts that only rise (the record
    // cache writes the latest once per commit; an aborted transaction's counts never show) up to n.
    expect((await s.enriched()).sort()).toEqual(s.expectedEnriched())
    for (const [customer, values] of await s.countUpdates()) {
      for (let i = 1; i < values.length; i++) expect(values[i]!, `${customer}: ${values.join(',')}`).toBeGreaterThan(values[i - 1]!)
    }
    expect(await s.lastCounts()).toEqual(s.expectedCounts())
    await kill(second)
  }, restartWithinMs + 60_000)
})
