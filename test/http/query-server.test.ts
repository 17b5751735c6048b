import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import { JoinWindows, SessionWindows, StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import { createQueryHandler, KeyParsers, startQueryServer, type QueryServer } from '../../src/http/index.js'
import { KafkaStreams } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import { buf, startStreams, type StreamsFixture, testBrokerKind, waitFor } from '../e2e/fixtures.js'

const APP = 'shop-query-server'
const MINUTE = 60_000
const CUSTOMERS = Array.from({ length: 10 }, (_, i) => `c-${i}`)

/**
 * Orders counted and summed per customer, per minute and per session; receipts (bytes) and drivers
 * (int32 keys) as tables, riders as a global table, and a stream-stream join whose buffers are
 * operator bookkeeping the server does not serve.
 */
function shopTopology() {
  const b = new StreamsBuilder()
  const json = { keySerde: Serdes.string(), valueSerde: Serdes.json<{ amount: number }>() }
  const orders = b.stream<string, { amount: number }>('orders', json)
  const grouped = orders.groupByKey()
  grouped.count({ storeName: 'order-counts' })
  grouped.aggregate(() => 0n, (_k, order, total) => total + BigInt(order.amount), { storeName: 'order-totals', valueSerde: Serdes.int64() })
  grouped.windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 1_000 * MINUTE)).count({ storeName: 'orders-per-minute' })
  grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(MINUTE, 1_000 * MINUTE)).count({ storeName: 'order-sessions' })
  b.table<string, Buffer>('receipts', { keySerde: Serdes.string(), valueSerde: Serdes.bytes(), storeName: 'receipts' })
  b.table<number, { name: string }>('drivers', { keySerde: Serdes.int32(), valueSerde: Serdes.json<{ name: string }>(), storeName: 'drivers' })
  b.globalTable<string, { name: string }>('riders', { keySerde: Serdes.string(), valueSerde: Serdes.json<{ name: string }>(), storeName: 'riders' })
  orders
    .join(b.stream<string, { amount: number }>('returns', json), (o, r) => o.amount - r.amount, JoinWindows.ofTimeDifferenceAndGrace(MINUTE, MINUTE))
    .to('net', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })
  return b.build()
}

const SERVED_STORES = [
  { name: 'drivers', kind: 'key-value', global: false, applicationId: APP },
  { name: 'order-counts', kind: 'key-value', global: false, applicationId: APP },
  { name: 'order-sessions', kind: 'session', global: false, applicationId: APP },
  { name: 'order-totals', kind: 'key-value', global: false, applicationId: APP },
  { name: 'orders-per-minute', kind: 'window', global: false, applicationId: APP },
  { name: 'receipts', kind: 'key-value', global: false, applicationId: APP },
  { name: 'riders', kind: 'key-value', global: true, applicationId: APP },
]

interface Answer {
  status: number
  headers: Headers
  body: unknown
}

async function get(url: string, init?: RequestInit): Promise<Answer> {
  const response = await fetch(url, init)
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text }
}

const errorCode = (answer: Answer) => (answer.body as { error: { code: string; message: string } }).error.code
const errorMessage = (answer: Answer) => (answer.body as { error: { code: string; message: string } }).error.message

