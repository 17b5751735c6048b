import { collectDefaultMetrics, Registry } from 'prom-client'
import { ConfigError } from '../core/errors.js'
import type { KafkaStreams, KafkaStreamsState, LatencyHistogramSnapshot, StreamsMetricsSnapshot } from '../runtime/index.js'
import { ScrapedMetric, type Sample } from './scraped-metric.js'

/** A running app's metrics in Prometheus' text exposition format, read from `app.metrics()` when scraped. */
export interface PrometheusMetrics {
  /** `text/plain; version=0.0.4; charset=utf-8`: the `Content-Type` of a `/metrics` response. */
  readonly contentType: string
  /** This call's own registry (never prom-client's global one): register more metrics on it, or merge it into yours. */
  readonly registry: Registry
  /** Reads every app's metrics once and renders all families. */
  render(): Promise<string>
}

export interface PrometheusMetricsOptions {
  /** Node's process metrics (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, ...) too; default true. */
  readonly processMetrics?: boolean
}

/**
 * Prometheus metrics of one or more KafkaStreams apps of this process; every series carries the
 * app's `application_id` label. Make one per process and keep it: Node's process metrics observe
 * the event loop and garbage collection from the moment they are created.
 *
 * @example
 * import { prometheusMetrics, startQueryServer } from 'tributary/http'
 * const server = await startQueryServer(app, { metrics: prometheusMetrics(app) })  // serves GET /metrics
 */
export function prometheusMetrics(app: KafkaStreams | readonly KafkaStreams[], options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const apps: readonly KafkaStreams[] = isApp(app) ? [app] : [...app]
  const ids = apps.map((a) => a.config.applicationId)
  if (apps.length === 0) throw new ConfigError('prometheusMetrics() needs at least one KafkaStreams app.')
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i)
  if (repeated !== undefined) {
    throw new ConfigError(`Two apps have the applicationId "${repeated}": their series would be indistinguishable. Give each app of one prometheusMetrics() call its own applicationId.`)
  }
  const registry = new Registry()
  const scrape = sharedScrape(apps)
  for (const family of FAMILIES) {
    const samples = async (): Promise<Sample[]> =>
      (await scrape()).flatMap(({ applicationId, metrics }) =>
        [...family.samples(metrics)].map((s) => ({ ...s, labels: { application_id: applicationId, ...s.labels } })),
      )
    new ScrapedMetric(family.name, family.help, family.type, samples).register(registry)
  }
  // The process serves every app it runs, so its series name them all.
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, labels: { application_id: [...ids].sort().join(',') } })
  return { contentType: registry.contentType, registry, render: () => registry.metrics() }
}

function isApp(app: KafkaStreams | readonly KafkaStreams[]): app is KafkaStreams {
  return !Array.isArray(app)
}

interface Scraped {
  readonly applicationId: string
  readonly metrics: StreamsMetricsSnapshot
}

/**
 * The registry asks every family for its values at once; they share one `app.metrics()` per app,
 * so a scrape asks the cluster for lag once and its families agree with each other.
 */
function sharedScrape(apps: readonly KafkaStreams[]): () => Promise<Scraped[]> {
  let inFlight: Promise<Scraped[]> | undefined
  const read = async (): Promise<Scraped[]> => Promise.all(apps.map(async (app) => ({ applicationId: app.config.applicationId, metrics: await app.metrics() })))
  return () =>
    (inFlight ??= read().finally(() => {
      inFlight = undefined
    }))
}

interface Family {
  readonly name: string
  readonly type: 'counter' | 'gauge' | 'histogram'
  readonly help: string
  samples(metrics: StreamsMetricsSnapshot): Iterable<Sample>
}

const one = (value: number): Sample[] => [{ labels: {}, value }]

/** Every state, each as its own 0/1 series, so a dashboard sees which one is current and when it changed. */
const STATES: Record<KafkaStreamsState, true> = { CREATED: true, REBALANCING: true, RUNNING: true, PENDING_SHUTDOWN: true, NOT_RUNNING: true, ERROR: true }

