import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, IllegalStateError } from '../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers } from '../core/record.js'
import type { DropReason } from '../processors/api.js'
import { jsonSerde } from '../serde/primitive.js'
import type { Serde } from '../serde/serde.js'
import type { ReadOnlyKeyValueStore, ReadOnlySessionStore, StateStore, StoreSupplierKind, StoreType, ValueAndTimestamp } from '../state/types.js'
import { CacheBudget } from '../state/layers/cache-budget.js'
import { DEFAULT_JOIN_CACHE_MAX_BYTES } from '../state/layers/live-window-cache.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes, StoreSpec } from '../topology/types.js'
import { keyValueStoreView, sessionStoreView, windowStoreView, type QueryableWindowStore } from '../topology/store-views.js'
import { partitionCountResolver } from '../topology/partition-counts.js'
import {
  GlobalTask,
  GLOBAL_TASK_ID,
  resolveExceptionHandlers,
  StateDirectory,
  StreamTask,
  tasksForTopology,
  type DeserializationExceptionHandler,
  type ExceptionHandlers,
  type ProcessingExceptionHandler,
  type ProductionExceptionHandler,
  type RawRecord,
} from '../engine/index.js'
import { InMemoryTopics, type TopicLayout } from './in-memory-topics.js'
import { TestInputTopic, type InputTopicOptions } from './test-input-topic.js'
import { TestOutputTopic } from './test-output-topic.js'

export interface TopologyTestDriverOptions {
  /** Prefix of internal topics (`<applicationId>-<store>-changelog`). Default `topology-test-driver`. */
  readonly applicationId?: string
  /** The mock wall clock's start, in ms. Default 0. */
  readonly startTimeMs?: number
  /**
   * As KafkaStreams' option: `fail` (default) rejects `pipeInput` with a SerdeError; `continue` skips
   * and counts the record; `{ deadLetterTopic }` also writes it there as it was read, with the
   * `__tributary.errors.*` headers KafkaStreams writes (`DEAD_LETTER_HEADERS`).
   */
  readonly deserializationExceptionHandler?: DeserializationExceptionHandler
  /**
   * As KafkaStreams' option: `fail` (default) rejects `pipeInput` with a ProcessingError when a
   * processor throws; `continue` skips the record and counts it; `{ deadLetterTopic }` also writes
   * the input record there, with the headers KafkaStreams writes.
   */
  readonly processingExceptionHandler?: ProcessingExceptionHandler
  /**
   * As KafkaStreams' option, for a sink that cannot serialize its record: `fail` (default) rejects
   * `pipeInput` with a ProductionError; `continue` drops that one output and counts it.
   */
  readonly productionExceptionHandler?: ProductionExceptionHandler
  /** `memory` (default) or `rocksdb`, to run the same test on the production store engine. */
  readonly stateStores?: StoreSupplierKind
  /** Where RocksDB stores live; default a fresh temporary directory, removed by `close()`. */
  readonly stateDir?: string
  /**
   * Keep changelog records readable as output topics (default true). Turn off for long runs
   * (benchmarks) where nobody reads them: the stores still write their changelogs.
   */
  readonly captureChangelogs?: boolean
  /** Used where the topology names no serde. Default: JSON. */
  readonly defaultKeySerde?: Serde<unknown>
  readonly defaultValueSerde?: Serde<unknown>
  /** Accepted so that the options of `KafkaStreams` can be passed as they are; unused without a broker. */
  readonly bootstrapServers?: readonly string[]
  readonly processingGuarantee?: 'at_least_once' | 'exactly_once_v2'
  readonly commitIntervalMs?: number
  /**
   * As KafkaStreams' option: 'upstream' runs the tasks on upstream watermarks (see
   * docs/windows.md), where `advanceWallClockTime` also makes inputs idle and moves the event time
   * of idle tasks. Default 'off'.
   */
  readonly watermarks?: 'off' | 'upstream'
  /** As KafkaStreams' option: under upstream watermarks, how long an input stays empty before it is idle. Default 30000. */
  readonly idleTimeoutMs?: number
  /**
   * As KafkaStreams' option: wall-clock ms between two looks for closed windows by aggregations with
   * `EmitStrategy.onWindowClose()`. Default 0 here (every record looks), as in Kafka's
   * TopologyTestDriver; KafkaStreams' default is 1000.
   */
  readonly emitIntervalMsKstreamsWindowedAggregation?: number
  /**
   * As KafkaStreams' option: the record cache budget. Default 0 here: every update of a table or
   * aggregate is forwarded at once. Above 0, aggregations and materialized tables forward through
   * the cache, which the driver flushes after every input (it commits after each, as Kafka's
   * TopologyTestDriver does): updates of one key within one input's processing (a table groupBy's
   * subtract and add, say) come out once, and an eviction can release them earlier.
   */
  readonly cacheMaxBytes?: number
  /** As KafkaStreams' option: the budget the in-memory copies of the driver's stream-stream join stores on RocksDB share (default 256 MiB). */
  readonly joinCacheMaxBytes?: number
}