describe('query server of an app that has not started', () => {
  // Nothing here reaches a broker: a KafkaStreams connects only in start().
  const newApp = (applicationId = APP) => new KafkaStreams(shopTopology(), { applicationId, bootstrapServers: ['127.0.0.1:1'] })
  let server: QueryServer
  const metrics = { contentType: 'text/plain; version=0.0.4', render: async () => 'tributary_up 1\n' }

  beforeAll(async () => {
    server = await startQueryServer(newApp(), { keySerdes: { drivers: KeyParsers.number() }, metrics })
  })
  afterAll(() => server.close())

  it('answers /health with 503 and the state, and reads with a retriable 503', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    const health = await get(`${server.url}/health`)
    expect(health.status).toBe(503)
    expect(health.body).toEqual({ state: 'CREATED' })
    const read = await get(`${server.url}/stores/order-counts/keys/c-1`)
    expect(read.status).toBe(503)
    expect(read.headers.get('retry-after')).toBe('1')
    expect(errorCode(read)).toBe('TRIBUTARY_STATE')
    expect(errorMessage(read)).toMatch(/Retry once the instance is RUNNING/)
  })

  it('lists the stores with their kinds, without the buffers of the join', async () => {
    const stores = await get(`${server.url}/stores`)
    expect(stores.status).toBe(200)
    expect(stores.body).toEqual(SERVED_STORES)
  })

  it('answers 404 for an unknown store, naming the stores it serves', async () => {
    for (const path of ['/stores/nope/keys/a', '/stores/nope', '/stores/nope/keys/a/windows']) {
      const answer = await get(`${server.url}${path}`)
      expect(answer.status).toBe(404)
      expect(errorCode(answer)).toBe('STORE_NOT_FOUND')
      expect(errorMessage(answer)).toContain('drivers, order-counts, order-sessions, order-totals, orders-per-minute, receipts, riders')
    }
    // A join buffer exists in the topology but is not served.
    const buffers = (await get(`${server.url}/stores`)).body as { name: string }[]
    expect(buffers.some((s) => s.name.includes('JOIN'))).toBe(false)
  })

  it('answers 400 for a key or window query on a store of the other kind, naming the endpoint to use', async () => {
    const windowOnKeyValue = await get(`${server.url}/stores/order-counts/keys/c-1/windows`)
    expect(windowOnKeyValue.status).toBe(400)
    expect(errorCode(windowOnKeyValue)).toBe('WRONG_STORE_KIND')
    expect(errorMessage(windowOnKeyValue)).toContain('GET /stores/order-counts/keys/c-1.')
    const keyOnWindow = await get(`${server.url}/stores/orders-per-minute/keys/c-1`)
    expect(keyOnWindow.status).toBe(400)
    expect(errorMessage(keyOnWindow)).toContain('GET /stores/orders-per-minute/keys/c-1/windows?from=')
    const keyOnSession = await get(`${server.url}/stores/order-sessions/keys/c-1`)
    expect(keyOnSession.status).toBe(400)
  })

  it('answers 400 for malformed parameters, keys and paths', async () => {
    const bad: [string, string, RegExp][] = [
      ['/stores/order-counts?limit=0', 'BAD_PARAMETER', /limit must be a whole number from 1 to 10000/],
      ['/stores/order-counts?limit=10001', 'BAD_PARAMETER', /limit/],
      ['/stores/order-counts?limit=ten', 'BAD_PARAMETER', /got "ten"/],
      ['/stores/order-counts?cursor=not-a-cursor', 'BAD_CURSOR', /pass the "next" value of the previous page unchanged/],
      ['/stores/order-counts?cursor=%2B%2B', 'BAD_CURSOR', /cursor/],
      ['/stores/order-counts?from=m&to=a', 'BAD_PARAMETER', /comes after to/],
      ['/stores/order-counts?scope=everywhere', 'BAD_PARAMETER', /scope must be "local"/],
      ['/stores/orders-per-minute/keys/c-1/windows?from=yesterday', 'BAD_PARAMETER', /from must be a time in epoch milliseconds/],
      ['/stores/orders-per-minute/keys/c-1/windows?from=10&to=5', 'BAD_PARAMETER', /from \(10\) is after to \(5\)/],
      ['/stores/drivers/keys/seven', 'BAD_KEY', /"seven" is not a number/],
      ['/stores/drivers?from=x', 'BAD_KEY', /from key "x"/],
      ['/stores/order-counts/keys/%E0%A4%A', 'BAD_PATH', /percent-encoding/],
    ]
    for (const [path, code, message] of bad) {
      const answer = await get(`${server.url}${path}`)
      expect(answer.status, path).toBe(400)
      expect(errorCode(answer), path).toBe(code)
      expect(errorMessage(answer), path).toMatch(message)
    }
    // A window store's cursor is not a key-value store's.
    const windowCursor = Buffer.from('w6162.0.60000').toString('base64url')
    expect((await get(`${server.url}/stores/order-counts?cursor=${windowCursor}`)).status).toBe(400)
  })

  it('answers JSON 404s for unknown routes under its prefixes and 405 with Allow for other methods', async () => {
    for (const path of ['/stores/order-counts/values', '/stores/order-counts/keys/a/b', '/health/deep', '/metrics/x', '/stores/', '/elsewhere']) {
      const answer = await get(`${server.url}${path}`)
      expect(answer.status, path).toBe(404)
      expect(errorCode(answer), path).toBe('NOT_FOUND')
    }
    const post = await get(`${server.url}/stores/order-counts/keys/a`, { method: 'POST', body: '{}' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
    expect(errorCode(post)).toBe('METHOD_NOT_ALLOWED')
    expect((await get(`${server.url}/health`, { method: 'DELETE' })).status).toBe(405)
    const head = await get(`${server.url}/stores`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.body).toBeUndefined()
  })

  it('serves the metrics it was given, and a JSON 404 without them', async () => {
    const answer = await get(`${server.url}/metrics`)
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4')
    expect(answer.body).toBe('tributary_up 1\n')
    const bare = await startQueryServer(newApp())
    try {
      const missing = await get(`${bare.url}/metrics`)
      expect(missing.status).toBe(404)
      expect(errorCode(missing)).toBe('NO_METRICS')
    } finally {
      await bare.close()
    }
  })

  it('as a handler, leaves paths outside its routes to the caller', async () => {
    const handle = createQueryHandler(newApp())
    const own: Server = createServer((req, res) => {
      void handle(req, res).then((answered) => {
        if (!answered) res.writeHead(200, { 'content-type': 'text/plain' }).end('mine')
      })
    })
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(own.address() as AddressInfo).port}`
    try {
      expect((await get(`${url}/`)).body).toBe('mine')
      expect((await get(`${url}/storesfront`)).body).toBe('mine')
      expect((await get(`${url}/stores`)).body).toEqual(SERVED_STORES)
      // Without a key parser, a store's keys are strings: the int32 serde refuses one, and that is the client's error.
      const refused = await get(`${url}/stores/drivers/keys/7`)
      expect(refused.status).toBe(400)
      expect(errorCode(refused)).toBe('BAD_KEY')
      expect(errorMessage(refused)).toMatch(/cannot be serialized with the key serde of store "drivers".*keySerdes/)
    } finally {
      await new Promise((resolve) => own.close(resolve))
    }
  })

  it('serves several apps: the worst state in /health, each store by name; refuses duplicate store names and unknown key parsers', async () => {
    const other = new StreamsBuilder()
    other.stream<string, string>('pings', { keySerde: Serdes.string(), valueSerde: Serdes.string() }).groupByKey().count({ storeName: 'ping-counts' })
    const pings = new KafkaStreams(other.build(), { applicationId: 'pings', bootstrapServers: ['127.0.0.1:1'] })
    const shop = newApp()
    await shop.close()
    const both = await startQueryServer([shop, pings])
    try {
      const health = await get(`${both.url}/health`)
      expect(health.status).toBe(503)
      expect(health.body).toEqual({ state: 'NOT_RUNNING', applications: [{ applicationId: APP, state: 'NOT_RUNNING' }, { applicationId: 'pings', state: 'CREATED' }] })
      const names = ((await get(`${both.url}/stores`)).body as { name: string; applicationId: string }[]).map((s) => `${s.applicationId}/${s.name}`)
      expect(names).toContain('pings/ping-counts')
      expect(names).toContain(`${APP}/order-counts`)
      // The closed app's stores cannot be read again: a 503 without Retry-After.
      const closed = await get(`${both.url}/stores/order-counts/keys/c-1`)
      expect(closed.status).toBe(503)
      expect(closed.headers.get('retry-after')).toBeNull()
    } finally {
      await both.close()
    }
    await expect(startQueryServer([newApp(), newApp('shop-copy')])).rejects.toThrow(ConfigError)
    await expect(startQueryServer([newApp(), newApp('shop-copy')])).rejects.toThrow(/"order-counts" is in application "shop-query-server" and in application "shop-copy"/)
    expect(() => createQueryHandler(newApp(), { keySerdes: { 'order-count': KeyParsers.number() } })).toThrow(/keySerdes names store\(s\) "order-count"/)
    expect(() => createQueryHandler([])).toThrow(ConfigError)
  })

  it('listens on the port of the applicationServer by default, and stops answering once closed', async () => {
    const probe = await startQueryServer(newApp())
    const port = probe.port
    await probe.close()
    const app = new KafkaStreams(shopTopology(), { applicationId: APP, bootstrapServers: ['127.0.0.1:1'], applicationServer: `127.0.0.1:${port}` })
    const advertised = await startQueryServer(app)
    expect(advertised.port).toBe(port)
    await advertised.close()
    await advertised.close()
    await expect(fetch(`${advertised.url}/health`)).rejects.toThrow()
  })
})

describe(`query server of a running app on the ${testBrokerKind()} broker`, () => {
  let env: StreamsFixture
  let server: QueryServer
  const expected = new Map<string, number>()

  beforeAll(async () => {
    env = await startStreams(APP)
    const admin = env.kafka.track(env.kafka.clients.admin())
    await admin.createTopics(['orders', 'returns', 'receipts', 'drivers', 'riders', 'net'].map((name) => ({ name, partitions: 3 })))
    const app = env.newApp(shopTopology())
    server = await startQueryServer(app, { keySerdes: { drivers: KeyParsers.number() } })
    await app.start()
    const producer = env.kafka.track(env.kafka.clients.producer())
    // Customer i orders (i % 3) + 1 times, amounts 1, 2, 3, a second apart in minute i.
    const records = []
    for (const [i, customer] of CUSTOMERS.entries()) {
      const n = (i % 3) + 1
      expected.set(customer, n)
      for (let j = 1; j <= n; j++) records.push({ topic: 'orders', key: buf(customer), value: buf(JSON.stringify({ amount: j })), timestamp: i * MINUTE + j * 1_000 })
    }
    const int32 = Buffer.alloc(4)
    int32.writeInt32BE(7)
    records.push({ topic: 'receipts', key: buf('r-1'), value: Buffer.from([0, 1, 2, 250]), timestamp: 1 })
    records.push({ topic: 'drivers', key: int32, value: buf('{"name":"Lena"}'), timestamp: 1 })
    records.push({ topic: 'riders', key: buf('rider-1'), value: buf('{"name":"Ann"}'), timestamp: 1 })
    await producer.send(records)
    await waitFor(
      'every order counted, the tables read',
      async () => {
        const page = await get(`${server.url}/stores/order-counts`)
        const counted = page.status === 200 && (page.body as { items: { key: string; value: number }[] }).items.every((i) => i.value === expected.get(i.key))
        const tables = await Promise.all(['/stores/receipts/keys/r-1', '/stores/drivers/keys/7', '/stores/riders/keys/rider-1'].map((p) => get(`${server.url}${p}`)))
        return counted && (page.body as { items: unknown[] }).items.length === CUSTOMERS.length && tables.every((t) => t.status === 200)
      },
      30_000,
    )
  })
  afterAll(async () => {
    await server?.close()
    await env?.close()
  })

  it('answers /health with 200 when running', async () => {
    const health = await get(`${server.url}/health`)
    expect(health.status).toBe(200)
    expect(health.body).toEqual({ state: 'RUNNING' })
  })

  it('answers a key with its value, a missing key with 404, and says which instance answered', async () => {
    for (const [key, n] of expected) {
      const answer = await get(`${server.url}/stores/order-counts/keys/${encodeURIComponent(key)}`)
      expect(answer.status).toBe(200)
      expect(answer.body).toEqual({ key, value: n })
      // No applicationServer: the server's own address names the instance.
      expect(answer.headers.get('x-tributary-served-by')).toBe(`127.0.0.1:${server.port}`)
    }
    const missing = await get(`${server.url}/stores/order-counts/keys/nobody`)
    expect(missing.status).toBe(404)
    expect(errorCode(missing)).toBe('KEY_NOT_FOUND')
    expect(missing.headers.get('x-tributary-served-by')).toBe(`127.0.0.1:${server.port}`)
  })

  it('encodes bytes as base64 and bigints as strings, and parses keys with the key parser of the store', async () => {
    expect((await get(`${server.url}/stores/receipts/keys/r-1`)).body).toEqual({ key: 'r-1', value: Buffer.from([0, 1, 2, 250]).toString('base64') })
    expect((await get(`${server.url}/stores/order-totals/keys/c-2`)).body).toEqual({ key: 'c-2', value: '6' })
    expect((await get(`${server.url}/stores/drivers/keys/7`)).body).toEqual({ key: 7, value: { name: 'Lena' } })
    expect((await get(`${server.url}/stores/riders/keys/rider-1`)).body).toEqual({ key: 'rider-1', value: { name: 'Ann' } })
  })

  it("answers a key's windows and sessions, limited by from and to", async () => {
    const windows = await get(`${server.url}/stores/orders-per-minute/keys/c-2/windows`)
    expect(windows.status).toBe(200)
    expect(windows.body).toEqual([{ start: 2 * MINUTE, end: 3 * MINUTE, value: 3 }])
    expect((await get(`${server.url}/stores/orders-per-minute/keys/c-2/windows?from=0&to=${MINUTE}`)).body).toEqual([])
    expect((await get(`${server.url}/stores/orders-per-minute/keys/nobody/windows`)).body).toEqual([])
    const sessions = await get(`${server.url}/stores/order-sessions/keys/c-2/windows?from=${2 * MINUTE}`)
    expect(sessions.body).toEqual([{ start: 2 * MINUTE + 1_000, end: 2 * MINUTE + 3_000, value: 3 }])
    expect((await get(`${server.url}/stores/order-sessions/keys/c-2/windows?to=${MINUTE}`)).body).toEqual([])
  })

  it('pages through a key-value store in key order with a cursor, within from and to', async () => {
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const answer = await get(`${server.url}/stores/order-counts?limit=4${cursor === undefined ? '' : `&cursor=${cursor}`}`)
      expect(answer.status).toBe(200)
      const body = answer.body as { items: { key: string; value: number }[]; next?: string }
      for (const item of body.items) {
        expect(item.value).toBe(expected.get(item.key))
        seen.push(item.key)
      }
      cursor = body.next
      pages++
    } while (cursor !== undefined)
    expect(pages).toBe(3)
    expect(seen).toEqual([...CUSTOMERS].sort())
    const ranged = (await get(`${server.url}/stores/order-counts?from=c-2&to=c-5`)).body as { items: { key: string }[]; next?: string }
    expect(ranged.items.map((i) => i.key)).toEqual(['c-2', 'c-3', 'c-4', 'c-5'])
    expect(ranged.next).toBeUndefined()
    const fromOnly = (await get(`${server.url}/stores/order-counts?from=c-8`)).body as { items: { key: string }[] }
    expect(fromOnly.items.map((i) => i.key)).toEqual(['c-8', 'c-9'])
    const toOnly = (await get(`${server.url}/stores/order-counts?to=c-1&scope=local`)).body as { items: { key: string }[] }
    expect(toOnly.items.map((i) => i.key)).toEqual(['c-0', 'c-1'])
  })

  it('pages through the windows of a window store and the sessions of a session store', async () => {
    const windows: { key: string; start: number; end: number; value: number }[] = []
    let cursor: string | undefined
    do {
      const body = (await get(`${server.url}/stores/orders-per-minute?limit=3${cursor === undefined ? '' : `&cursor=${cursor}`}`)).body as { items: typeof windows; next?: string }
      windows.push(...body.items)
      cursor = body.next
    } while (cursor !== undefined)
    expect(windows).toEqual([...CUSTOMERS].sort().map((key) => {
      const i = CUSTOMERS.indexOf(key)
      return { key, start: i * MINUTE, end: (i + 1) * MINUTE, value: expected.get(key) }
    }))
    const sessions = (await get(`${server.url}/stores/order-sessions?from=c-1&to=c-1`)).body as { items: unknown[] }
    expect(sessions.items).toEqual([{ key: 'c-1', start: MINUTE + 1_000, end: MINUTE + 2_000, value: 2 }])
  })
})
