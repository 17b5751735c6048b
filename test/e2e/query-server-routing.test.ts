import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import { createQueryHandler } from '../../src/http/index.js'
import type { KafkaStreams } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import { buf, startStreams, type StreamsFixture, testBrokerKind, waitFor } from './fixtures.js'

const APP = 'shop-query-routing'
const PARTITIONS = 6
const MINUTE = 60_000
const CUSTOMERS = Array.from({ length: 40 }, (_, i) => `customer-${String(i).padStart(2, '0')}`)

function ordersTopology() {
  const b = new StreamsBuilder()
  const grouped = b.stream<string, { amount: number }>('orders', { keySerde: Serdes.string(), valueSerde: Serdes.json<{ amount: number }>() }).groupByKey()
  grouped.count({ storeName: 'order-counts' })
  // A long grace keeps every window of the test in the store (retention is size + grace).
  grouped.windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 1_000 * MINUTE)).count({ storeName: 'orders-per-minute' })
  return b.build()
}

/** One instance: its HTTP server listens first (on a free port), then the app advertises that address. */
interface Instance {
  readonly app: KafkaStreams
  readonly server: Server
  readonly address: string
  readonly url: string
}

interface Answer {
  status: number
  servedBy: string | null
  retryAfter: string | null
  body: unknown
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { headers })
  return { status: response.status, servedBy: response.headers.get('x-tributary-served-by'), retryAfter: response.headers.get('retry-after'), body: await response.json() }
}

const errorCode = (answer: Answer) => (answer.body as { error: { code: string } }).error.code

/** Every page of a range, following `next`. */
async function allPages(url: string): Promise<{ items: unknown[]; pages: number; servedBy: Set<string> }> {
  const items: unknown[] = []
  const servedBy = new Set<string>()
  let pages = 0
  let cursor: string | undefined
  do {
    const answer = await get(`${url}${cursor === undefined ? '' : `&cursor=${cursor}`}`)
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    const body = answer.body as { items: unknown[]; next?: string }
    items.push(...body.items)
    for (const s of answer.servedBy?.split(', ') ?? []) servedBy.add(s)
    cursor = body.next
    pages++
  } while (cursor !== undefined)
  return { items, pages, servedBy }
}

