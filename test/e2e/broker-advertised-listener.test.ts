import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Producer, stringSerializers } from '@platformatic/kafka'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { ApiKey } from '../../src/broker/protocol/api-keys.js'
import { brokerCommand } from '../../src/cli/commands/broker.js'
import { haveKcat, KCAT, KcatProcess } from '../broker/fixtures/kcat.js'
import { RawClient } from '../broker/fixtures/raw-client.js'
import { waitFor } from '../broker/fixtures/wait-for.js'

if (!haveKcat) console.warn(`advertised listener tests skipped: ${KCAT} is not installed (apt-get install kcat)`)

/** A TCP proxy on 127.0.0.1 that forwards every connection to `target` and can be cut and restored. */
class TcpProxy {
  port = 0
  target = 0
  connections = 0
  bytesToBroker = 0
  bytesToClients = 0
  private server: Server | null = null
  private readonly sockets = new Set<Socket>()

  async listen(): Promise<void> {
    const server = createServer((client) => {
      this.connections++
      const upstream = connect(this.target, '127.0.0.1')
      for (const socket of [client, upstream]) {
        this.sockets.add(socket)
        socket.on('close', () => this.sockets.delete(socket))
        // Either end going away takes the other with it, as through a real proxy.
        socket.on('error', () => undefined)
        socket.on('close', () => (socket === client ? upstream : client).destroy())
      }
      client.on('data', (d: Buffer) => (this.bytesToBroker += d.length))
      upstream.on('data', (d: Buffer) => (this.bytesToClients += d.length))
      client.pipe(upstream)
      upstream.pipe(client)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  /** Stops accepting and resets every proxied connection, as a network cut would. */
  async cut(): Promise<void> {
    const server = this.server
    this.server = null
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())))
  }

  /** Listens again on the same port. */
  restore(): Promise<void> {
    return this.listen()
  }
}

async function brokerAddressIn(raw: RawClient): Promise<{ metadata: unknown; findCoordinator: unknown[] }> {
  const metadata = await raw.request(ApiKey.Metadata, 9, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
  const v3 = await raw.request(ApiKey.FindCoordinator, 3, { key: 'fares', keyType: 0 })
  const v4 = await raw.request(ApiKey.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['fares-tx'] })
  const v4Coordinator = (v4.coordinators as Array<{ host: string; port: number }>)[0]!
  return {
    metadata: (metadata.brokers as Array<{ host: string; port: number }>).map((b) => `${b.host}:${b.port}`),
    findCoordinator: [`${v3.host as string}:${v3.port as number}`, `${v4Coordinator.host}:${v4Coordinator.port}`],
  }
}

