import type { TaskEventTime } from '../engine/task-watermarks.js'
import type { DropReason } from '../processors/api.js'
import type { RestoreProgress } from '../engine/changelog-restorer.js'
import type { GlobalStateMetrics } from './global-state-manager.js'
import { LatencyWindow, SlidingRate, type LatencySummary } from './metric-windows.js'
import { LatencyHistogram, type LatencyHistogramSnapshot } from './latency-histogram.js'
import type { KafkaStreamsState } from './streams-events.js'
import type { TaskMetrics } from '../engine/task-metrics.js'
import type { StandbyTaskMetrics } from './standby-tasks.js'

/** Records per second over the metrics window, and totals since the instance started. */
export interface RecordRates {
  /** Records polled from the input partitions. */
  readonly consumedTotal: number
  readonly consumedPerSecond: number
  /** Records processed by a task (a record skipped by an exception handler counts too). */
  readonly processedTotal: number
  readonly processedPerSecond: number
  /** Records acknowledged by the cluster: sink outputs, changelog writes and dead letters. */
  readonly producedTotal: number
  readonly producedPerSecond: number
  /**
   * Records a task processed while another of its input partitions was empty and no longer
   * waited for (`maxTaskIdleMs`), so that a record arriving there later may be out of order
   * (Kafka Streams' `enforced-processing-total`).
   */
  readonly enforcedProcessingTotal: number
}

/** Commits of this instance: offsets committed (and, under exactly-once, transactions committed). */
export interface CommitMetrics {
  /** Commits since the instance started, including the one of a clean close. */
  readonly count: number
  /** Flush of the stores, sends acknowledged, offsets committed and checkpoints written, over the window. */
  readonly latency: LatencySummary
  /** The same latency for every commit since start, in fixed buckets (what Prometheus scrapes). */
  readonly latencyHistogram: LatencyHistogramSnapshot
}

/** How far the committed offsets trail the end of one input partition this instance owns. */
export interface PartitionLag {
  readonly topic: string
  readonly partition: number
  /** The partition's end offset (the next offset to be written). */
  readonly endOffset: number
  /** The group's committed offset, or `undefined` when it has none (lag then counts from the log start). */
  readonly committedOffset: number | undefined
  readonly lag: number
}

/** Restoration of one store at one changelog partition (latest report). */
export interface StoreRestoration {
  readonly storeName: string
  readonly topic: string
  readonly partition: number
  /** Records written into the store so far. */
  readonly restored: number
  /** Offsets between where restoration started and the end offset: an upper bound (compaction leaves gaps). */
  readonly total: number
  readonly done: boolean
}

/** Records the instance did not process into results, by reason. */
export interface DroppedRecords {
  /** Every dropped record: operators' drops (late, null key or value) and deserialization skips. */
  readonly total: number
  readonly byReason: Readonly<Record<DropReason, number>>
  /** Records for a window that had already closed (the same as `byReason.late`). */
  readonly late: number
  /** Records the processing exception handler skipped ('continue' or a dead-letter topic). */
  readonly processingErrors: number
  /** Outputs the production exception handler dropped. */
  readonly productionErrors: number
}

/** The size of one store at one task. */
export interface StoreSize {
  readonly storeName: string
  readonly taskId: string
  /** Key-value stores: their approximate number of entries; `undefined` for window and session stores. */
  readonly approximateEntries: number | undefined
  /** Persistent stores: bytes of their RocksDB files; `undefined` for in-memory stores. */
  readonly bytesOnDisk: number | undefined
}

/**
 * What `app.metrics()` returns: a plain object (safe to `JSON.stringify`) describing the instance
 * at `timestampMs`. Rates and latency summaries cover the last `windowMs` (latencies: one to two
 * windows); counts and latency histograms are totals since `start()`, including tasks that were
 * since closed.
 *
 * @example
 * const m = await app.metrics()
 * console.log(`${m.records.processedPerSecond.toFixed(0)} rec/s, p99 ${m.processLatency.p99Ms} ms, lag ${m.consumerLag?.reduce((n, p) => n + p.lag, 0)}`)
 */
export interface StreamsMetricsSnapshot {
  readonly timestampMs: number
  readonly state: KafkaStreamsState
  readonly windowMs: number
  /** Tasks this instance runs now. */
  readonly activeTasks: number
  readonly records: RecordRates
  /** Time to process one record through its sub-topology (operators, stores, sinks), per record. */
  readonly processLatency: LatencySummary
  /** The same latency for every record since start, in fixed buckets (what Prometheus scrapes). */
  readonly processLatencyHistogram: LatencyHistogramSnapshot
  readonly commit: CommitMetrics
  /** Per owned input partition; `undefined` when the cluster could not be asked. */
  readonly consumerLag: readonly PartitionLag[] | undefined
  readonly restoration: readonly StoreRestoration[]
  readonly dropped: DroppedRecords
  readonly stores: readonly StoreSize[]
  /** The standby tasks this instance keeps (see `numStandbyReplicas`), with how far each is behind its changelogs. */
  readonly standbyTasks: readonly StandbyTaskMetrics[]
  /** Records read into the global tables since start (`undefined` without global tables). */
  readonly globalTables: GlobalStateMetrics | undefined
  /** Under upstream watermarks, each active task's event time and markers; empty when watermarks are off. */
  readonly eventTime: readonly TaskEventTime[]
}

