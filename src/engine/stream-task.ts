import { IllegalStateError, ProcessingError } from '../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers, RecordMetadata } from '../core/record.js'
import type { Cancellable, DropReason, PunctuationType, Punctuator } from '../processors/api.js'
import type { CacheBudget } from '../state/layers/cache-budget.js'
import type { StateStore, StoreSupplierKind } from '../state/types.js'
import { ProcessorGraph, type TaskHost, type TaskSource } from '../topology/processor-graph.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes } from '../topology/types.js'
import { ChangelogRestorer, ChangelogTruncatedError, type ChangelogRestorerOptions } from './changelog-restorer.js'
import { InputDeserializer, type QueuedRecord } from './input-deserializer.js'
import { PartitionGroup, type FetchedLag } from './partition-group.js'
import { PunctuationSchedules } from './punctuation-schedules.js'
import type { StateDirectory, TaskDirectoryLock } from './state-directory.js'
import { formatTaskId, type TaskId, type TaskSpec } from './task-id.js'
import { TaskMetricsCounter, type TaskMetrics } from './task-metrics.js'
import { TaskStores } from './task-stores.js'
import type { ChangelogReader, RawRecord, RecordWriter, TopicPartition, TopicPartitionOffset } from './types.js'
import { deadLetterRecord } from './dead-letter.js'
import {
  isRecordProcessingFailure,
  processingFailure,
  type DeserializationExceptionHandler,
  type ProcessingExceptionHandler,
  type ProductionExceptionHandler,
} from './exception-handlers.js'
import { TaskRecordCollector } from './record-collector.js'
import type { Serde } from '../serde/serde.js'
import { TaskWatermarks, type TaskEventTime, type WatermarkListener } from './task-watermarks.js'
import { markerIn, type WriterProgress } from './watermark-wire.js'

/** See `StreamTaskConfig.idleTimeoutMs`. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000

/** Restores of one task that may find their changelog truncated before one succeeds. */
const MAX_RESTORE_ATTEMPTS = 3

export interface StreamTaskConfig {
  readonly applicationId: string
  readonly stateDirectory: StateDirectory
  /** Where the task's serialized records go: outputs, changelog writes and dead letters. */
  readonly writer: RecordWriter
  /** `rocksdb` in production; `memory` keeps state in the process only (restored in full on restart). */
  readonly storeSupplier: StoreSupplierKind
  readonly defaultSerdes: DefaultSerdes
  /** Default 'fail'. */
  readonly deserializationExceptionHandler?: DeserializationExceptionHandler
  /** An exception thrown while processing a record or punctuating. Default 'fail'. */
  readonly processingExceptionHandler?: ProcessingExceptionHandler
  /** A sink that cannot serialize its record (the task's record collector applies it). Default 'fail'. */
  readonly productionExceptionHandler?: ProductionExceptionHandler
  /** See `PartitionGroupOptions.maxTaskIdleMs`. Default 0. */
  readonly maxTaskIdleMs?: number
  /** Each input partition's lag on the broker, for task idling; without it every partition counts as caught up. */
  readonly fetchedLag?: FetchedLag
  /** See `PartitionGroupOptions.maxBufferedPerPartition`. Default 1000. */
  readonly maxBufferedPerPartition?: number
  /**
   * The instance's record cache (`KafkaStreamsConfig.cacheMaxBytes`), shared by every task's caching
   * stores: aggregations and materialized tables forward a key's latest value when the cache is
   * flushed (at commit) or evicts it. Absent: every update is forwarded at once. Under upstream
   * watermarks it only bounds write-behind caches (see the constructor).
   */
  readonly recordCache?: CacheBudget
  /**
   * Without a record cache: a budget the stores' write-behind caches share (they batch writes down
   * and keep hot keys synchronous, and never change what is forwarded). Absent: 10 MiB per store.
   */
  readonly writeCache?: CacheBudget
  /**
   * Bound of the in-memory copies of stream-stream join stores on RocksDB (`KafkaStreamsConfig.joinCacheMaxBytes`):
   * `joinCache` is the instance's budget they share; without it, each store's own bound.
   */
  readonly joinCacheMaxBytes?: number
  readonly joinCache?: CacheBudget
  /** The wall clock, for wall-clock punctuation and idling. Default `Date.now`. */
  readonly wallClockMs?: () => number
  /**
   * Told the first time the task drops a record for a given reason (late, null key...), so that
   * the runtime can warn once rather than count silently. Later drops are only counted.
   */
  readonly onFirstDrop?: (drop: RecordsDropped) => void
  /** A global table's store, shared by every task of the instance, if `name` is one. */
  readonly globalStore?: (name: string) => StateStore | undefined
  /**
   * Exactly-once processing: persistent stores may hold writes of a transaction that was later
   * aborted, so the checkpoint is trusted only when the task was closed cleanly. It is removed once
   * read, written only by a clean `close()`, and without one the task's state is wiped and restored
   * from the (committed) changelogs. Default false.
   */
  readonly exactlyOnce?: boolean
  /**
   * 'upstream': the task's event time (what closes windows, releases suppressed results and judges
   * lateness) is the minimum over its inputs, with the watermarks of the upstream tasks writing its
   * repartition topics (see `TaskWatermarks`). 'off' (default): Kafka Streams' stream time.
   */
  readonly watermarks?: 'off' | 'upstream'
  /** Under upstream watermarks: how long an input stays empty and caught up before it is idle. Default 30000. */
  readonly idleTimeoutMs?: number
  /**
   * Wall-clock ms between two looks for closed windows by aggregations that emit on window close
   * (Kafka Streams' `__emit.interval.ms.kstreams.windowed.aggregation__`). Default 1000.
   */
  readonly emitIntervalMsKstreamsWindowedAggregation?: number
}

