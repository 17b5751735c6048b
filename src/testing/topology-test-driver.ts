import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, IllegalStateError, SerdeError } from '../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import { partitionForKey } from '../core/partitioner.js'
import type { Headers, Record as StreamRecord } from '../core/record.js'
import type { DropReason } from '../processors/api.js'
import { jsonSerde } from '../serde/primitive.js'
import type { Serde } from '../serde/serde.js'
import type { ReadOnlyKeyValueStore, ReadOnlySessionStore, StateStore, StoreSupplierKind, StoreType } from '../state/types.js'
import type { TaskSource } from '../topology/processor-graph.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes, StoreSpec } from '../topology/types.js'
import { keyValueStoreView, sessionStoreView, windowStoreView, type QueryableWindowStore } from '../topology/store-views.js'
import { TestInputTopic, type InputTopicOptions } from './test-input-topic.js'
import { TestOutputTopic, type ProducedRecord } from './test-output-topic.js'
import { TestTask } from './test-task.js'
import { partitionCountResolver } from '../topology/partition-counts.js'
import { ProcessingFailures, validateProcessingHandler, type ProcessingExceptionHandler } from './processing-failures.js'

export type DeserializationExceptionHandler = 'fail' | 'continue' | { readonly deadLetterTopic: string }

export interface TopologyTestDriverOptions {
  /** Prefix of internal topics (`<applicationId>-<store>-changelog`). Default `topology-test-driver`. */
  readonly applicationId?: string
  /** The mock wall clock's start, in ms. Default 0. */
  readonly startTimeMs?: number
  /** `fail` (default): a record that cannot be deserialized rejects `pipeInput` with a SerdeError. */
  readonly deserializationExceptionHandler?: DeserializationExceptionHandler
  /**
   * `fail` (default): a processor that throws rejects `pipeInput` with a ProcessingError. `continue`
   * skips the record and counts it; `{ deadLetterTopic }` also writes the input record there, with
   * the headers KafkaStreams puts on a dead letter (read it with `createOutputTopic`). The driver
   * has no production exception handler: a sink that cannot serialize its record fails the record
   * here, so this handler decides about it too.
   */
  readonly processingExceptionHandler?: ProcessingExceptionHandler
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
}

export interface DriverMetrics {
  /** Records operators dropped (late, null key...) plus records skipped as undeserializable. */
  readonly droppedRecords: number
  readonly droppedRecordsByReason: Readonly<Record<DropReason, number>>
  readonly droppedRecordsByNode: Readonly<Record<string, number>>
  /** Records and punctuations the processing exception handler skipped. */
  readonly processingErrors: number
}

interface PendingRecord {
  readonly topic: string
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly timestamp: number
  readonly headers: Headers
}

/** The tasks reading a topic, indexed by partition, and the next offset of each partition. */
interface TopicRoute {
  /** Per partition: the source node of that partition's task. */
  readonly sources: TaskSource[]
  readonly tasks: TestTask[]
  readonly offsets: number[]
}

const DEFAULT_APPLICATION_ID = 'topology-test-driver'

