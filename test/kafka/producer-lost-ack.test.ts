import { createServer, connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { KafkaError } from '../../src/core/errors.js'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { createKafkaClients } from '../../src/kafka/index.js'
import { buf, readAll, str } from './fixtures.js'

/**
 * A proxy that, once armed, lets the next Produce request through, swallows its answer and refuses
 * connections from then on: what a broker that wrote the batch and then went away looks like.
 */
async function lossyProxy(targetPort: () => number) {
  const sockets = new Set<Socket>()
  const state = { armed: false, refusing: false }
  const server = createServer((client) => {
    if (state.refusing) {
      client.destroy()
      return
    }
    const upstream = connect(targetPort(), '127.0.0.1')
    sockets.add(client).add(upstream)
    let dropAnswer = false
    client.on('data', (chunk: Buffer) => {
      // A request starts with its size (int32), then its API key (int16): 0 is Produce.
      if (state.armed && chunk.length >= 6 && chunk.readInt16BE(4) === 0) {
        state.armed = false
        dropAnswer = true
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (!dropAnswer) {
        client.write(chunk)
        return
      }
      // The broker stays out of reach until the test says otherwise: the client's retries run out.
      state.refusing = true
      client.destroy()
      upstream.destroy()
    })
    for (const s of [client, upstream]) s.on('error', () => undefined).on('close', () => (client.destroy(), upstream.destroy()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as { port: number }).port
  return {
    port,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

describe('an idempotent producer whose acknowledgement was lost', () => {
  const open: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close().catch(() => undefined)
  })

  /** A broker that advertises the proxy, so that every connection of the clients goes through it. */
  async function brokerBehindProxy() {
    let brokerPort = 0
    const proxy = await lossyProxy(() => brokerPort)
    open.push(() => proxy.close())
    const kafka = await EmbeddedKafka.start({ defaultPartitions: 1, autoCreateTopics: false, advertisedListener: `127.0.0.1:${proxy.port}` })
    open.push(() => kafka.close())
    brokerPort = Number(kafka.bootstrapServers.split(':').at(-1))
    kafka.localTopics.ensureTopic('pings', 1)
    const clients = createKafkaClients({ bootstrapServers: [`127.0.0.1:${proxy.port}`], clientId: 'pings', applicationId: 'pings' })
    return { proxy, clients }
  }
  const ping = (value: string) => ({ topic: 'pings', partition: 0, key: null, value: buf(value) })

  it('sends the next batch with fresh sequence numbers instead of being refused for ever (OUT_OF_ORDER_SEQUENCE_NUMBER)', { timeout: 30_000 }, async () => {
    const { proxy, clients } = await brokerBehindProxy()
    const producer = clients.producer()
    open.push(() => producer.close())

    await producer.send([ping('a'), ping('b'), ping('c')])
    proxy.state.armed = true
    // The broker appends d and e; their answer never arrives, and the client's retries find no broker.
    const lost = await producer.send([ping('d'), ping('e')]).then(() => undefined, (e: unknown) => e)
    expect(lost).toBeInstanceOf(KafkaError)
    proxy.state.refusing = false
    // The client never learnt that d and e took sequences 3 and 4: reusing 3 for f is refused.
    await producer.send([ping('f')])
    await producer.send([ping('g'), ping('h')])

    const reader = clients.reader({ isolationLevel: 'read_uncommitted' })
    open.push(() => reader.close())
    expect((await readAll(reader, 'pings', 0)).map((r) => str(r.value))).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])
  })
  it('in a transaction: the abort after the failed send replaces the client, and the next transaction commits', { timeout: 30_000 }, async () => {
    const { proxy, clients } = await brokerBehindProxy()
    const producer = clients.transactionalProducer('0')
    open.push(() => producer.close())

    await producer.begin()
    await producer.send([ping('a'), ping('b')])
    await producer.commit()
    await producer.begin()
    proxy.state.armed = true
    const lost = await producer.send([ping('c'), ping('d')]).then(() => undefined, (e: unknown) => e)
    expect(lost).toBeInstanceOf(KafkaError)
    proxy.state.refusing = false
    await producer.abort().catch(() => undefined)
    await producer.begin()
    await producer.send([ping('e')])
    await producer.commit()

    const reader = clients.reader({ isolationLevel: 'read_committed' })
    open.push(() => reader.close())
    expect((await readAll(reader, 'pings', 0)).map((r) => str(r.value))).toEqual(['a', 'b', 'e'])
  })
})