const NO_HEADERS: Headers = Object.freeze({}) as Headers

type TaskState = 'created' | 'restoring' | 'running' | 'closed'

/** A task dropped a record (not processed, or not kept in a store) for the first time for this reason. */
export interface RecordsDropped {
  readonly taskId: string
  readonly nodeName: string
  readonly reason: DropReason
}

/** Changelog records a task may write between two checkpoints it is not forced to write (Kafka Streams' threshold). */
export const CHECKPOINT_OFFSET_DELTA = 10_000

/**
 * One task: one sub-topology at one partition, with its input queues, processors, stores, stream
 * time and punctuation, as Kafka Streams' StreamTask. The Kafka loop feeds it records
 * (`addRecords`), calls `process` while it is processable, punctuates, and commits with
 * `prepareCommit` -> (flush the collector, commit the offsets) -> `postCommit`.
 *
 * Lifecycle: `initializeStores()` -> optional `restoreChangelogs(reader)` -> `completeRestoration()`
 * -> processing -> `close()`.
 */
export class StreamTask implements TaskHost {
  readonly id: TaskId
  readonly taskId: string
  readonly applicationId: string
  readonly defaultSerdes: DefaultSerdes
  readonly emitIntervalMsKstreamsWindowedAggregation: number | undefined
  private readonly graph: ProcessorGraph
  private readonly stores: TaskStores
  private readonly queues: PartitionGroup<QueuedRecord>
  private readonly schedules = new PunctuationSchedules()
  private readonly inputs: InputDeserializer
  private readonly collector: TaskRecordCollector
  private readonly consumed = new Map<string, Map<number, bigint>>()
  private readonly wallClockMs: () => number
  private lock: TaskDirectoryLock | undefined
  private state: TaskState = 'created'
  private streamTime = Number.NEGATIVE_INFINITY
  private current: QueuedRecord | undefined
  private timestamp = 0
  /** The headers of a record cache's entry while it is forwarded (see `inRecordContext`). */
  private contextHeaders: Headers | undefined
  /** The event time moved before the record being processed (upstream watermarks). */
  private eventTimeMoved = false
  private commitNeeded = false
  private checkpoint: TopicPartitionOffset[] = []
  /** The checkpoint this task last wrote, undefined before the first. */
  private lastCheckpoint: readonly TopicPartitionOffset[] | undefined
  private readonly counts = new TaskMetricsCounter()
  private readonly watermarks: TaskWatermarks | undefined