/**
 * Runs a topology without a broker, deterministically: each piped record is processed to completion
 * (including records it sends through repartition topics) before `pipeInput` resolves.
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
  private readonly outputs = new Map<string, ProducedRecord[]>()
  private readonly pending: PendingRecord[] = []
  private readonly routes = new Map<string, TopicRoute>()
  private readonly written = new Set<string>()
  private readonly dropped = { total: 0, byReason: { 'null-key': 0, 'null-value': 0, late: 0, deserialization: 0 } as Record<DropReason, number>, byNode: {} as Record<string, number> }
  private readonly defaultSerdes: DefaultSerdes
  private readonly handler: DeserializationExceptionHandler
  private readonly failures: ProcessingFailures
  private readonly stateDir: string
  private readonly ownsStateDir: boolean
  private readonly storeSupplier: StoreSupplierKind
  private readonly captureChangelogs: boolean
  private wallClock: number
  private tasks: TestTask[] | undefined
  private starting: Promise<TestTask[]> | undefined
  private closed = false

  constructor(
    private readonly topology: Topology,
    options: TopologyTestDriverOptions = {},
  ) {
    this.applicationId = options.applicationId ?? DEFAULT_APPLICATION_ID
    this.wallClock = options.startTimeMs ?? 0
    this.handler = options.deserializationExceptionHandler ?? 'fail'
    this.failures = new ProcessingFailures(validateProcessingHandler(options.processingExceptionHandler), (t, k, v, ts, h) => this.record(t, k, v, ts, h))
    this.defaultSerdes = { keySerde: options.defaultKeySerde ?? jsonSerde(), valueSerde: options.defaultValueSerde ?? jsonSerde() }
    this.ownsStateDir = options.stateDir === undefined
    this.stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'tributary-test-driver-'))
    this.storeSupplier = options.stateStores ?? 'memory'
    this.captureChangelogs = options.captureChangelogs ?? true
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
    return new TestInputTopic(topic, keySerde, valueSerde, options, (t, k, v, ts, h, flush) => this.pipe(t, k, v, ts, h, flush), () => this.wallClock)
  }

  /** Reads what sinks (and changelogs, `<applicationId>-<store>-changelog`) wrote to `topic`. */
  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(topic, keySerde, valueSerde, () => this.queueOf(topic))
  }

  async advanceWallClockTime(ms: number): Promise<void> {
    const tasks = await this.start()
    this.wallClock += ms
    for (const task of tasks) await task.punctuate('wall-clock', this.wallClock)
    await this.drain()
    await this.flush()
  }

  getKeyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    const spec = this.storeSpec(name, 'keyValue')
    return keyValueStoreView<K, V>(spec, () => this.storesNamed(name))
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
    return new Set([...this.written])
  }

  metrics(): DriverMetrics {
    return {
      droppedRecords: this.dropped.total,
      droppedRecordsByReason: { ...this.dropped.byReason },
      droppedRecordsByNode: { ...this.dropped.byNode },
      processingErrors: this.failures.count,
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    try {
      // A start that failed (e.g. topics that cannot be co-partitioned) already reported its error: just clean up.
      const tasks = this.starting === undefined ? [] : await this.starting.catch((): TestTask[] => [])
      for (const task of tasks) await task.close()
    } finally {
      if (this.ownsStateDir) rmSync(this.stateDir, { recursive: true, force: true })
    }
  }

  /**
   * Input from a test input topic: routed to the task of its partition, then everything it caused.
   * Synchronous when the tasks exist and every operator answers synchronously.
   */
  private pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers, flush: boolean): MaybePromise<void> {
    if (this.tasks === undefined || this.closed) {
      return this.start().then(() => this.pipe(topic, key, value, timestamp, headers, flush))
    }
    this.pending.push({ topic, key, value, timestamp, headers })
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
    if (!flush) return drained
    return isPromiseLike(drained) ? drained.then(() => this.flush()) : this.flush()
  }

  private drain(): MaybePromise<void> {
    for (let next = this.pending.shift(); next !== undefined; next = this.pending.shift()) {
      const delivered = this.deliver(next)
      if (isPromiseLike(delivered)) return delivered.then(() => this.drain())
    }
    return undefined
  }

  private deliver(raw: PendingRecord): MaybePromise<void> {
    const route = this.routeOf(raw.topic)
    const partition = raw.key === null || route.tasks.length === 1 ? 0 : partitionForKey(raw.key, route.tasks.length)
    const offset = route.offsets[partition] ?? 0
    route.offsets[partition] = offset + 1
    const task = route.tasks[partition]
    const source = route.sources[partition]
    if (task === undefined || source === undefined) return undefined
    const record = this.deserialize(source, raw, partition, offset)
    if (isPromiseLike(record)) return record.then((r) => (r === undefined ? undefined : this.process(task, source, r, raw, partition, offset)))
    return record === undefined ? undefined : this.process(task, source, record, raw, partition, offset)
  }

  /** Processes one record; a processor's exception goes to the processing exception handler. */
  private process(task: TestTask, source: TaskSource, record: StreamRecord<unknown, unknown>, raw: PendingRecord, partition: number, offset: number): MaybePromise<void> {
    const failed = (error: unknown) => this.failures.handle(error, { ...raw, partition, offset })
    let done: MaybePromise<void>
    try {
      done = task.process(source, record, raw.topic, partition, offset)
    } catch (error) {
      return failed(error)
    }
    return isPromiseLike(done) ? done.then(undefined, failed) : done
  }

  /** Where records of a topic go: computed once per topic, as the hot path of the driver. */
  private routeOf(topic: string): TopicRoute {
    let route = this.routes.get(topic)
    if (route === undefined) {
      const relative = this.relativeTopic(topic)
      const tasks = (this.tasks ?? []).filter((t) => t.source(relative) !== undefined)
      // A topic no task reads (an output topic) still counts offsets, over its declared partitions.
      const partitions = tasks.length > 0 ? tasks.length : this.partitionsOf(relative)
      route = { sources: tasks.map((t) => t.source(relative) as TaskSource), tasks, offsets: new Array<number>(partitions).fill(0) }
      // Routes are only known once the tasks exist; before that nothing is routed anyway.
      if (this.tasks !== undefined) this.routes.set(topic, route)
    }
    return route
  }

  private deserialize(source: TaskSource, raw: PendingRecord, partition: number, offset: number): MaybePromise<StreamRecord<unknown, unknown> | undefined> {
    try {
      const key = raw.key === null ? null : source.keySerde.deserialize(raw.key, { topic: raw.topic, isKey: true, headers: raw.headers })
      const value = raw.value === null ? null : source.valueSerde.deserialize(raw.value, { topic: raw.topic, isKey: false, headers: raw.headers })
      if (isPromiseLike(key) || isPromiseLike(value)) {
        return Promise.all([key, value]).then(
          ([k, v]) => this.withTimestamp(source, k, v, raw),
          (cause: unknown) => this.undeserializable(source, raw, partition, offset, cause),
        )
      }
      return this.withTimestamp(source, key, value, raw)
    } catch (cause) {
      return this.undeserializable(source, raw, partition, offset, cause)
    }
  }

  private withTimestamp(source: TaskSource, key: unknown, value: unknown, raw: PendingRecord): StreamRecord<unknown, unknown> {
    const record = { key, value, timestamp: raw.timestamp, headers: raw.headers }
    const extractor = source.node.timestampExtractor
    return extractor === undefined ? record : { key, value, timestamp: extractor(record, raw.timestamp), headers: raw.headers }
  }

  private undeserializable(source: TaskSource, raw: PendingRecord, partition: number, offset: number, cause: unknown): undefined {
    if (this.handler === 'fail') {
      const reason = cause instanceof Error ? cause.message : String(cause)
      throw new SerdeError(
        `Could not deserialize the record at ${raw.topic}-${partition}@${offset}: ${reason} Fix the producer or the serde, ` +
          `or set deserializationExceptionHandler to 'continue' (skip and count) or { deadLetterTopic }.`,
        { cause },
      )
    }
    this.countDropped(source.node.name, 'deserialization')
    if (typeof this.handler === 'object') this.record(this.handler.deadLetterTopic, raw.key, raw.value, raw.timestamp, raw.headers)
    return undefined
  }

  private start(): Promise<TestTask[]> {
    if (this.closed) return Promise.reject(new IllegalStateError('The TopologyTestDriver is closed; create a new one.'))
    this.starting ??= this.createTasks()
    return this.starting
  }

  private async createTasks(): Promise<TestTask[]> {
    const tasks: TestTask[] = []
    const globalStores = new Map<string, StateStore>()
    const environment = {
      globalStore: (name: string) => globalStores.get(name),
      applicationId: this.applicationId,
      stateDir: this.stateDir,
      storeSupplier: this.storeSupplier,
      defaultSerdes: this.defaultSerdes,
      wallClockMs: () => this.wallClock,
      recordDropped: (node: string, reason: DropReason) => this.countDropped(node, reason),
      punctuationFailed: (error: unknown) => this.failures.handlePunctuation(error),
      changelog: (topic: string, key: Buffer, value: Buffer | null, timestamp: number) => {
        if (this.captureChangelogs) this.record(topic, key, value, timestamp, {})
      },
      produce: (topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers) => {
        this.record(topic, key, value, timestamp, headers)
        if (this.routeOf(topic).tasks.length > 0) this.pending.push({ topic, key, value, timestamp, headers })
      },
    }
    // Global tables first: every task's processors may read their stores from `init` on. A global
    // sub-topology runs as one task that reads all partitions of its topic, as the global thread does.
    const ordered = [...this.topology.subtopologies.filter((s) => s.global === true), ...this.topology.subtopologies.filter((s) => s.global !== true)]
    // Every count first: topics that cannot be co-partitioned fail the start before any store opens.
    const partitionCounts = ordered.map((s) => (s.global === true ? 1 : Math.max(1, ...s.sourceTopics.map((t) => this.partitionsOf(t)))))
    for (const [i, subtopology] of ordered.entries()) {
      const partitions = partitionCounts[i] ?? 1
      for (let partition = 0; partition < partitions; partition++) {
        const task = new TestTask(this.topology, subtopology, partition, environment)
        await task.init()
        tasks.push(task)
        if (subtopology.global === true) for (const name of subtopology.stores) globalStores.set(name, task.store(name))
      }
    }
    this.tasks = tasks
    return tasks
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

  private record(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    this.written.add(topic)
    this.queueOf(topic).push({ key, value, timestamp, headers })
  }

  private queueOf(topic: string): ProducedRecord[] {
    let queue = this.outputs.get(topic)
    if (queue === undefined) {
      queue = []
      this.outputs.set(topic, queue)
    }
    return queue
  }

  private countDropped(node: string, reason: DropReason): void {
    this.dropped.total++
    this.dropped.byReason[reason]++
    this.dropped.byNode[node] = (this.dropped.byNode[node] ?? 0) + 1
  }

  /** Kafka Streams' test driver commits after every input; so does this one (stores flush to their changelogs). */
  private async flush(): Promise<void> {
    for (const task of this.tasks ?? []) await task.flush()
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

  private async storesNamed(name: string) {
    const tasks = await this.start()
    return tasks.filter((t) => t.hasStore(name)).map((t) => t.store(name))
  }
}