export interface DriverMetrics {
  /** Records operators dropped (late, null key...) plus records skipped as undeserializable. */
  readonly droppedRecords: number
  readonly droppedRecordsByReason: Readonly<Record<DropReason, number>>
  readonly droppedRecordsByNode: Readonly<Record<string, number>>
  /** Records and punctuations the processing exception handler skipped. */
  readonly processingErrors: number
  /** Output records the production exception handler dropped. */
  readonly productionErrors: number
}

/** The engine tasks of a started driver, and where each topic's records go. */
interface Tasks {
  readonly all: StreamTask[]
  readonly global: GlobalTask | undefined
  /** Per full topic name: the task reading each partition. */
  readonly byTopic: Map<string, StreamTask[]>
}

const DEFAULT_APPLICATION_ID = 'topology-test-driver'

/**
 * Runs a topology without a broker, deterministically, on the same task engine as KafkaStreams: one
 * engine task per sub-topology and partition (with its own stores, stream time and punctuation)
 * and a record writer that keeps topics in memory. Each piped record is processed to completion
 * (including records it sends through repartition topics) and committed before `pipeInput`
 * resolves.
 *
 * @example
 * const driver = new TopologyTestDriver(builder.build())
 * const input = driver.createInputTopic('rides', Serdes.string(), Serdes.json<Ride>())
 * const output = driver.createOutputTopic('fares', Serdes.string(), Serdes.json<number>())
 * await input.pipeInput('r1', { fare: 12 }, 1_000)
 * expect(output.readKeyValue()).toEqual(['r1', 12])
 * await driver.close()
 */
export class TopologyTestDriver {
  readonly applicationId: string
  private readonly declaredPartitions = new Map<string, number>()
  private readonly pending: RawRecord[] = []
  private readonly topics: InMemoryTopics
  private readonly defaultSerdes: DefaultSerdes
  private readonly handlers: ExceptionHandlers
  private readonly stateDir: string
  private readonly ownsStateDir: boolean
  private readonly storeSupplier: StoreSupplierKind
  private wallClock: number
  private tasks: Tasks | undefined
  private starting: Promise<Tasks> | undefined
  private closed = false
  private readonly watermarks: 'off' | 'upstream' | undefined
  private readonly idleTimeoutMs: number | undefined
  private readonly emitIntervalMs: number
  private readonly recordCache: CacheBudget | undefined
  private readonly joinCacheMaxBytes: number | undefined
  /** The budget every join store of the driver's tasks shares, as an instance's. */
  private readonly joinCache: CacheBudget | undefined