  constructor(
    topology: Topology,
    readonly spec: TaskSpec,
    private readonly config: StreamTaskConfig,
  ) {
    this.id = spec.id
    this.taskId = formatTaskId(spec.id)
    this.applicationId = config.applicationId
    this.defaultSerdes = config.defaultSerdes
    this.emitIntervalMsKstreamsWindowedAggregation = config.emitIntervalMsKstreamsWindowedAggregation
    this.wallClockMs = config.wallClockMs ?? Date.now
    this.collector = new TaskRecordCollector(this.taskId, config.writer, config.productionExceptionHandler ?? 'fail', () => {
      this.counts.productionErrors++
    })
    this.graph = new ProcessorGraph(topology, spec.subtopology, this)
    const sources = new Map<string, TaskSource>()
    for (const relative of spec.subtopology.sourceTopics) {
      const source = this.graph.source(relative)
      if (source !== undefined) sources.set(topology.topicName(relative, config.applicationId), source)
    }
    this.inputs = new InputDeserializer(this.taskId, sources, config.deserializationExceptionHandler ?? 'fail', config.writer, (source) =>
      this.recordDropped(source.node.name, 'deserialization'),
    )
    this.watermarks =
      config.watermarks === 'upstream'
        ? new TaskWatermarks(topology, config.applicationId, spec, this.taskId, config.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, this.wallClockMs())
        : undefined
    this.queues = new PartitionGroup<QueuedRecord>(spec.inputs, {
      ...(config.maxTaskIdleMs === undefined ? {} : { maxTaskIdleMs: config.maxTaskIdleMs }),
      ...(config.fetchedLag === undefined ? {} : { fetchedLag: config.fetchedLag }),
      ...(config.maxBufferedPerPartition === undefined ? {} : { maxBufferedPerPartition: config.maxBufferedPerPartition }),
    })
    this.stores = new TaskStores(topology, spec.subtopology.stores, {
      applicationId: config.applicationId,
      taskId: this.taskId,
      partition: spec.id.partition,
      taskDir: config.stateDirectory.taskDir(this.taskId),
      storeSupplier: config.storeSupplier,
      defaultSerdes: config.defaultSerdes,
      writer: config.writer,
      // Under upstream watermarks windows close as the event time moves, between commits: an update
      // held in a record cache could reach a suppression after its window closed. The budget then
      // bounds write-behind caches, which forward nothing, and every update goes on at once.
      ...(config.recordCache === undefined || config.watermarks === 'upstream' ? {} : { recordCache: config.recordCache }),
      ...(config.writeCache === undefined ? (config.watermarks === 'upstream' && config.recordCache !== undefined ? { writeCache: config.recordCache } : {}) : { writeCache: config.writeCache }),
      ...(config.joinCacheMaxBytes === undefined ? {} : { joinCacheMaxBytes: config.joinCacheMaxBytes }),
      ...(config.joinCache === undefined ? {} : { joinCache: config.joinCache }),
      currentStreamTimeMs: () => this.currentStreamTimeMs(),
      ...(this.watermarks === undefined ? {} : { currentWatermarkMs: () => this.watermarkMs() }),
      currentRecordTimestamp: () => this.timestamp,
      currentRecordHeaders: () => this.headers,
      inRecordContext: (timestamp, headers, forward) => this.inRecordContext(timestamp, headers, forward),
    })
  }

  /**
   * Locks the task directory, reads the checkpoint and opens the stores. Fails if another instance
   * holds the directory.
   */
  async initializeStores(): Promise<void> {
    this.expectState('created', 'initializeStores')
    const directory = this.config.stateDirectory
    this.lock = directory.lock(this.taskId)
    try {
      this.checkpoint = directory.readCheckpoint(this.taskId)
      if (this.config.exactlyOnce === true) {
        // No checkpoint: the last owner did not close cleanly, and its stores may hold aborted writes.
        if (this.checkpoint.length === 0) directory.wipeTask(this.taskId)
        // Kept only in memory from now on: a crash before the next clean close must find none.
        directory.deleteCheckpoint(this.taskId)
      }
      await this.stores.open()
    } catch (error) {
      await this.stores.close(false).catch(() => undefined)
      this.lock.release()
      this.lock = undefined
      throw error
    }
    this.state = 'restoring'
  }

  /**
   * Brings the stores up to the end of their changelogs, from the checkpoint when there is one. A
   * checkpoint outside its changelog (past the end: the topic was deleted and created again; below
   * the start: records were deleted by retention, before or during the restore) makes the local
   * state meaningless: it is wiped and rebuilt from what the changelog holds, as Kafka Streams does
   * with a corrupted task.
   */
  async restoreChangelogs(reader: ChangelogReader, options: ChangelogRestorerOptions = {}, committedSource?: (topic: string) => bigint | undefined): Promise<void> {
    this.expectState('restoring', 'restoreChangelogs')
    for (let attempt = 1; ; attempt++) {
      try {
        const reached = await new ChangelogRestorer(reader, options).restore(this.stores.restoreTargets(committedSource), this.checkpoint)
        this.stores.restored(reached)
        return
      } catch (error) {
        // A partition whose start keeps moving past a fresh restore is not one to chase forever.
        if (!(error instanceof ChangelogTruncatedError) || attempt >= MAX_RESTORE_ATTEMPTS) throw error
        await this.stores.close(false)
        this.config.stateDirectory.wipeTask(this.taskId)
        this.checkpoint = []
        await this.stores.open()
      }
    }
  }

