import diagnostics from 'node:diagnostics_channel'
import { connect, createServer, type Socket } from 'node:net'
import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { createKafkaClients, type KafkaClients } from '../../src/kafka/index.js'
import { KafkaStreams, type KafkaStreamsConfig, type ProcessingGuarantee } from '../../src/runtime/index.js'
import { Serdes, StreamsBuilder } from '../../src/index.js'
import { TcpProxy } from '../../soak/tcp-proxy.js'
import { buf, readPartitions, TempDirs, waitFor } from './fixtures.js'

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4']

/** Successful heartbeats of the members of `groupId`, as the client reports them on its diagnostics channel. */
function countHeartbeats(groupId: string) {
  const channel = diagnostics.tracingChannel('plt:kafka:consumer:heartbeat')
  const state = { succeeded: 0 }
  const handlers = {
    start: () => undefined,
    end: () => undefined,
    asyncStart: () => undefined,
    error: () => undefined,
    asyncEnd: (context: unknown) => {
      const { client, error } = context as { client?: { groupId?: string }; error?: unknown }
      if (client?.groupId === groupId && error === undefined) state.succeeded++
    },
  }
  channel.subscribe(handlers)
  return { state, stop: () => channel.unsubscribe(handlers) }
}

/**
 * A proxy that forwards every request but, while `swallowing` is set, the Heartbeat requests (API
 * key 12): they are never answered, as when a broker or a network path loses them. The broker
 * advertises it, so every connection goes through it.
 */