/** What the task manager reports as it goes; every call is cheap and allocation-free on the per-record path. */
export interface TaskObserver {
  recordProcessed(latencyMs: number): void
  restoreProgress(progress: RestoreProgress): void
  committed(latencyMs: number): void
  /** A task is closing: its counters are kept in the instance's totals. */
  taskClosed(metrics: TaskMetrics): void
}

const DEFAULT_WINDOW_MS = 30_000

function emptyTotals(): { dropped: number; byReason: Record<DropReason, number>; processingErrors: number; productionErrors: number; enforcedProcessing: number } {
  return { dropped: 0, byReason: { 'null-key': 0, 'null-value': 0, late: 0, deserialization: 0 }, processingErrors: 0, productionErrors: 0, enforcedProcessing: 0 }
}

/**
 * The counters behind `app.metrics()`. The poll loop, the task manager and the producer bump
 * them; `snapshot` reads them together with the live tasks' counters.
 */
export class StreamsMetricsRecorder implements TaskObserver {
  readonly windowMs: number
  private readonly consumedRate: SlidingRate
  private readonly processedRate: SlidingRate
  private readonly producedRate: SlidingRate
  private readonly processLatency: LatencyWindow
  private readonly commitLatency: LatencyWindow
  private readonly processHistogram = new LatencyHistogram()
  private readonly commitHistogram = new LatencyHistogram()
  private commits = 0
  private readonly restores = new Map<string, StoreRestoration>()
  private readonly closedTasks = emptyTotals()

  constructor(
    private readonly clock: () => number = Date.now,
    windowMs = DEFAULT_WINDOW_MS,
  ) {
    this.windowMs = windowMs
    const now = clock()
    const seconds = Math.max(1, Math.ceil(windowMs / 1000))
    this.consumedRate = new SlidingRate(seconds, now)
    this.processedRate = new SlidingRate(seconds, now)
    this.producedRate = new SlidingRate(seconds, now)
    this.processLatency = new LatencyWindow(windowMs, now)
    this.commitLatency = new LatencyWindow(windowMs, now)
  }

  consumed(count: number): void {
    if (count > 0) this.consumedRate.add(count, this.clock())
  }

  produced(count: number): void {
    if (count > 0) this.producedRate.add(count, this.clock())
  }

  recordProcessed(latencyMs: number): void {
    const now = this.clock()
    this.processedRate.add(1, now)
    this.processLatency.record(latencyMs, now)
    this.processHistogram.record(latencyMs)
  }

  committed(latencyMs: number): void {
    this.commits++
    this.commitLatency.record(latencyMs, this.clock())
    this.commitHistogram.record(latencyMs)
  }

  restoreProgress(progress: RestoreProgress): void {
    const { storeName, topic, partition, restored, total, done } = progress
    this.restores.set(`${storeName}\u0000${topic}\u0000${partition}`, { storeName, topic, partition, restored, total, done })
  }

  taskClosed(metrics: TaskMetrics): void {
    addTaskMetrics(this.closedTasks, metrics)
  }

  /** The synchronous part of a snapshot; the caller adds consumer lag and store sizes. */
  snapshot(state: KafkaStreamsState, liveTasks: readonly TaskMetrics[]): Omit<StreamsMetricsSnapshot, 'consumerLag' | 'stores' | 'standbyTasks' | 'globalTables' | 'eventTime'> {
    const now = this.clock()
    const totals = emptyTotals()
    addTaskMetrics(totals, this.closedTasks)
    for (const task of liveTasks) addTaskMetrics(totals, task)
    return {
      timestampMs: now,
      state,
      windowMs: this.windowMs,
      activeTasks: liveTasks.length,
      records: {
        consumedTotal: this.consumedRate.count(),
        consumedPerSecond: this.consumedRate.perSecond(now),
        processedTotal: this.processedRate.count(),
        processedPerSecond: this.processedRate.perSecond(now),
        producedTotal: this.producedRate.count(),
        producedPerSecond: this.producedRate.perSecond(now),
        enforcedProcessingTotal: totals.enforcedProcessing,
      },
      processLatency: this.processLatency.summary(now),
      processLatencyHistogram: this.processHistogram.snapshot(),
      commit: { count: this.commits, latency: this.commitLatency.summary(now), latencyHistogram: this.commitHistogram.snapshot() },
      restoration: [...this.restores.values()].sort((a, b) => a.storeName.localeCompare(b.storeName) || a.partition - b.partition),
      dropped: {
        total: totals.dropped,
        byReason: totals.byReason,
        late: totals.byReason.late,
        processingErrors: totals.processingErrors,
        productionErrors: totals.productionErrors,
      },
    }
  }
}

type Totals = ReturnType<typeof emptyTotals>

function addTaskMetrics(into: Totals, from: TaskMetrics | Totals): void {
  const isTask = 'droppedRecords' in from
  into.dropped += isTask ? from.droppedRecords : from.dropped
  const byReason = isTask ? from.droppedRecordsByReason : from.byReason
  for (const reason of Object.keys(into.byReason) as DropReason[]) into.byReason[reason] += byReason[reason] ?? 0
  into.processingErrors += from.processingErrors ?? 0
  into.productionErrors += from.productionErrors ?? 0
  into.enforcedProcessing += from.enforcedProcessing
}