  /** Initializes the processors (they may read the restored stores); the task can then process. */
  async completeRestoration(): Promise<void> {
    this.expectState('restoring', 'completeRestoration')
    await this.graph.init()
    this.state = 'running'
  }

  /** The input partitions whose topics stores of this task reuse as changelogs (see restoreChangelogs). */
  sourceChangelogPartitions(): TopicPartition[] {
    const topics = new Set(this.stores.sourceChangelogTopics())
    return this.queues.partitions().filter((p) => topics.has(p.topic))
  }

  inputPartitions(): TopicPartition[] {
    return this.queues.partitions()
  }

  /**
   * Buffers fetched records of this task's input partitions, deserializing them with the source
   * serdes. A record that cannot be deserialized goes to the handler: 'fail' throws a SerdeError
   * (nothing after the record is buffered), otherwise it is counted and skipped in its turn.
   */
  addRecords(records: readonly RawRecord[]): MaybePromise<void> {
    for (let i = 0; i < records.length; i++) {
      const added = this.addRecord(records[i] as RawRecord)
      if (isPromiseLike(added)) return added.then(() => this.addRecords(records.slice(i + 1)))
    }
    return undefined
  }

  /** True when the partition's buffer is full: pause fetching it until `needsPause` turns false. */
  needsPause(topic: string, partition: number): boolean {
    return this.queues.needsPause(topic, partition)
  }

  numBuffered(): number {
    return this.queues.numBuffered()
  }

  /** True when a record can be processed now (see `PartitionGroup.readyToProcess`). */
  isProcessable(wallClockMs = this.wallClockMs()): boolean {
    return this.state === 'running' && this.queues.readyToProcess(wallClockMs)
  }

  /**
   * Processes the next record in timestamp order to completion, then due stream-time
   * punctuations. Returns false when the task is not processable. No promise is allocated when
   * every operator on the way answers synchronously.
   */
  process(wallClockMs = this.wallClockMs()): MaybePromise<boolean> {
    if (!this.isProcessable(wallClockMs)) return false
    const next = this.queues.nextRecord()
    if (next === undefined) return false
    const item = next.record
    const watermarks = this.watermarks
    if (item.record === undefined) {
      if (item.marker !== undefined) return this.markerTaken(next.index, item, item.marker)
      this.markConsumed(item)
      this.counts.skipped++
      // An undeserializable record still tells where its writer was.
      if (watermarks !== undefined && watermarks.afterRecord(next.index, item.raw)) return this.watermarkAdvanced(true)
      return true
    }
    if (item.timestamp > this.streamTime) this.streamTime = item.timestamp
    if (watermarks !== undefined) this.eventTimeMoved = watermarks.beforeRecord(next.index, item.timestamp, wallClockMs)
    this.current = item
    this.timestamp = item.timestamp
    let done: MaybePromise<void>
    try {
      done = item.source.process(item.record)
    } catch (error) {
      this.processingFailed(item, error)
      return this.afterRecord(item, next.index)
    }
    if (isPromiseLike(done)) {
      return done.then(
        () => this.afterRecord(item, next.index),
        (error: unknown) => {
          this.processingFailed(item, error)
          return this.afterRecord(item, next.index)
        },
      )
    }
    return this.afterRecord(item, next.index)
  }

  /**
   * Under upstream watermarks: marks inputs idle that stayed empty and caught up for
   * `idleTimeoutMs`, advances the event time (with the wall clock while every input is idle) and
   * tells the processors, and sends markers to the repartition topics the task writes when its
   * event time moved. Called by the loop beside wall-clock punctuation; a no-op otherwise.
   */
  advanceEventTime(wallClockMs = this.wallClockMs()): MaybePromise<void> {
    const watermarks = this.watermarks
    if (watermarks === undefined || this.state !== 'running') return undefined
    const moved = watermarks.clock.tick(wallClockMs, (i) => this.queues.caughtUp(i))
    const told = moved ? watermarks.tell() : undefined
    if (isPromiseLike(told)) return told.then(() => this.sendMarkers(watermarks, wallClockMs, false))
    this.sendMarkers(watermarks, wallClockMs, false)
    return undefined
  }