describe('advertised listener', () => {
  const closers: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
  })

  it.skipIf(!haveKcat)('sends every client connection through a TCP proxy the broker advertises', async () => {
    const proxy = new TcpProxy()
    await proxy.listen()
    closers.push(() => proxy.cut())
    const kafka = await EmbeddedKafka.start({ defaultPartitions: 1, advertisedListener: `127.0.0.1:${proxy.port}` })
    closers.push(() => kafka.close())
    proxy.target = kafka.port
    const viaProxy = `127.0.0.1:${proxy.port}`
    expect(kafka.advertisedListener).toBe(viaProxy)
    expect(kafka.bootstrapServers).toBe(`127.0.0.1:${kafka.port}`)

    // Asked directly, the broker names the proxy as itself and as every coordinator.
    const raw = await RawClient.connect(kafka.bootstrapServers)
    closers.push(async () => raw.close())
    expect(await brokerAddressIn(raw)).toEqual({ metadata: [viaProxy], findCoordinator: [viaProxy, viaProxy] })
    kafka.localTopics.ensureTopic('fares', 1)

    // Clients bootstrapped at the proxy: a producer, and a kcat group consumer that reconnects quickly.
    const producer = new Producer({ clientId: 'fares', bootstrapBrokers: [viaProxy], serializers: stringSerializers, retries: 0 })
    closers.push(() => producer.close())
    const consumer = new KcatProcess([
      '-b', viaProxy, '-G', 'fare-readers', '-E', '-u', '-f', '%k\n', '-X', 'auto.offset.reset=earliest',
      '-X', 'reconnect.backoff.ms=50', '-X', 'reconnect.backoff.max.ms=300', '-X', 'session.timeout.ms=30000', 'fares',
    ])
    closers.push(() => consumer.kill())
    await producer.send({ messages: [{ topic: 'fares', key: 'before-cut', value: '12.50' }] })
    await waitFor('the consumer to read through the proxy', () => consumer.stdout.includes('before-cut\n'), 15_000)
    expect(proxy.connections).toBeGreaterThanOrEqual(2)
    expect(proxy.bytesToBroker).toBeGreaterThan(0)
    expect(proxy.bytesToClients).toBeGreaterThan(0)

    // Cut the proxy: a record written meanwhile cannot reach the consumer, which has no other way in.
    await proxy.cut()
    await kafka.localTopics.append('fares', 0, [{ key: Buffer.from('during-cut'), value: Buffer.from('9.00'), timestamp: Date.now() }])
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(consumer.stdout).not.toContain('during-cut')

    // Restored, both clients reconnect through it.
    const connectionsBefore = proxy.connections
    await proxy.restore()
    await waitFor('the consumer to reconnect and read the record', () => consumer.stdout.includes('during-cut\n'), 15_000)
    await producer.send({ messages: [{ topic: 'fares', key: 'after-cut', value: '7.25' }] })
    await waitFor('the record produced after the cut', () => consumer.stdout.includes('after-cut\n'), 15_000)
    expect(proxy.connections).toBeGreaterThan(connectionsBefore)
  })

  it('advertises the bound address by default and refuses a malformed listener', async () => {
    const kafka = await EmbeddedKafka.start()
    closers.push(() => kafka.close())
    expect(kafka.advertisedListener).toBe(kafka.bootstrapServers)
    const raw = await RawClient.connect(kafka.bootstrapServers)
    closers.push(async () => raw.close())
    expect(await brokerAddressIn(raw)).toEqual({ metadata: [kafka.bootstrapServers], findCoordinator: [kafka.bootstrapServers, kafka.bootstrapServers] })
    for (const bad of ['localhost', 'localhost:0', 'localhost:99999', '::1:9092', 'a b:1']) {
      await expect(EmbeddedKafka.start({ advertisedListener: bad })).rejects.toThrow(/advertisedListener must be "host:port"/)
    }
  })

  it('tributary broker --advertised-listener advertises the given address', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-advertised-'))
    closers.push(async () => rmSync(dataDir, { recursive: true, force: true }))
    const out: string[] = []
    const io = { out: (text: string) => out.push(text), err: (text: string) => out.push(text) }
    const stop = new AbortController()
    const run = brokerCommand.run(['--port', '0', '--no-registry', '--data-dir', dataDir, '--advertised-listener', 'kafka.example.com:19092'], io, stop.signal)
    await waitFor('the broker to start', () => out.some((line) => line.includes('Press Ctrl-C')))
    expect(out).toContain('Advertising kafka.example.com:19092 to clients')
    const bound = /listening on (\S+)/.exec(out.join('\n'))![1]!
    const raw = await RawClient.connect(bound)
    try {
      expect(await brokerAddressIn(raw)).toEqual({ metadata: ['kafka.example.com:19092'], findCoordinator: ['kafka.example.com:19092', 'kafka.example.com:19092'] })
    } finally {
      raw.close()
    }
    stop.abort()
    expect(await run).toBe(0)
    await expect(brokerCommand.run(['--advertised-listener', 'kafka.example.com'], io, stop.signal)).rejects.toThrow(/--advertised-listener must be host:port/)
  })
})
