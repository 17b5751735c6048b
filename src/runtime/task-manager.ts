import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { GroupMetadata, KafkaAdmin, KafkaConsumer, TopicPartition, TopicPartitionOffset } from '../kafka/types.js'
import type { StateStore } from '../state/types.js'
import { CacheBudget, DEFAULT_CACHE_MAX_BYTES } from '../state/layers/cache-budget.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes } from '../topology/types.js'
import type { ResolvedStreamsConfig } from './config.js'
import type { KafkaChangelogReader, KafkaRecordWriter } from './kafka-services.js'
import type { StateDirectory } from '../engine/state-directory.js'
import type { TaskObserver } from './streams-metrics.js'
import type { TransactionSink } from './transaction-sink.js'
import { StreamTask, type RecordsDropped } from '../engine/stream-task.js'
import { formatTaskId, type TaskSpec } from '../engine/task-id.js'
import type { RawRecord } from '../engine/types.js'

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`

export interface TaskManagerDeps {
  readonly topology: Topology
  readonly config: ResolvedStreamsConfig
  readonly specs: readonly TaskSpec[]
  readonly stateDirectory: StateDirectory
  readonly collector: KafkaRecordWriter
  readonly changelogs: KafkaChangelogReader
  readonly consumer: KafkaConsumer
  readonly admin: KafkaAdmin
  readonly defaultSerdes: DefaultSerdes
  readonly repartitionTopics: ReadonlySet<string>
  /** Under exactly_once_v2: the collector's sink, which commits offsets within the transaction. */
  readonly transaction?: TransactionSink
  /** The instance's global stores (global tables), shared read-only by every task. */
  readonly globalStore?: (name: string) => StateStore | undefined
  /**
   * The group generation the tasks work in, for offsets committed in a transaction; default the
   * consumer's. A stale one makes the commit fail (TaskMigratedError) instead of committing
   * offsets of partitions another member may already own.
   */
  readonly groupMetadata?: () => GroupMetadata
  /** Told the first time a task drops a record for a reason (see `StreamTaskConfig.onFirstDrop`). */
  readonly onFirstDrop?: (drop: RecordsDropped) => void
  /** Told of every processed record, restoration batch, commit and closing task (metrics). */
  readonly observer?: TaskObserver
  /** The instance's budget of join-store copies (`joinCacheMaxBytes`), shared with the standby tasks. */
  readonly joinCache?: CacheBudget
}

/**
 * The tasks this instance owns: created and restored when their partitions are assigned, closed
 * when they are revoked, fed with polled records, processed, punctuated and committed together.
 */
export class TaskManager {
  private readonly tasks = new Map<string, StreamTask>()
  private readonly byPartition = new Map<string, StreamTask>()
  private readonly paused = new Set<string>()
  /** The record cache budget every task's caching stores share; none when `cacheMaxBytes` is 0. */
  private readonly recordCache: CacheBudget | undefined
  /**
   * With the record cache off: the stores' write-behind caches (which forward nothing) still share
   * one bound, so memory does not grow with the number of tasks and stores.
   */
  private readonly writeCache: CacheBudget | undefined

  constructor(private readonly deps: TaskManagerDeps) {
    const max = deps.config.cacheMaxBytes
    this.recordCache = max > 0 ? new CacheBudget(max) : undefined
    this.writeCache = max > 0 ? undefined : new CacheBudget(DEFAULT_CACHE_MAX_BYTES)
  }

  all(): StreamTask[] {
    return [...this.tasks.values()]
  }

  /** Creates the tasks reading any of the partitions and restores their stores before they run. */
  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    const added = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)))
    for (const spec of this.deps.specs) {
      const taskId = formatTaskId(spec.id)
      if (this.tasks.has(taskId) || !spec.inputs.some((p) => added.has(partitionKey(p.topic, p.partition)))) continue
      const { config } = this.deps
      const task = new StreamTask(this.deps.topology, spec, {
        applicationId: config.applicationId,
        stateDirectory: this.deps.stateDirectory,
        writer: this.deps.collector,
        storeSupplier: config.storeSupplier,
        defaultSerdes: this.deps.defaultSerdes,
        deserializationExceptionHandler: config.deserializationExceptionHandler,
        processingExceptionHandler: config.processingExceptionHandler,
        productionExceptionHandler: config.productionExceptionHandler,
        ...(this.deps.globalStore === undefined ? {} : { globalStore: this.deps.globalStore }),
        maxTaskIdleMs: config.maxTaskIdleMs,
        watermarks: config.watermarks,
        idleTimeoutMs: config.idleTimeoutMs,
        emitIntervalMsKstreamsWindowedAggregation: config.emitIntervalMsKstreamsWindowedAggregation,
        ...(this.recordCache === undefined ? {} : { recordCache: this.recordCache }),
        ...(this.writeCache === undefined ? {} : { writeCache: this.writeCache }),
        joinCacheMaxBytes: config.joinCacheMaxBytes,
        ...(this.deps.joinCache === undefined ? {} : { joinCache: this.deps.joinCache }),
        fetchedLag: (partition) => this.deps.consumer.currentLag(partition),
        ...(this.deps.onFirstDrop === undefined ? {} : { onFirstDrop: this.deps.onFirstDrop }),
        exactlyOnce: this.deps.transaction !== undefined,
      })
      await task.initializeStores()
      try {
        const observer = this.deps.observer
        const sources = task.sourceChangelogPartitions()
        const committed = sources.length === 0 ? [] : await this.deps.consumer.committed(sources)
        const committedSource = (topic: string) => committed.find((c) => c.topic === topic)?.offset
        await task.restoreChangelogs(this.deps.changelogs, observer === undefined ? {} : { onProgress: (progress) => observer.restoreProgress(progress) }, committedSource)
        await task.completeRestoration()
      } catch (error) {
        await task.close({ clean: false }).catch(() => undefined)
        throw error
      }
      this.tasks.set(taskId, task)
      for (const p of spec.inputs) this.byPartition.set(partitionKey(p.topic, p.partition), task)
    }
  }

  /** True when a task of this instance reads the partition. */
  owns(partition: TopicPartition): boolean {
    return this.byPartition.has(partitionKey(partition.topic, partition.partition))
  }

  /**
   * Closes the tasks of revoked partitions. Clean (right after a commit): stores are flushed and
   * checkpointed. Dirty: nothing is written, and their progress since the last commit is
   * reprocessed by the next owner.
   */
  async revoke(partitions: readonly TopicPartition[], clean = false): Promise<void> {
    const closing = new Set<StreamTask>()
    for (const p of partitions) {
      const task = this.byPartition.get(partitionKey(p.topic, p.partition))
      if (task !== undefined) closing.add(task)
    }
    for (const task of closing) {
      for (const p of task.inputPartitions()) {
        this.byPartition.delete(partitionKey(p.topic, p.partition))
        this.paused.delete(partitionKey(p.topic, p.partition))
      }
      this.tasks.delete(task.taskId)
      this.deps.observer?.taskClosed(task.metrics())
      await task.close({ clean })
    }
  }

  /**
   * Hands polled records to their tasks. Returns a promise only when a deserializer answered with
   * one: the loop then awaits nothing for the usual synchronous serdes.
   */
  addRecords(records: readonly RawRecord[]): MaybePromise<void> {
    if (records.length === 0) return undefined
    const batches = new Map<StreamTask, RawRecord[]>()
    for (const record of records) {
      const task = this.byPartition.get(partitionKey(record.topic, record.partition))
      if (task === undefined) continue // its partition was revoked while the batch was in flight
      let batch = batches.get(task)
      if (batch === undefined) batches.set(task, (batch = []))
      batch.push(record)
    }
    const pending = [...batches]
    for (let i = 0; i < pending.length; i++) {
      const [task, batch] = pending[i] as [StreamTask, RawRecord[]]
      const added = task.addRecords(batch)
      if (isPromiseLike(added)) return this.addRemaining(added, pending.slice(i + 1))
    }
    return undefined
  }

  private async addRemaining(added: Promise<void>, rest: readonly [StreamTask, RawRecord[]][]): Promise<void> {
    await added
    for (const [task, batch] of rest) await task.addRecords(batch)
  }

  /**
   * Processes every ready record of every task. Synchronous, with no promise at all, while
   * operators answer synchronously; from the first operator that returns a promise on, the rest
   * is awaited.
   */
  process(wallClockMs: number): MaybePromise<number> {
    let processed = 0
    const observer = this.deps.observer
    const tasks = [...this.tasks.values()]
    for (let t = 0; t < tasks.length; t++) {
      const task = tasks[t] as StreamTask
      for (;;) {
        const started = observer === undefined ? 0 : performance.now()
        const done = task.process(wallClockMs)
        if (isPromiseLike(done)) return this.processAsync(done, started, tasks.slice(t), wallClockMs, processed)
        if (!done) break
        processed++
        observer?.recordProcessed(performance.now() - started)
      }
    }
    return processed
  }

  /** `process` once a task answered with a promise: `tasks[0]` is that task, `first` its record. */
  private async processAsync(
    first: Promise<boolean>,
    firstStarted: number,
    tasks: readonly StreamTask[],
    wallClockMs: number,
    processedBefore: number,
  ): Promise<number> {
    let processed = processedBefore
    const observer = this.deps.observer
    const firstDone = await first
    if (firstDone) {
      processed++
      observer?.recordProcessed(performance.now() - firstStarted)
    }
    for (const task of firstDone ? tasks : tasks.slice(1)) {
      for (;;) {
        const started = observer === undefined ? 0 : performance.now()
        let done = task.process(wallClockMs)
        if (isPromiseLike(done)) done = await done
        if (!done) break
        processed++
        observer?.recordProcessed(performance.now() - started)
      }
    }
    return processed
  }

  /** Wall-clock punctuation, and under upstream watermarks the event time of idle inputs and the markers due. */
  async punctuate(wallClockMs: number): Promise<void> {
    for (const task of this.tasks.values()) {
      await task.maybePunctuateSystemTime(wallClockMs)
      const advanced = task.advanceEventTime(wallClockMs)
      if (isPromiseLike(advanced)) await advanced
    }
  }

  /** Pauses full partitions and resumes drained ones (backpressure on the consumer). */
  updatePauses(): void {
    const pause: TopicPartition[] = []
    const resume: TopicPartition[] = []
    for (const task of this.tasks.values()) {
      for (const p of task.inputPartitions()) {
        const key = partitionKey(p.topic, p.partition)
        const full = task.needsPause(p.topic, p.partition)
        if (full && !this.paused.has(key)) {
          this.paused.add(key)
          pause.push(p)
        } else if (!full && this.paused.has(key)) {
          this.paused.delete(key)
          resume.push(p)
        }
      }
    }
    if (pause.length > 0) this.deps.consumer.pause(pause)
    if (resume.length > 0) this.deps.consumer.resume(resume)
  }

  /**
   * Flush the stores, send and await everything collected, commit the input offsets, then
   * checkpoint. At-least-once commits the offsets to the group after the sends; exactly-once adds
   * them to the transaction holding those sends and commits it. Records of repartition topics
   * below the commit are purged.
   */
  async commit(): Promise<void> {
    const started = performance.now()
    const committing = this.all().filter((task) => task.needsCommit())
    const offsets: TopicPartitionOffset[] = []
    for (const task of committing) offsets.push(...(await task.prepareCommit()))
    await this.deps.collector.flush()
    const { transaction, consumer } = this.deps
    if (transaction !== undefined) await transaction.commit(this.deps.groupMetadata?.() ?? consumer.groupMetadata(), offsets)
    else if (offsets.length > 0) await consumer.commit(offsets)
    for (const task of committing) task.postCommit()
    // Only commits that had something to commit count (the loop calls this every interval).
    if (committing.length > 0) this.deps.observer?.committed(performance.now() - started)
    for (const o of offsets) {
      if (this.deps.repartitionTopics.has(o.topic)) await this.deps.admin.deleteRecords(o.topic, o.partition, o.offset)
    }
  }

  async closeAll(clean: boolean): Promise<void> {
    const tasks = this.all()
    this.tasks.clear()
    this.byPartition.clear()
    this.paused.clear()
    let failure: unknown
    for (const task of tasks) {
      this.deps.observer?.taskClosed(task.metrics())
      try {
        await task.close({ clean })
      } catch (error) {
        failure ??= error
      }
    }
    if (failure !== undefined) throw failure
  }
}
