import { KafkaClient, type ConsumeContext, type ConsumerConfig, type Message } from '@kafkats/client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { waitFor } from './fixtures.js'

type Record = Message<Buffer, Buffer>

/** A running consumer: `stop()` leaves the group (committing what it consumed) and disconnects. */
interface Running {
  stop(): Promise<void>
}

/**
 * @kafkats/client speaks only current protocol versions (Produce 9, Metadata 12, FindCoordinator
 * 6, AddPartitionsToTxn 4, ...) and refuses a broker that does not serve them before sending
 * anything: these tests pass only if the broker serves what a current client needs.
 */
describe('embedded broker with @kafkats/client', () => {
  let kafka: EmbeddedKafka
  let client: KafkaClient
  const closers: Array<() => Promise<unknown>> = []

  beforeEach(async () => {
    kafka = await EmbeddedKafka.start({ defaultPartitions: 3 })
    client = new KafkaClient({ brokers: [kafka.bootstrapServers], clientId: 'kafkats-test' })
    await client.connect()
  })

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
    await client.disconnect()
    await kafka.close()
  })

  /**
   * Runs a group member until stopped, handing each record to `handler`. Each member has a client
   * of its own, as separate processes would: a broker (Kafka's too) answers one request at a time
   * per connection, so two members sharing one would queue a JoinGroup behind the other's.
   */
  async function member(groupId: string, topic: string, handler: (record: Record, ctx: ConsumeContext) => Promise<void>, config: Partial<ConsumerConfig> = {}): Promise<Running> {
    const own = new KafkaClient({ brokers: [kafka.bootstrapServers], clientId: `kafkats-${groupId}` })
    await own.connect()
    const consumer = own.consumer({ groupId, autoOffsetReset: 'earliest', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 200, maxWaitMs: 100, ...config })
    const running = consumer.runEach(topic, (record, ctx) => handler(record as Record, ctx), { autoCommitIntervalMs: 200 })
    let stopped: Promise<void> | undefined
    const stop = (): Promise<void> => (stopped ??= (async () => {
      consumer.stop()
      await running
      await own.disconnect()
    })())
    closers.push(stop)
    return { stop }
  }

  const collect = (groupId: string, topic: string, into: Record[], config: Partial<ConsumerConfig> = {}): Promise<Running> =>
    member(groupId, topic, (record) => {
      into.push(record)
      return Promise.resolve()
    }, config)

  const keysOf = (records: Record[]): string[] => [...new Set(records.map((m) => m.key?.toString() ?? ''))].sort()
  const keys = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`)

  it('produces, then consumes with a consumer group of two that commits its offsets', async () => {
    await client.createTopics([{ name: 'locations', numPartitions: 3 }])
    const producer = client.producer({ acks: 'all', idempotent: true, lingerMs: 1 })
    closers.push(() => producer.disconnect())
    await producer.send('locations', keys(60, 'driver').map((key, i) => ({ key, value: Buffer.from(JSON.stringify({ lat: i })) })))

    const received: Record[] = []
    const first = await collect('dispatch', 'locations', received)
    const second = await collect('dispatch', 'locations', received)
    await waitFor('60 drivers consumed by the group', () => keysOf(received).length === 60, 30_000)
    expect(keysOf(received)).toEqual(keys(60, 'driver'))
    for (const m of received) expect(JSON.parse(m.value.toString())).toHaveProperty('lat')
    const [group] = await client.admin().describeGroups(['dispatch'])
    expect(group?.members.length).toBe(2)

    // Leaving commits what was consumed: the group's next member starts after it.
    await Promise.all([first.stop(), second.stop()])
    await producer.send('locations', [{ key: 'late', value: Buffer.from('{}') }])
    const later: Record[] = []
    await collect('dispatch', 'locations', later)
    await waitFor('the record produced after the commit', () => later.length >= 1, 30_000)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(keysOf(later)).toEqual(['late'])
  }, 60_000)

  it('commits a consume-transform-produce transaction and hides an aborted one from read_committed consumers', async () => {
    await client.createTopics([{ name: 'requests', numPartitions: 2 }, { name: 'quotes', numPartitions: 2 }])
    const plain = client.producer({ acks: 'all' })
    closers.push(() => plain.disconnect())
    await plain.send('requests', keys(10, 'ride').map((key) => ({ key, value: Buffer.from(key) })))
    const txProducer = client.producer({ transactionalId: 'pricing-tx', acks: 'all' })
    closers.push(() => txProducer.disconnect())

    // An aborted transaction first: its record must never reach a read_committed consumer.
    await expect(txProducer.transaction(async (tx) => {
      await tx.send('quotes', { key: 'aborted', value: Buffer.from('never') })
      throw new Error('pricing failed')
    })).rejects.toThrow('pricing failed')

    let priced = 0
    await member('pricing', 'requests', async (record, ctx) => {
      await txProducer.transaction(async (tx) => {
        await tx.send('quotes', { key: record.key ?? undefined, value: Buffer.from(`quote for ${record.key?.toString() ?? ''}`) })
        await tx.sendOffsets(ctx)
      })
      priced++
    })
    await waitFor('10 requests priced', () => priced === 10, 30_000)

    const quotes: Record[] = []
    await collect('audit', 'quotes', quotes, { isolationLevel: 'read_committed' })
    await waitFor('10 committed quotes', () => keysOf(quotes).length === 10, 30_000)
    expect(keysOf(quotes)).toEqual(keys(10, 'ride'))
    expect(quotes.some((m) => m.key?.toString() === 'aborted')).toBe(false)
  }, 60_000)
})