async function heartbeatSwallowingProxy(targetPort: () => number) {
  const sockets = new Set<Socket>()
  const state = { swallowing: false, swallowed: 0 }
  const server = createServer((client) => {
    const upstream = connect(targetPort(), '127.0.0.1')
    sockets.add(client).add(upstream)
    let pending = Buffer.alloc(0)
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      // A request is its size (int32), then its API key (int16), ...
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(0, 4 + pending.readInt32BE(0))
        pending = pending.subarray(frame.length)
        if (state.swallowing && frame.readInt16BE(4) === 12) state.swallowed++
        else upstream.write(frame)
      }
    })
    upstream.pipe(client)
    for (const s of [client, upstream]) s.on('error', () => undefined).on('close', () => (client.destroy(), upstream.destroy()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (server.address() as { port: number }).port,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A group member in a child process: joins the group (argv: bootstrap, group id), says so, and waits to be killed. */
const CRASHING_MEMBER = `
import { Consumer } from '@platformatic/kafka'
const [bootstrap, groupId] = process.argv.slice(1)
const consumer = new Consumer({ clientId: 'crashing', bootstrapBrokers: [bootstrap], groupId, sessionTimeout: 45000, rebalanceTimeout: 60000 })
consumer.topics.trackAll('pings')
await consumer.joinGroup({})
console.log('joined')
setInterval(() => {}, 1000)
`

/** Pings counted per key; every connection of the instance goes through a proxy the test cuts. */
function pingCounts() {
  const builder = new StreamsBuilder()
  builder
    .stream('pings', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .groupByKey()
    .count({ storeName: 'ping-counts-store' })
    .toStream()
    .to('ping-counts', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })
  return builder.build()
}

/**
 * An instance whose network went down for a few seconds. @platformatic/kafka 1.35 stops
 * heartbeating for good after a heartbeat fails that way; the group then drops the member a
 * session timeout later and, under exactly-once, every later commit is refused (UNKNOWN_MEMBER_ID)
 * while the instance stays RUNNING. Tributary rejoins when the client stopped heartbeating, and
 * rejoins when a transactional commit says the group dropped it.
 */
describe('an instance whose connections were cut', () => {
  const cleanup: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined)
  })

  async function start<P extends { port: number; close(): Promise<void> }>(
    applicationId: string,
    config: Partial<KafkaStreamsConfig>,
    proxyTo: (brokerPort: () => number) => Promise<P>,
  ) {
    const dirs = new TempDirs(`tributary-${applicationId}-`)
    cleanup.push(async () => dirs.removeAll())
    let brokerPort = 0
    const front = await proxyTo(() => brokerPort)
    cleanup.push(() => front.close())
    // The broker advertises the proxy: every connection of every client goes through it.
    const kafka = await EmbeddedKafka.start({ autoCreateTopics: false, advertisedListener: `127.0.0.1:${front.port}` })
    cleanup.push(() => kafka.close())
    brokerPort = Number(kafka.bootstrapServers.split(':').at(-1))
    const clients: KafkaClients = createKafkaClients({ bootstrapServers: [`127.0.0.1:${front.port}`], clientId: 'feeder', applicationId })
    const admin = clients.admin()
    await admin.createTopics([
      { name: 'pings', partitions: 2 },
      { name: 'ping-counts', partitions: 2 },
    ])
    await admin.close()
    const heartbeats = countHeartbeats(applicationId)
    cleanup.push(async () => heartbeats.stop())
    const app = new KafkaStreams(pingCounts(), { applicationId, bootstrapServers: [`127.0.0.1:${front.port}`], stateDir: dirs.make(), ...config })
    cleanup.push(() => app.close())
    const producer = clients.producer()
    cleanup.push(() => producer.close())
    let sent = 0
    /** Sends `n` pings over the keys in turn; a send the cut interrupted is tried again. */
    const feed = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const key = KEYS[sent % KEYS.length] as string
        for (;;) {
          try {
            await producer.send([{ topic: 'pings', key: buf(key), value: buf(String(sent)) }])
            break
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 200))
          }
        }
        sent++
      }
    }
    /** The latest count per key in `ping-counts`, as read_committed (or plain) readers see it. */
    const counts = async () => {
      const reader = clients.reader({ isolationLevel: config.processingGuarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted' })
      try {
        const latest = new Map<string, number>()
        for (const record of await readPartitions(reader, 'ping-counts', 2)) latest.set(record.key?.toString() ?? '', JSON.parse(record.value?.toString() ?? 'null') as number)
        return latest
      } finally {
        await reader.close()
      }
    }
    const expected = (key: string) => Math.ceil((sent - KEYS.indexOf(key)) / KEYS.length)
    /**
     * Exactly-once: what read_committed readers see, written every 100 ms commit. At-least-once, whose
     * record cache writes counts out at the commit every 30 s by default: the store, read through it.
     */
    const everyPingCounted = async () => {
      if (config.processingGuarantee === 'exactly_once_v2') {
        const latest = await counts()
        return KEYS.every((key) => latest.get(key) === expected(key))
      }
      for (const key of KEYS) if ((await app.store<string, number>('ping-counts-store').get(key)) !== expected(key)) return false
      return true
    }
    return { app, proxy: front, heartbeats: heartbeats.state, feed, everyPingCounted, counts, sent: () => sent, bootstrap: `127.0.0.1:${front.port}` }
  }

  describe.each<ProcessingGuarantee>(['at_least_once', 'exactly_once_v2'])('(%s, default timeouts)', (processingGuarantee) => {
    it('heartbeats again once the network is back, and counts every ping', { timeout: 60_000 }, async () => {
      const env = await start(`cut-${processingGuarantee}`, { processingGuarantee }, (port) => TcpProxy.start(port))
      await env.app.start()
      await env.feed(50)
      await waitFor('the first pings counted', env.everyPingCounted, 20_000)
      await waitFor('a heartbeat before the cut', () => env.heartbeats.succeeded > 0, 10_000)

      // Down for longer than a heartbeat interval (3 s), so that a heartbeat fails.
      env.proxy.cutFor(4_000)
      await new Promise((resolve) => setTimeout(resolve, 4_000))
      const atReconnect = env.heartbeats.succeeded
      await env.feed(50)
      // The unpatched client never sends another heartbeat; its session would expire 45 s later.
      await waitFor('two heartbeats after the network came back', () => env.heartbeats.succeeded >= atReconnect + 2, 15_000)
      await waitFor('every ping counted', env.everyPingCounted, 20_000)
      expect(env.app.state()).toBe('RUNNING')
    })
  })

  it('exactly_once_v2: keeps committing after its session would have expired', { timeout: 90_000 }, async () => {
    // The session is the broker's minimum (6 s) so that the test outlives it by far in seconds; the
    // test above shows the heartbeats coming back with the default 45 s session.
    const env = await start('cut-session', { processingGuarantee: 'exactly_once_v2', sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 }, (port) => TcpProxy.start(port))
    await env.app.start()
    await env.feed(50)
    await waitFor('the first pings counted', env.everyPingCounted, 20_000)
    env.proxy.cutFor(2_000)
    // Three session timeouts after the cut, with pings arriving all along.
    for (let i = 0; i < 18; i++) {
      await env.feed(10)
      await new Promise((resolve) => setTimeout(resolve, 1_000))
    }
    await waitFor('every ping counted', env.everyPingCounted, 20_000)
    expect(env.app.state()).toBe('RUNNING')
  })

  it('exactly_once_v2: rejoins when the group dropped it for lost heartbeats, with default timeouts', { timeout: 120_000 }, async () => {
    const env = await start('lost-heartbeats', { processingGuarantee: 'exactly_once_v2' }, heartbeatSwallowingProxy)
    await env.app.start()
    await env.feed(50)
    await waitFor('the first pings counted', env.everyPingCounted, 20_000)
    // The client waits for an answer to its heartbeat until its request timeout (65 s), while the
    // group drops the member after its 45 s session: its transactional offset commits are refused
    // (UNKNOWN_MEMBER_ID) from then on, until it joins again.
    env.proxy.state.swallowing = true
    const swallowedFrom = Date.now()
    const feeding = (async () => {
      while (Date.now() - swallowedFrom < 60_000) {
        await env.feed(5)
        await new Promise((resolve) => setTimeout(resolve, 1_000))
      }
    })()
    await new Promise((resolve) => setTimeout(resolve, 50_000))
    const sentBy50s = env.sent()
    // Still swallowing: only a rejoin on the refused commit counts these before the 65 s timeout.
    await waitFor('the pings of the first 50 s counted', async () => {
      const latest = await env.counts()
      return KEYS.every((key) => (latest.get(key) ?? 0) >= Math.ceil((sentBy50s - KEYS.indexOf(key)) / KEYS.length))
    }, 8_000)
    expect(Date.now() - swallowedFrom).toBeLessThan(60_000)
    expect(env.proxy.state.swallowed).toBeGreaterThan(0)
    await feeding
    env.proxy.state.swallowing = false
    await waitFor('every ping counted', env.everyPingCounted, 20_000)
    expect(env.app.state()).toBe('RUNNING')
  })

  it('starts, with default timeouts, when the network drops during the join that waits out a crashed member', { timeout: 120_000 }, async () => {
    const env = await start('join-after-crash', {}, (port) => TcpProxy.start(port))
    const warnings: string[] = []
    env.app.on('warning', (warning: { code: string; message: string }) => { warnings.push(warning.code); console.log('WARN', Date.now(), warning.message) })
    // A member that joined and was SIGKILLed: the group knows it until its session expires.
    const crashed = spawn(process.execPath, ['--input-type=module', '-e', CRASHING_MEMBER, env.bootstrap, 'join-after-crash'], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      crashed.stdout.on('data', (chunk: Buffer) => (chunk.toString().includes('joined') ? resolve() : undefined))
      crashed.on('exit', (code) => reject(new Error(`the crashing member exited with ${code} before joining`)))
    })
    crashed.kill('SIGKILL')
    await env.feed(25)

    const startedAt = Date.now(); console.log('START', startedAt)
    const starting = env.app.start()
    // The broker holds the join until the crashed member's session expires (45 s); the network
    // goes down in the middle of it, so the held JoinGroup fails and is sent again.
    await new Promise((resolve) => setTimeout(resolve, 10_000))
    env.proxy.cutFor(3_000); console.log('CUT', Date.now())
    await starting
    const startMs = Date.now() - startedAt
    expect(env.app.state()).toBe('RUNNING')
    expect(warnings).toContain('GROUP_JOIN_RETRY')
    // The join sent again carries the member id of the first: the group does not wait out the
    // abandoned one as a second dead member.
    expect(startMs).toBeLessThan(45_000 + 10_000)
    await env.feed(25)
    await waitFor('every ping counted', env.everyPingCounted, 20_000)
  })
})