/** The families, in the order they are rendered. docs/running.md lists them for users. */
const FAMILIES: readonly Family[] = [
  {
    name: 'tributary_records_consumed_total',
    type: 'counter',
    help: 'Records polled from the input partitions since the instance started.',
    samples: (m) => one(m.records.consumedTotal),
  },
  {
    name: 'tributary_records_processed_total',
    type: 'counter',
    help: 'Records processed by a task since the instance started (including those an exception handler skipped).',
    samples: (m) => one(m.records.processedTotal),
  },
  {
    name: 'tributary_records_produced_total',
    type: 'counter',
    help: 'Records acknowledged by the cluster since the instance started: sink outputs, changelog writes and dead letters.',
    samples: (m) => one(m.records.producedTotal),
  },
  {
    name: 'tributary_enforced_processing_total',
    type: 'counter',
    help: 'Records processed while another input partition of their task was empty and no longer waited for.',
    samples: (m) => one(m.records.enforcedProcessingTotal),
  },
  {
    name: 'tributary_dropped_records_total',
    type: 'counter',
    help: 'Records that produced no result, by reason: null-key, null-value, late, deserialization, processing-error (skipped by the processing exception handler), production-error (dropped by the production exception handler).',
    samples: (m) => [
      ...Object.entries(m.dropped.byReason).map(([reason, value]) => ({ labels: { reason }, value })),
      { labels: { reason: 'processing-error' }, value: m.dropped.processingErrors },
      { labels: { reason: 'production-error' }, value: m.dropped.productionErrors },
    ],
  },
  {
    name: 'tributary_consumer_lag',
    type: 'gauge',
    help: "Offsets between the group's committed offset and the end of each input partition this instance owns (absent when the cluster could not be asked).",
    samples: (m) => (m.consumerLag ?? []).map((p) => ({ labels: { topic: p.topic, partition: p.partition }, value: p.lag })),
  },
  {
    name: 'tributary_process_latency_seconds',
    type: 'histogram',
    help: 'Time to process one record through its sub-topology (operators, stores, sinks).',
    samples: (m) => histogramSamples('tributary_process_latency_seconds', m.processLatencyHistogram),
  },
  {
    name: 'tributary_commit_latency_seconds',
    type: 'histogram',
    help: 'Time of one commit: stores flushed, sends acknowledged, offsets committed, checkpoints written.',
    samples: (m) => histogramSamples('tributary_commit_latency_seconds', m.commit.latencyHistogram),
  },
  {
    name: 'tributary_commits_total',
    type: 'counter',
    help: 'Commits since the instance started (under exactly-once, each one a transaction).',
    samples: (m) => one(m.commit.count),
  },
  {
    name: 'tributary_active_tasks',
    type: 'gauge',
    help: 'Tasks this instance runs now.',
    samples: (m) => one(m.activeTasks),
  },
  {
    name: 'tributary_standby_tasks',
    type: 'gauge',
    help: 'Standby tasks this instance keeps up to date from their changelogs (numStandbyReplicas).',
    samples: (m) => one(m.standbyTasks.length),
  },
  {
    name: 'tributary_standby_lag',
    type: 'gauge',
    help: 'Changelog records each standby task has not applied yet: what taking the task over would restore (absent when the cluster could not be asked).',
    samples: (m) => m.standbyTasks.flatMap((t) => (t.lag === undefined ? [] : [{ labels: { task: t.taskId }, value: t.lag }])),
  },
  {
    name: 'tributary_event_time_lag_seconds',
    type: 'gauge',
    help: 'Under upstream watermarks: how far each task\'s event time is behind the wall clock (absent before the task has one).',
    samples: (m) => m.eventTime.flatMap((t) => (t.eventTimeMs === null ? [] : [{ labels: { task: t.taskId }, value: (m.timestampMs - t.eventTimeMs) / 1000 }])),
  },
  {
    name: 'tributary_event_time_idle',
    type: 'gauge',
    help: 'Under upstream watermarks: 1 while every input of the task is idle and its event time follows the wall clock, else 0.',
    samples: (m) => m.eventTime.map((t) => ({ labels: { task: t.taskId }, value: t.allInputsIdle ? 1 : 0 })),
  },
  {
    name: 'tributary_instance_state',
    type: 'gauge',
    help: 'The state of the KafkaStreams instance: 1 for the current state, 0 for the others.',
    samples: (m) => (Object.keys(STATES) as KafkaStreamsState[]).map((state) => ({ labels: { state }, value: state === m.state ? 1 : 0 })),
  },
  {
    name: 'tributary_state_store_entries',
    type: 'gauge',
    help: "Approximate entries of each key-value store of each task (RocksDB's estimate; window and session stores have none).",
    samples: (m) => m.stores.flatMap((s) => (s.approximateEntries === undefined ? [] : [{ labels: { store: s.storeName, task: s.taskId }, value: s.approximateEntries }])),
  },
  {
    name: 'tributary_state_store_bytes',
    type: 'gauge',
    help: 'Bytes of the RocksDB files of each persistent store of each task.',
    samples: (m) => m.stores.flatMap((s) => (s.bytesOnDisk === undefined ? [] : [{ labels: { store: s.storeName, task: s.taskId }, value: s.bytesOnDisk }])),
  },
  {
    name: 'tributary_restoration_remaining_records',
    type: 'gauge',
    help: "Changelog offsets each store still has to restore, over its partitions (an upper bound: compaction leaves gaps); 0 once restored.",
    samples: (m) => remainingByStore(m.restoration),
  },
]

/** Prometheus' histogram lines from the runtime's cumulative buckets; `+Inf` is every observation. */
function histogramSamples(name: string, h: LatencyHistogramSnapshot): Sample[] {
  const samples: Sample[] = h.bucketsSeconds.map((le, i) => ({ metricName: `${name}_bucket`, labels: { le }, value: h.counts[i] ?? 0 }))
  samples.push(
    { metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: h.count },
    { metricName: `${name}_sum`, labels: {}, value: h.sumSeconds },
    { metricName: `${name}_count`, labels: {}, value: h.count },
  )
  return samples
}

function remainingByStore(restoration: StreamsMetricsSnapshot['restoration']): Sample[] {
  const byStore = new Map<string, number>()
  for (const r of restoration) byStore.set(r.storeName, (byStore.get(r.storeName) ?? 0) + (r.done ? 0 : Math.max(0, r.total - r.restored)))
  return [...byStore].map(([store, value]) => ({ labels: { store }, value }))
}