  /** The task's event time under upstream watermarks (for metrics); undefined when watermarks are off. */
  eventTimeMetrics(): TaskEventTime | undefined {
    return this.watermarks?.snapshot()
  }

  /** Runs the wall-clock punctuations due at `wallClockMs`; true when one ran. */
  async maybePunctuateSystemTime(wallClockMs = this.wallClockMs()): Promise<boolean> {
    if (this.state !== 'running' || !this.schedules.anyDue('wall-clock', wallClockMs)) return false
    await this.punctuate('wall-clock', wallClockMs)
    return true
  }

  /**
   * First step of a commit: flushes the stores, so the collector holds every output and changelog
   * record of what was processed, and returns the offsets to commit (last processed + 1 for each
   * input partition that has processed a record). The caller flushes the collector, then commits.
   */
  async prepareCommit(): Promise<TopicPartitionOffset[]> {
    if (this.state === 'created' || this.state === 'closed') throw new IllegalStateError(`Task ${this.taskId} cannot commit while ${this.state}.`)
    await this.stores.flush()
    if (this.watermarks !== undefined && this.state === 'running') this.sendMarkers(this.watermarks, this.wallClockMs(), true)
    return this.committableOffsets()
  }

  /** True when something was processed or punctuated since the last commit. */
  needsCommit(): boolean {
    return this.commitNeeded
  }

  /**
   * Last step of a commit, once outputs are acknowledged and offsets committed: writes the
   * checkpoint (under exactly-once only `close()` does, see `StreamTaskConfig.exactlyOnce`).
   * Without `enforceCheckpoint` the file is written only once the changelog offsets moved by more
   * than `CHECKPOINT_OFFSET_DELTA` since the last one, as Kafka Streams' tasks do: the test driver
   * commits after every record and must not write a file each time.
   */
  postCommit(enforceCheckpoint = true): void {
    if (this.state === 'created' || this.state === 'closed') throw new IllegalStateError(`Task ${this.taskId} cannot checkpoint while ${this.state}.`)
    const offsets = this.stores.checkpoint((topic) => this.consumedOffset(topic))
    if (this.config.exactlyOnce !== true && (enforceCheckpoint || this.checkpointDelta(offsets) > BigInt(CHECKPOINT_OFFSET_DELTA))) this.saveCheckpoint(offsets)
    this.commitNeeded = false
  }

  /**
   * Closes processors and stores and releases the task directory. A clean close flushes the stores
   * (the caller flushes the collector and commits before calling `close`) and writes the checkpoint;
   * a dirty close (after a failure) writes nothing, so the next owner restores from the last checkpoint.
   */
  async close(options: { clean?: boolean } = {}): Promise<void> {
    if (this.state === 'closed') return
    const clean = options.clean ?? true
    const wasRunning = this.state === 'running'
    this.state = 'closed'
    this.queues.clear()
    try {
      if (wasRunning) await this.graph.close()
      await this.stores.close(clean)
      if (clean) this.writeCheckpoint()
    } finally {
      this.lock?.release()
      this.lock = undefined
    }
  }

  metrics(): TaskMetrics {
    return this.counts.snapshot(this.queues.enforcedProcessingCount())
  }

  // TaskHost: what the processors of this task see.

  globalStore(name: string): StateStore | undefined {
    return this.config.globalStore?.(name)
  }

  stateStore(name: string): StateStore {
    const store = this.stores.get(name) ?? this.config.globalStore?.(name)
    if (store === undefined) throw new ProcessingError(`Task ${this.taskId} has no state store "${name}" (its stores: ${this.stores.names().join(', ') || 'none'}).`)
    return store
  }

  currentStreamTimeMs(): number {
    return this.streamTime === Number.NEGATIVE_INFINITY ? -1 : this.streamTime
  }

  currentSystemTimeMs(): number {
    return this.wallClockMs()
  }

  /** The headers of the record being processed (or of the cached write being forwarded). */
  private get headers(): Headers {
    return this.contextHeaders ?? this.current?.record?.headers ?? NO_HEADERS
  }

