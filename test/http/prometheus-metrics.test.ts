import { register as globalRegistry } from 'prom-client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import { prometheusMetrics } from '../../src/http/index.js'
import type { KafkaStreams } from '../../src/runtime/index.js'
import { buf, orderCountsTopology, startStreams, type StreamsFixture, testBrokerKind, waitFor } from '../e2e/fixtures.js'
import { parseExposition, type ExposedFamily } from './prometheus-text.js'

const APP = 'shop-prometheus'
const PARTITIONS = 3
const ORDERS = 30

const FAMILY_TYPES = {
  tributary_records_consumed_total: 'counter',
  tributary_records_processed_total: 'counter',
  tributary_records_produced_total: 'counter',
  tributary_enforced_processing_total: 'counter',
  tributary_dropped_records_total: 'counter',
  tributary_consumer_lag: 'gauge',
  tributary_process_latency_seconds: 'histogram',
  tributary_commit_latency_seconds: 'histogram',
  tributary_commits_total: 'counter',
  tributary_active_tasks: 'gauge',
  tributary_standby_tasks: 'gauge',
  tributary_standby_lag: 'gauge',
  tributary_event_time_lag_seconds: 'gauge',
  tributary_event_time_idle: 'gauge',
  tributary_instance_state: 'gauge',
  tributary_state_store_entries: 'gauge',
  tributary_state_store_bytes: 'gauge',
  tributary_restoration_remaining_records: 'gauge',
  // two of Node's process metrics, under their standard names
  process_cpu_user_seconds_total: 'counter',
  nodejs_heap_size_used_bytes: 'gauge',
} as const

/** The one value of a family's series with these labels (besides application_id). */
function valueOf(family: ExposedFamily | undefined, labels: Record<string, string> = {}, name = family?.name): number | undefined {
  const matches = family?.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) ?? []
  if (matches.length > 1) throw new Error(`${matches.length} series of ${name} match ${JSON.stringify(labels)}`)
  return matches[0]?.value
}