describe(`query server routing between two instances on the ${testBrokerKind()} broker`, () => {
  let env: StreamsFixture
  const servers: Server[] = []

  beforeEach(async () => {
    env = await startStreams(APP)
    await env.kafka.track(env.kafka.clients.admin()).createTopics([{ name: 'orders', partitions: PARTITIONS }])
  })

  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
    await env.close()
  })

  async function startInstance(): Promise<Instance> {
    const server = createServer()
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`
    const app = env.newApp(ordersTopology(), { stateDir: env.newStateDir(), applicationServer: address })
    const handle = createQueryHandler(app)
    server.on('request', (req, res) => {
      void handle(req, res).then((answered) => {
        if (!answered) res.writeHead(404).end()
      })
    })
    return { app, server, address, url: `http://${address}` }
  }

  it('answers every key on either instance, forwarding to the owner, and gathers ranges from both', async () => {
    const a = await startInstance()
    const b = await startInstance()
    await a.app.start()
    await b.app.start()
    // Default group timeouts: the second instance joins a running group, which the first notices at its next heartbeat.
    await waitFor(
      'both instances running their share of the assignment',
      async () => {
        for (const { url } of [a, b]) if ((await get(`${url}/health`)).status !== 200) return false
        const all = await a.app.allMetadata().catch(() => [])
        return all.length === 2 && all.every((m) => m.partitions.length === PARTITIONS / 2)
      },
      30_000,
    )

    const producer = env.kafka.track(env.kafka.clients.producer())
    const expected = new Map<string, number>()
    const records = []
    for (const [i, customer] of CUSTOMERS.entries()) {
      const n = (i % 3) + 1
      expected.set(customer, n)
      for (let j = 1; j <= n; j++) records.push({ topic: 'orders', key: buf(customer), value: buf(JSON.stringify({ amount: j })), timestamp: i * MINUTE + j * 1_000 })
    }
    await producer.send(records)
    await waitFor(
      'every order counted, as instance a answers',
      async () => {
        for (const [key, n] of expected) {
          const answer = await get(`${a.url}/stores/order-counts/keys/${key}`)
          if (answer.status !== 200 || (answer.body as { value: number }).value !== n) return false
        }
        return true
      },
      30_000,
    )

    // Either instance answers every key; the owner the group's metadata names is the one that read it.
    const proxied = new Map([
      [a.address, 0],
      [b.address, 0],
    ])
    for (const [key, n] of expected) {
      const { host, port } = await a.app.metadataForKey('order-counts', key)
      const owner = `${host}:${port}`
      const ownerApp = owner === a.address ? a.app : b.app
      const otherApp = owner === a.address ? b.app : a.app
      // Only the owner holds the key: answering it elsewhere needs the forward.
      expect(await ownerApp.store<string, number>('order-counts').get(key)).toBe(n)
      expect(await otherApp.store<string, number>('order-counts').get(key)).toBeUndefined()
      for (const instance of [a, b]) {
        const answer = await get(`${instance.url}/stores/order-counts/keys/${key}`)
        expect(answer.status).toBe(200)
        expect(answer.body).toEqual({ key, value: n })
        expect(answer.servedBy).toBe(owner)
        if (owner !== instance.address) proxied.set(instance.address, (proxied.get(instance.address) ?? 0) + 1)

        const i = CUSTOMERS.indexOf(key)
        const windows = await get(`${instance.url}/stores/orders-per-minute/keys/${key}/windows?from=0`)
        expect(windows.status).toBe(200)
        expect(windows.body).toEqual([{ start: i * MINUTE, end: (i + 1) * MINUTE, value: n }])
        expect(windows.servedBy).toBe(owner)
      }
    }
    // Each key was forwarded by exactly one of the two instances, and each instance forwarded some.
    expect((proxied.get(a.address) ?? 0) + (proxied.get(b.address) ?? 0)).toBe(CUSTOMERS.length)
    expect(proxied.get(a.address)).toBeGreaterThan(CUSTOMERS.length / 6)
    expect(proxied.get(b.address)).toBeGreaterThan(CUSTOMERS.length / 6)

    // A forwarded request is answered where it lands: a key held elsewhere is not forwarded again.
    const elsewhere = CUSTOMERS[0] as string
    const ownerOfFirst = await a.app.metadataForKey('order-counts', elsewhere)
    const notOwner = `${ownerOfFirst.host}:${ownerOfFirst.port}` === a.address ? b : a
    const loop = await get(`${notOwner.url}/stores/order-counts/keys/${elsewhere}`, { 'x-tributary-forwarded': '1' })
    expect(loop.status).toBe(503)
    expect(errorCode(loop)).toBe('KEY_MOVED')
    expect(loop.retryAfter).toBe('1')

    // A range is gathered from both instances, in key order, page by page.
    for (const instance of [a, b]) {
      const counts = await allPages(`${instance.url}/stores/order-counts?limit=7`)
      expect(counts.items).toEqual([...CUSTOMERS].sort().map((key) => ({ key, value: expected.get(key) })))
      expect(counts.pages).toBe(Math.ceil(CUSTOMERS.length / 7))
      expect([...counts.servedBy].sort()).toEqual([a.address, b.address].sort())
      const windows = await allPages(`${instance.url}/stores/orders-per-minute?limit=15`)
      expect(windows.items).toEqual([...CUSTOMERS].sort().map((key) => {
        const i = CUSTOMERS.indexOf(key)
        return { key, start: i * MINUTE, end: (i + 1) * MINUTE, value: expected.get(key) }
      }))
    }
    const between = await get(`${b.url}/stores/order-counts?from=customer-10&to=customer-19&limit=100`)
    expect((between.body as { items: { key: string }[] }).items.map((i) => i.key)).toEqual(CUSTOMERS.slice(10, 20))
    // scope=local: each instance's own keys, which together are every key once.
    const local = await Promise.all([a, b].map(async (instance) => (await allPages(`${instance.url}/stores/order-counts?scope=local&limit=10000`)).items))
    expect(local[0]?.length).toBe(proxied.get(b.address))
    expect([...(local[0] ?? []), ...(local[1] ?? [])].map((i) => (i as { key: string }).key).sort()).toEqual([...CUSTOMERS].sort())

    // An instance whose query server is gone: asking it for a key is a retriable 503, and so is a range that needs it.
    const bKey = CUSTOMERS.find((key) => expected.has(key) && local[1]?.some((i) => (i as { key: string }).key === key)) as string
    b.server.closeAllConnections()
    await new Promise((resolve) => b.server.close(resolve))
    const unreachable = await get(`${a.url}/stores/order-counts/keys/${bKey}`)
    expect(unreachable.status).toBe(503)
    expect(errorCode(unreachable)).toBe('PEER_UNREACHABLE')
    expect(unreachable.retryAfter).toBe('1')
    const partial = await get(`${a.url}/stores/order-counts`)
    expect(partial.status).toBe(503)
    expect(partial.retryAfter).toBe('1')
  }, 120_000)
})
