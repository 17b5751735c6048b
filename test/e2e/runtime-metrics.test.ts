import { rmSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import type { StreamsMetricsSnapshot } from '../../src/runtime/streams-metrics.js'
import { Serdes } from '../../src/serde/index.js'
import { buf, type KafkaFixture, startStreams, type StreamsFixture, testBrokerKind, waitFor } from './fixtures.js'

const APP = 'shop-metrics'
const PARTITIONS = 3
const MINUTE = 60_000
const CUSTOMERS = ['ann', 'bob', 'cyd', 'dee', 'eve', 'fay']

/** Orders counted per customer, and per customer and minute with no grace (so late orders are dropped there). */
function ordersTopology() {
  const b = new StreamsBuilder()
  const grouped = b.stream<string, { amount: number }>('orders', { keySerde: Serdes.string(), valueSerde: Serdes.json<{ amount: number }>() }).groupByKey()
  grouped.count({ storeName: 'order-counts' })
  grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(MINUTE)).count({ storeName: 'orders-per-minute' })
  return b.build()
}

describe(`KafkaStreams metrics against the ${testBrokerKind()} broker`, () => {
  let env: StreamsFixture
  let kafka: KafkaFixture

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
    await kafka.track(kafka.clients.admin()).createTopics([{ name: 'orders', partitions: PARTITIONS }])
  })

  afterEach(() => env.close())

  const newApp = () => env.newApp(ordersTopology())

  it('counts consumed, processed and late records, commits, lag, store sizes and restoration', async () => {
    const app = newApp()
    await app.start()
    const fresh = await app.metrics()
    expect(fresh.activeTasks).toBe(PARTITIONS)
    expect(fresh.records.consumedTotal).toBe(0)
    expect(JSON.parse(JSON.stringify(fresh))).toBeTypeOf('object') // plain data, no bigint

    // 60 orders in order of time, then two orders of ann for a minute long closed: late for the windows.
    const producer = kafka.track(kafka.clients.producer())
    const orders = Array.from({ length: 60 }, (_, i) => ({
      topic: 'orders',
      key: buf(CUSTOMERS[i % CUSTOMERS.length] as string),
      value: buf(JSON.stringify({ amount: i })),
      timestamp: 10 * MINUTE + i,
    }))
    await producer.send(orders)
    await producer.send([0, 1].map((i) => ({ topic: 'orders', key: buf('ann'), value: buf(JSON.stringify({ amount: i })), timestamp: i })))
    const total = orders.length + 2

    let m: StreamsMetricsSnapshot = fresh
    await waitFor(
      'every order processed and committed',
      async () => {
        m = await app.metrics()
        return m.consumerLag !== undefined && m.consumerLag.length === PARTITIONS && m.consumerLag.every((p) => p.lag === 0) && m.records.processedTotal === total
      },
      20_000,
    )
    expect(m.records.consumedTotal).toBe(total)
    expect(m.globalTables).toBeUndefined() // the topology has none
    expect(m.records.processedTotal).toBe(total)
    expect(m.records.processedPerSecond).toBeGreaterThan(0)
    expect(m.records.producedTotal).toBeGreaterThan(0) // changelog writes
    expect(m.processLatency.count).toBe(total)
    expect(m.processLatency.avgMs).toBeGreaterThan(0)
    expect(m.processLatency.maxMs).toBeGreaterThanOrEqual(m.processLatency.p99Ms)
    expect(m.commit.count).toBeGreaterThanOrEqual(1)
    expect(m.commit.latency.count).toBe(m.commit.count)
    // The histograms count since start: every record, every commit.
    expect(m.processLatencyHistogram.count).toBe(total)
    expect(m.processLatencyHistogram.counts.at(-1)).toBeLessThanOrEqual(total)
    expect(m.commit.latencyHistogram.count).toBe(m.commit.count)
    // Lag is measured against the group's committed offsets: together they cover every order.
    expect(m.consumerLag?.reduce((sum, p) => sum + (p.committedOffset ?? 0), 0)).toBe(total)
    expect(m.consumerLag?.map((p) => `${p.topic}-${p.partition}`)).toEqual(['orders-0', 'orders-1', 'orders-2'])
    // The two old orders are counted in total but dropped by the windowed count.
    expect(await app.store<string, number>('order-counts').get('ann')).toBe(12)
    expect(m.dropped).toEqual({ total: 2, byReason: { 'null-key': 0, 'null-value': 0, late: 2, deserialization: 0 }, late: 2, processingErrors: 0, productionErrors: 0 })
    // Fresh stores had nothing to restore.
    expect(m.restoration.filter((r) => r.storeName === 'order-counts')).toHaveLength(PARTITIONS)
    expect(m.restoration.every((r) => r.done && r.restored === 0)).toBe(true)
    // Sizes: about one entry per customer across the key-value store's tasks; RocksDB files for both stores.
    const counts = m.stores.filter((s) => s.storeName === 'order-counts')
    expect(counts).toHaveLength(PARTITIONS)
    // RocksDB estimates its key count (an overwritten key may count twice until compaction).
    const entries = counts.reduce((sum, s) => sum + (s.approximateEntries ?? 0), 0)
    expect(entries).toBeGreaterThanOrEqual(CUSTOMERS.length)
    expect(entries).toBeLessThanOrEqual(total)
    expect(m.stores.every((s) => (s.bytesOnDisk ?? 0) > 0)).toBe(true)
    expect(m.stores.filter((s) => s.storeName === 'orders-per-minute').every((s) => s.approximateEntries === undefined)).toBe(true)

    // Counts survive the tasks being closed.
    await app.close()
    const closed = await app.metrics()
    expect(closed.state).toBe('NOT_RUNNING')
    expect(closed.activeTasks).toBe(0)
    expect(closed.records.processedTotal).toBe(total)
    expect(closed.dropped.late).toBe(2)

    // Without its state directory a new instance restores every store from the changelogs.
    rmSync(env.stateDir, { recursive: true, force: true })
    const restored = newApp()
    await restored.start()
    const r = await restored.metrics()
    const restoredCounts = r.restoration.filter((p) => p.storeName === 'order-counts')
    expect(restoredCounts).toHaveLength(PARTITIONS)
    expect(restoredCounts.every((p) => p.done && p.restored === p.total)).toBe(true)
    expect(restoredCounts.reduce((sum, p) => sum + p.restored, 0)).toBeGreaterThanOrEqual(CUSTOMERS.length)
    expect(await restored.store<string, number>('order-counts').get('ann')).toBe(12)
    expect(r.records.consumedTotal).toBe(0)
  }, 60_000)
})