  /**
   * Runs a record cache's forward as if the cached write's record were being processed: its
   * timestamp and headers stamp what downstream stores and changelogs write.
   */
  private inRecordContext(timestamp: number, headers: Headers, forward: () => MaybePromise<void>): MaybePromise<void> {
    const savedTimestamp = this.timestamp
    const savedHeaders = this.contextHeaders
    const restore = (): void => {
      this.timestamp = savedTimestamp
      this.contextHeaders = savedHeaders
    }
    this.timestamp = timestamp
    this.contextHeaders = headers
    let done: MaybePromise<void>
    try {
      done = forward()
    } catch (error) {
      restore()
      throw error
    }
    if (isPromiseLike(done)) return done.finally(restore)
    restore()
    return undefined
  }

  recordMetadata(): RecordMetadata | undefined {
    const raw = this.current?.raw
    return raw === undefined ? undefined : { topic: raw.topic, partition: raw.partition, offset: raw.offset }
  }

  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return this.schedules.add(intervalMs, type, punctuator, this.wallClockMs())
  }

  recordDropped(nodeName: string, reason: DropReason): void {
    const first = this.counts.recordDropped(nodeName, reason)
    if (first) this.config.onFirstDrop?.({ taskId: this.taskId, nodeName, reason })
  }

  send(topic: string, key: unknown, value: unknown, timestamp: number, headers: Headers, keySerde: Serde<unknown>, valueSerde: Serde<unknown>): MaybePromise<void> {
    const out = this.watermarks === undefined ? headers : this.watermarks.headersFor(topic, headers)
    return this.collector.send(topic, key, value, timestamp, out, keySerde, valueSerde)
  }

  watermarkMs(): number | undefined {
    return this.watermarks?.clock.currentMs
  }

  onWatermarkAdvanced(listener: WatermarkListener): void {
    this.watermarks?.listen(listener)
  }

  // Internals.

  private addRecord(raw: RawRecord): MaybePromise<void> {
    if (!this.queues.has(raw.topic, raw.partition)) {
      throw new IllegalStateError(
        `Task ${this.taskId} was given a record of ${raw.topic}-${raw.partition}, which is not one of its inputs ` +
          `(${this.spec.inputs.map((p) => `${p.topic}-${p.partition}`).join(', ')}).`,
      )
    }
    const watermarks = this.watermarks
    if (watermarks !== undefined) {
      const index = this.queues.indexOf(raw.topic, raw.partition)
      watermarks.clock.buffered(index)
      const marker = watermarks.markerOf(index, raw)
      if (marker !== undefined) {
        const source = this.inputs.sourceOf(raw)
        this.queues.add(raw.topic, raw.partition, { raw, offset: raw.offset, timestamp: Number.NEGATIVE_INFINITY, source, record: undefined, marker })
        return undefined
      }
    } else {
      // Left by an earlier run on upstream watermarks: not a record (a tombstone without a key).
      const marker = markerIn(raw)
      if (marker !== undefined) {
        this.queues.add(raw.topic, raw.partition, { raw, offset: raw.offset, timestamp: Number.NEGATIVE_INFINITY, source: this.inputs.sourceOf(raw), record: undefined, marker })
        return undefined
      }
    }
    const queued = this.inputs.deserialize(raw, this.queues.partitionTimeMs(raw.topic, raw.partition))
    if (isPromiseLike(queued)) return queued.then((q) => this.queues.add(raw.topic, raw.partition, q))
    this.queues.add(raw.topic, raw.partition, queued)
    return undefined
  }

  private afterRecord(item: QueuedRecord, index: number): MaybePromise<boolean> {
    this.current = undefined
    this.counts.processed++
    this.markConsumed(item)
    const watermarks = this.watermarks
    if (watermarks !== undefined) {
      const moved = watermarks.afterRecord(index, item.raw) || this.eventTimeMoved
      this.eventTimeMoved = false
      if (moved) {
        const told = this.watermarkAdvanced(false)
        if (isPromiseLike(told)) return told.then(() => this.punctuateStreamTime())
      }
    }
    return this.punctuateStreamTime()
  }

  private punctuateStreamTime(): MaybePromise<boolean> {
    if (!this.schedules.hasStreamTime || !this.schedules.anyDue('stream-time', this.streamTime)) return true
    return this.punctuate('stream-time', this.streamTime).then(() => true)
  }

  /** A marker was taken in its turn: its writer's progress counts from now on. */
  private markerTaken(index: number, item: QueuedRecord, marker: WriterProgress): MaybePromise<boolean> {
    this.markConsumed(item)
    if (this.watermarks === undefined || !this.watermarks.markerTaken(index, marker)) return true
    return this.watermarkAdvanced(true)
  }

  /** The event time moved: processors hear of it; returns `result` once they have. */
  private watermarkAdvanced(result: boolean): MaybePromise<boolean> {
    const told = (this.watermarks as TaskWatermarks).tell()
    return isPromiseLike(told) ? told.then(() => result) : result
  }


  private sendMarkers(watermarks: TaskWatermarks, wallClockMs: number, force: boolean): void {
    // Under exactly-once the markers are in the open transaction: it must be committed.
    if (watermarks.sendMarkers(this.config.writer, wallClockMs, force)) this.commitNeeded = true
  }

  private markConsumed(item: QueuedRecord): void {
    let topic = this.consumed.get(item.raw.topic)
    if (topic === undefined) this.consumed.set(item.raw.topic, (topic = new Map()))
    topic.set(item.raw.partition, item.offset)
    this.commitNeeded = true
  }

  private async punctuate(type: PunctuationType, now: number): Promise<void> {
    for (const punctuator of this.schedules.takeDue(type, now)) {
      this.timestamp = now
      this.counts.punctuations++
      this.commitNeeded = true
      try {
        const done = punctuator(now)
        if (isPromiseLike(done)) await done
      } catch (error) {
        // A punctuation has no input record: 'continue' and a dead letter both skip it and count it.
        if ((this.config.processingExceptionHandler ?? 'fail') === 'fail' || !isRecordProcessingFailure(error)) {
          throw processingFailure(error, `A ${type} punctuation of task ${this.taskId} at ${now}`)
        }
        this.counts.processingErrors++
      }
    }
  }

  /**
   * A processor threw while processing `item`: under 'fail' (or for an error about the instance
   * rather than the record) the task stops; otherwise the record is counted, possibly sent to the
   * dead-letter topic as it was read, and its offset is committed in turn. What the record's
   * processing had already forwarded or stored before the exception stays, as in Kafka Streams.
   */
  private processingFailed(item: QueuedRecord, error: unknown): void {
    this.current = undefined
    const handler = this.config.processingExceptionHandler ?? 'fail'
    if (handler === 'fail' || !isRecordProcessingFailure(error)) throw processingFailure(error, `Processing the record at ${item.raw.topic}-${item.raw.partition}@${item.raw.offset}`)
    this.counts.processingErrors++
    if (typeof handler === 'object') this.config.writer.send(deadLetterRecord(handler.deadLetterTopic, item.raw, error))
  }

  private committableOffsets(): TopicPartitionOffset[] {
    const offsets: TopicPartitionOffset[] = []
    for (const [topic, partitions] of this.consumed) for (const [partition, offset] of partitions) offsets.push({ topic, partition, offset: offset + 1n })
    return offsets
  }

  private writeCheckpoint(): void {
    this.saveCheckpoint(this.stores.checkpoint((topic) => this.consumedOffset(topic)))
  }

  private saveCheckpoint(offsets: readonly TopicPartitionOffset[]): void {
    this.config.stateDirectory.writeCheckpoint(this.taskId, offsets)
    this.lastCheckpoint = offsets
  }

  /** How far the changelog offsets moved since the checkpoint last written (all of them before any). */
  private checkpointDelta(offsets: readonly TopicPartitionOffset[]): bigint {
    let delta = 0n
    for (const o of offsets) {
      const before = this.lastCheckpoint?.find((c) => c.topic === o.topic && c.partition === o.partition)?.offset ?? 0n
      delta += o.offset - before
    }
    return this.lastCheckpoint === undefined ? BigInt(CHECKPOINT_OFFSET_DELTA) + 1n : delta
  }

  /** The next offset to read of the task's partition of `topic`, once a record of it was processed. */
  private consumedOffset(topic: string): bigint | undefined {
    const last = this.consumed.get(topic)?.get(this.id.partition)
    return last === undefined ? undefined : last + 1n
  }

  private expectState(expected: TaskState, operation: string): void {
    if (this.state !== expected) throw new IllegalStateError(`Task ${this.taskId}: ${operation}() needs the task ${expected}, but it is ${this.state}.`)
  }
}