  constructor(
    private readonly topology: Topology,
    options: TopologyTestDriverOptions = {},
  ) {
    this.applicationId = options.applicationId ?? DEFAULT_APPLICATION_ID
    this.wallClock = options.startTimeMs ?? 0
    this.handlers = resolveExceptionHandlers(options)
    this.defaultSerdes = { keySerde: options.defaultKeySerde ?? jsonSerde(), valueSerde: options.defaultValueSerde ?? jsonSerde() }
    this.storeSupplier = options.stateStores ?? 'memory'
    this.watermarks = options.watermarks
    this.idleTimeoutMs = options.idleTimeoutMs
    this.emitIntervalMs = nonNegativeMs('emitIntervalMsKstreamsWindowedAggregation', options.emitIntervalMsKstreamsWindowedAggregation ?? 0)
    const cacheMaxBytes = nonNegative('cacheMaxBytes', options.cacheMaxBytes ?? 0, 'bytes')
    this.recordCache = cacheMaxBytes > 0 ? new CacheBudget(cacheMaxBytes) : undefined
    this.joinCacheMaxBytes = options.joinCacheMaxBytes === undefined ? undefined : nonNegative('joinCacheMaxBytes', options.joinCacheMaxBytes, 'bytes')
    const joinMax = this.joinCacheMaxBytes ?? DEFAULT_JOIN_CACHE_MAX_BYTES
    this.joinCache = joinMax > 0 ? new CacheBudget(joinMax, 'joinCacheMaxBytes') : undefined
    this.topics = new InMemoryTopics({
      layoutOf: (topic) => this.layoutOf(topic),
      captureChangelogs: options.captureChangelogs ?? true,
      deliver: (record) => this.pending.push(record),
    })
    this.ownsStateDir = options.stateDir === undefined
    this.stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'tributary-test-driver-'))
  }

  /**
   * Gives a topic several partitions (before any input is piped). Records are spread by Kafka's
   * default partitioner (murmur2 of the key bytes), one task per partition, each with its own
   * stores and stream time; repartition topics (full name, `<applicationId>-...-repartition`) too.
   */
  declareTopic(name: string, options: { partitions: number }): void {
    if (this.starting !== undefined) throw new IllegalStateError(`Declare topic "${name}" before piping input or advancing time: tasks are already created.`)
    if (!Number.isInteger(options.partitions) || options.partitions < 1) {
      throw new ConfigError(`Topic "${name}" needs a whole number of partitions >= 1, got ${options.partitions}.`)
    }
    this.declaredPartitions.set(this.relativeTopic(name), options.partitions)
  }

  createInputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>, options: InputTopicOptions = {}): TestInputTopic<K, V> {
    if (this.topology.subtopologyOf(this.relativeTopic(topic)) === undefined) {
      throw new ConfigError(`Topic "${topic}" is not read by this topology. Source topics: ${this.topology.sourceTopics().join(', ') || 'none'}.`)
    }
    return new TestInputTopic(topic, keySerde, valueSerde, options, (t, k, v, ts, h, flush, p) => this.pipe(t, k, v, ts, h, flush, p), () => this.wallClock)
  }

  /** Reads what sinks (and changelogs, `<applicationId>-<store>-changelog`, and dead letters) wrote to `topic`. */
  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(topic, keySerde, valueSerde, () => this.topics.outputOf(topic))
  }

  /**
   * Moves the mock wall clock forward and runs the wall-clock punctuations due by then. Under
   * upstream watermarks it also lets inputs turn idle and the event time of idle tasks advance,
   * until what that sends downstream (markers, released results) is processed.
   */
  async advanceWallClockTime(ms: number): Promise<void> {
    const tasks = await this.start()
    this.wallClock += ms
    for (const task of tasks.all) await task.maybePunctuateSystemTime(this.wallClock)
    // Each round may make the tasks downstream of the last idle: one round per sub-topology suffices.
    for (let round = 0; round <= tasks.all.length; round++) {
      for (const task of tasks.all) await task.advanceEventTime(this.wallClock)
      if (this.pending.length === 0) break
      await this.drain()
    }
    await this.drain()
    await this.commit()
  }

  getKeyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    const spec = this.storeSpec(name, 'keyValue')
    return keyValueStoreView<K, V>(spec, () => this.storesNamed(name))
  }

  /**
   * A table or aggregation store with each value's timestamp, as Kafka's
   * `getTimestampedKeyValueStore`: `{ value, timestamp }` per key.
   */
  getTimestampedKeyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>> {
    const spec = this.storeSpec(name, 'keyValue')
    if (spec.valueFormat !== 'timestamped') throw new ConfigError(`State store "${name}" keeps no timestamps; use getKeyValueStore instead.`)
    // The view unwraps timestamped values; seen as plain, it hands them out whole.
    return keyValueStoreView<K, ValueAndTimestamp<V>>({ ...spec, valueFormat: 'plain' }, () => this.storesNamed(name))
  }

  getWindowStore<K, V>(name: string): QueryableWindowStore<K, V> {
    const spec = this.storeSpec(name, 'window')
    return windowStoreView<K, V>(spec, () => this.storesNamed(name))
  }

  getSessionStore<K, V>(name: string): ReadOnlySessionStore<K, V> {
    this.storeSpec(name, 'session')
    return sessionStoreView<K, V>(() => this.storesNamed(name))
  }

  /** Every topic something was written to (sinks, repartition topics, changelogs, dead letters). */
  producedTopicNames(): Set<string> {
    return this.topics.writtenTopics()
  }

  metrics(): DriverMetrics {
    const byReason: Record<DropReason, number> = { 'null-key': 0, 'null-value': 0, late: 0, deserialization: 0 }
    const byNode: Record<string, number> = {}
    let dropped = 0
    let processingErrors = 0
    let productionErrors = 0
    for (const task of this.tasks?.all ?? []) {
      const m = task.metrics()
      dropped += m.droppedRecords
      processingErrors += m.processingErrors
      productionErrors += m.productionErrors
      for (const [reason, count] of Object.entries(m.droppedRecordsByReason)) byReason[reason as DropReason] += count
      for (const [node, count] of Object.entries(m.droppedRecordsByNode)) byNode[node] = (byNode[node] ?? 0) + count
    }
    const global = this.tasks?.global?.metrics()
    if (global !== undefined) {
      dropped += global.skipped
      processingErrors += global.processingErrors
    }
    return { droppedRecords: dropped, droppedRecordsByReason: byReason, droppedRecordsByNode: byNode, processingErrors, productionErrors }
  }

  /** Closes every task cleanly (stores flushed and checkpointed) and removes the temporary state directory. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    try {
      // A start that failed (e.g. topics that cannot be co-partitioned) already reported its error: just clean up.
      const tasks = this.starting === undefined ? undefined : await this.starting.catch(() => undefined)
      for (const task of tasks?.all ?? []) await task.close({ clean: true })
      if (tasks?.global !== undefined) {
        await tasks.global.closeProcessors()
        await tasks.global.flush()
        await tasks.global.closeStores()
      }
    } finally {
      if (this.ownsStateDir) rmSync(this.stateDir, { recursive: true, force: true })
    }
  }

  /**
   * Input from a test input topic: routed to the task of its partition, then everything it caused.
   * Synchronous when the tasks exist and every operator answers synchronously.
   */
  private pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers, commit: boolean, partition?: number): MaybePromise<void> {
    if (this.tasks === undefined || this.closed) {
      return this.start().then(() => this.pipe(topic, key, value, timestamp, headers, commit, partition))
    }
    this.topics.pipe(topic, key, value, timestamp, headers, partition)
    let drained: MaybePromise<void>
    try {
      drained = this.drain()
    } catch (error) {
      // What the failed record caused is not processed further, as when a Kafka Streams task fails.
      this.pending.length = 0
      throw error
    }
    if (isPromiseLike(drained)) {
      drained = drained.catch((error: unknown) => {
        this.pending.length = 0
        throw error
      })
    }
    // Under a record cache every input is committed, as in Kafka's driver: what the cache forwards
    // must not depend on how the inputs were piped.
    if (!commit && this.recordCache === undefined) return drained
    return isPromiseLike(drained) ? drained.then(() => this.commit()) : this.commit()
  }

  /** Processes every pending record, in the order they were written, with what each one causes. */
  private drain(): MaybePromise<void> {
    for (let next = this.pending.shift(); next !== undefined; next = this.pending.shift()) {
      const delivered = this.deliver(next)
      if (isPromiseLike(delivered)) return delivered.then(() => this.drain())
    }
    return undefined
  }

  private deliver(record: RawRecord): MaybePromise<void> {
    const tasks = this.tasks as Tasks
    const task = tasks.byTopic.get(record.topic)?.[record.partition]
    if (task === undefined) return tasks.global?.process(record)
    const added = task.addRecords([record])
    if (isPromiseLike(added)) return added.then(() => this.processAll(task))
    return this.processAll(task)
  }

  /** Runs the task until it has nothing processable. */
  private processAll(task: StreamTask): MaybePromise<void> {
    for (;;) {
      const done = task.process(this.wallClock)
      if (isPromiseLike(done)) return done.then((more) => (more ? this.processAll(task) : undefined))
      if (!done) return undefined
    }
  }

  /**
   * Kafka Streams' test driver commits after every input; so does this one: stores flush (their
   * changelogs become readable) and tasks checkpoint now and then, as the runtime's tasks do.
   */
  private async commit(): Promise<void> {
    const tasks = this.tasks?.all ?? []
    // A commit may send upstream-watermark markers: they are processed, and what they release committed.
    for (let round = 0; round <= tasks.length; round++) {
      for (const task of tasks) {
        if (!task.needsCommit()) continue
        await task.prepareCommit()
        task.postCommit(false)
      }
      if (this.pending.length === 0) break
      await this.drain()
    }
    await this.tasks?.global?.flush()
  }

  private start(): Promise<Tasks> {
    if (this.closed) return Promise.reject(new IllegalStateError('The TopologyTestDriver is closed; create a new one.'))
    this.starting ??= this.createTasks()
    return this.starting
  }

  private async createTasks(): Promise<Tasks> {
    // Every count first: topics that cannot be co-partitioned fail the start before any store opens.
    const counts = new Map<string, number>()
    for (const subtopology of this.topology.subtopologies) {
      if (subtopology.global === true) continue
      for (const relative of subtopology.sourceTopics) counts.set(this.topology.topicName(relative, this.applicationId), this.partitionsOf(relative))
    }
    const specs = tasksForTopology(this.topology, this.applicationId, counts)
    const stateDirectory = new StateDirectory(this.stateDir, this.applicationId)
    const { deserializationExceptionHandler, processingExceptionHandler, productionExceptionHandler } = this.handlers
    // Global tables first: every task's processors may read their stores from `init` on.
    let global: GlobalTask | undefined
    if (GlobalTask.needed(this.topology)) {
      global = new GlobalTask({
        topology: this.topology,
        applicationId: this.applicationId,
        taskDir: stateDirectory.taskDir(GLOBAL_TASK_ID),
        storeSupplier: this.storeSupplier,
        defaultSerdes: this.defaultSerdes,
        deserializationExceptionHandler,
        processingExceptionHandler,
        writer: this.topics,
        wallClockMs: () => this.wallClock,
      })
      await global.openStores()
      await global.initProcessors()
    }
    const all: StreamTask[] = []
    const byTopic = new Map<string, StreamTask[]>()
    for (const spec of specs) {
      const task = new StreamTask(this.topology, spec, {
        applicationId: this.applicationId,
        stateDirectory,
        writer: this.topics,
        storeSupplier: this.storeSupplier,
        defaultSerdes: this.defaultSerdes,
        deserializationExceptionHandler,
        processingExceptionHandler,
        productionExceptionHandler,
        wallClockMs: () => this.wallClock,
        globalStore: (name) => global?.store(name),
        ...(this.watermarks === undefined ? {} : { watermarks: this.watermarks }),
        ...(this.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: this.idleTimeoutMs }),
        emitIntervalMsKstreamsWindowedAggregation: this.emitIntervalMs,
        ...(this.recordCache === undefined ? {} : { recordCache: this.recordCache }),
        ...(this.joinCacheMaxBytes === undefined ? {} : { joinCacheMaxBytes: this.joinCacheMaxBytes }),
        ...(this.joinCache === undefined ? {} : { joinCache: this.joinCache }),
      })
      await task.initializeStores()
      await task.completeRestoration()
      all.push(task)
      for (const input of spec.inputs) {
        let tasks = byTopic.get(input.topic)
        if (tasks === undefined) byTopic.set(input.topic, (tasks = []))
        tasks[input.partition] = task
      }
    }
    this.tasks = { all, global, byTopic }
    return this.tasks
  }

  /** A topic's partitions, and whether a task reads it (its records are then processed). */
  private layoutOf(topic: string): TopicLayout {
    const relative = this.relativeTopic(topic)
    const consumed = this.topology.subtopologyOf(relative) !== undefined
    return { partitions: this.partitionsOf(relative), consumed }
  }

  /**
   * Declared, else as the runtime sizes it: a user topic has one partition, a join's repartition
   * topic follows the join's other inputs, another internal topic the sub-topology writing it.
   */
  private partitionsOf(relativeTopic: string): number {
    const known = (topic: string) => this.declaredPartitions.get(topic) ?? (this.topology.internalTopics.has(topic) ? undefined : 1)
    return partitionCountResolver(this.topology, { known })(relativeTopic)
  }

  private relativeTopic(topic: string): string {
    const prefix = `${this.applicationId}-`
    if (topic.startsWith(prefix) && this.topology.internalTopics.has(topic.slice(prefix.length))) return topic.slice(prefix.length)
    return topic
  }

  private storeSpec(name: string, type: StoreType): StoreSpec {
    const spec = this.topology.stores.get(name)
    if (spec === undefined) {
      throw new ConfigError(`No state store named "${name}". Stores of this topology: ${[...this.topology.stores.keys()].join(', ') || 'none'}.`)
    }
    if (spec.definition.type !== type) {
      throw new ConfigError(`State store "${name}" is a ${spec.definition.type} store; use the matching getter instead of the ${type} one.`)
    }
    return spec
  }

  private async storesNamed(name: string): Promise<StateStore[]> {
    const tasks = await this.start()
    const stores = tasks.all.filter((t) => t.spec.subtopology.stores.includes(name)).map((t) => t.stateStore(name))
    const global = tasks.global?.store(name)
    return global === undefined ? stores : [global, ...stores]
  }
}

function nonNegativeMs(name: string, value: number): number {
  return nonNegative(name, value, 'ms')
}

function nonNegative(name: string, value: number, unit: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ConfigError(`${name} must be a number of ${unit} >= 0, got ${String(value)}.`)
  return value
}