describe(`Prometheus metrics of a KafkaStreams app on the ${testBrokerKind()} broker`, () => {
  let env: StreamsFixture

  beforeEach(async () => {
    env = await startStreams(APP)
    await env.kafka.track(env.kafka.clients.admin()).createTopics([
      { name: 'orders', partitions: PARTITIONS },
      { name: 'order-counts-out', partitions: PARTITIONS },
    ])
  })

  afterEach(() => env.close())

  /** Sends the orders and waits until `apps` processed and committed all of them. */
  async function processOrders(apps: readonly KafkaStreams[]): Promise<void> {
    const producer = env.kafka.track(env.kafka.clients.producer())
    await producer.send(Array.from({ length: ORDERS }, (_, i) => ({ topic: 'orders', key: buf(`customer-${i % 7}`), value: buf(JSON.stringify({ amount: i })), timestamp: 1_000 + i })))
    for (const app of apps) {
      await waitFor(
        'every order processed and committed',
        async () => {
          const m = await app.metrics()
          return m.records.processedTotal === ORDERS && m.consumerLag?.length === PARTITIONS && m.consumerLag.every((p) => p.lag === 0)
        },
        20_000,
      )
    }
  }

  it('exposes every family with its type, read from the running app when scraped', async () => {
    const app = env.newApp(orderCountsTopology())
    await app.start()
    const metrics = prometheusMetrics(app)
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8')
    const before = parseExposition(await metrics.render())
    expect(valueOf(before.get('tributary_records_processed_total'))).toBe(0)

    await processOrders([app])
    const text = await metrics.render()
    const families = parseExposition(text)
    for (const [name, type] of Object.entries(FAMILY_TYPES)) expect({ name, type: families.get(name)?.type }).toEqual({ name, type })
    for (const family of families.values()) {
      expect(family.help, family.name).toBeTruthy()
      for (const s of family.samples) expect(s.labels.application_id, `${s.name} ${JSON.stringify(s.labels)}`).toBe(APP)
    }

    expect(valueOf(families.get('tributary_records_processed_total'))).toBe(ORDERS)
    expect(valueOf(families.get('tributary_records_consumed_total'))).toBe(ORDERS)
    // Outputs and changelog writes: at least one of each per customer; the record cache collapses a
    // customer's updates between two commits into one.
    expect(valueOf(families.get('tributary_records_produced_total'))).toBeGreaterThanOrEqual(2 * 7)
    expect(valueOf(families.get('tributary_commits_total'))).toBeGreaterThan(0)
    expect(valueOf(families.get('tributary_active_tasks'))).toBe(PARTITIONS)
    // Alone in its group: nowhere to keep standbys.
    expect(valueOf(families.get('tributary_standby_tasks'))).toBe(0)
    expect(families.get('tributary_standby_lag')?.samples).toEqual([])
    // Watermarks are off by default: no task keeps an event time of its own.
    expect(families.get('tributary_event_time_lag_seconds')?.samples).toEqual([])
    expect(families.get('tributary_event_time_idle')?.samples).toEqual([])

    // Histograms (the parser already checked le order, monotonic counts and +Inf == _count).
    const latency = families.get('tributary_process_latency_seconds')
    expect(valueOf(latency, { le: '+Inf' }, 'tributary_process_latency_seconds_bucket')).toBe(ORDERS)
    expect(valueOf(latency, {}, 'tributary_process_latency_seconds_count')).toBe(ORDERS)
    expect(valueOf(latency, {}, 'tributary_process_latency_seconds_sum')).toBeGreaterThan(0)
    expect(latency?.samples.filter((s) => s.name.endsWith('_bucket')).map((s) => s.labels.le)).toEqual(['0.0001', '0.00025', '0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'])
    const commits = families.get('tributary_commit_latency_seconds')
    expect(valueOf(commits, {}, 'tributary_commit_latency_seconds_count')).toBeGreaterThan(0)

    const state = families.get('tributary_instance_state')
    expect(state?.samples.map((s) => [s.labels.state, s.value])).toEqual([
      ['CREATED', 0], ['REBALANCING', 0], ['RUNNING', 1], ['PENDING_SHUTDOWN', 0], ['NOT_RUNNING', 0], ['ERROR', 0],
    ])

    const lag = families.get('tributary_consumer_lag')
    expect(lag?.samples.map((s) => `${s.labels.topic}-${s.labels.partition}=${s.value}`)).toEqual(['orders-0=0', 'orders-1=0', 'orders-2=0'])

    const dropped = families.get('tributary_dropped_records_total')
    expect(dropped?.samples.map((s) => s.labels.reason).sort()).toEqual(['deserialization', 'late', 'null-key', 'null-value', 'processing-error', 'production-error'])
    expect(dropped?.samples.every((s) => s.value === 0)).toBe(true)

    const tasks = Array.from({ length: PARTITIONS }, (_, p) => `0_${p}`)
    expect(families.get('tributary_state_store_entries')?.samples.map((s) => `${s.labels.store}/${s.labels.task}`)).toEqual(tasks.map((t) => `order-counts/${t}`))
    expect(families.get('tributary_state_store_bytes')?.samples.every((s) => s.value > 0)).toBe(true)
    expect(valueOf(families.get('tributary_restoration_remaining_records'), { store: 'order-counts' })).toBe(0)

    // A private registry: prom-client's global one stays empty.
    expect(await globalRegistry.metrics()).not.toContain('tributary_')

    // After close the state series say so and the totals stay.
    await app.close()
    const closed = parseExposition(await metrics.render())
    expect(valueOf(closed.get('tributary_instance_state'), { state: 'NOT_RUNNING' })).toBe(1)
    expect(valueOf(closed.get('tributary_records_processed_total'))).toBe(ORDERS)
    expect(closed.get('tributary_consumer_lag')?.samples).toEqual([])
  })

  it('labels each app of one call by its application id; process metrics name them all', async () => {
    const a = env.newApp(orderCountsTopology())
    const b = env.newApp(orderCountsTopology(), { applicationId: `${APP}-b`, stateDir: env.newStateDir() })
    await a.start()
    await b.start()
    await processOrders([a, b])
    // Two calls do not clash: each has its own registry.
    const single = prometheusMetrics(a)
    const both = prometheusMetrics([a, b])
    const families = parseExposition(await both.render())
    const processed = families.get('tributary_records_processed_total')
    expect(processed?.samples.map((s) => [s.labels.application_id, s.value])).toEqual([[APP, ORDERS], [`${APP}-b`, ORDERS]])
    const lag = families.get('tributary_consumer_lag')
    expect(lag?.samples.filter((s) => s.labels.application_id === `${APP}-b`)).toHaveLength(PARTITIONS)
    expect(families.get('process_cpu_user_seconds_total')?.samples[0]?.labels.application_id).toBe(`${APP},${APP}-b`)
    expect(valueOf(parseExposition(await single.render()).get('tributary_records_processed_total'))).toBe(ORDERS)

    const withoutProcess = parseExposition(await prometheusMetrics(a, { processMetrics: false }).render())
    expect([...withoutProcess.keys()].every((name) => name.startsWith('tributary_'))).toBe(true)
    expect(() => prometheusMetrics([a, a])).toThrow(ConfigError)
    expect(() => prometheusMetrics([])).toThrow(ConfigError)
  })
})

describe('the strict exposition parser of these tests', () => {
  it('rejects what a scraper would', () => {
    const histogram = (inf: number) => `# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} ${inf}\nh_sum 1\nh_count 2\n`
    expect(() => parseExposition(histogram(2))).not.toThrow()
    expect(() => parseExposition(histogram(1))).toThrow(/\+Inf/)
    expect(() => parseExposition('# TYPE a gauge\n# TYPE a gauge\na 1\n')).toThrow(/second TYPE/)
    expect(() => parseExposition('# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x="1"} 2\n')).toThrow(/outside/)
    expect(() => parseExposition('a{x="1"} 1\na{x="1"} 2\n')).toThrow(/duplicate/)
    expect(() => parseExposition('a{x="1} 1\n')).toThrow()
    expect(parseExposition('a{x="q\\"\\n"} 1.5e3\n').get('a')?.samples[0]).toEqual({ name: 'a', labels: { x: 'q"\n' }, value: 1500 })
  })
})
