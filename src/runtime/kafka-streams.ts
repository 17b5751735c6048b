import { SYSTEM_TIME, type Time } from '../core/clock.js'
import { IllegalStateError, isTributaryError, TaskMigratedError, TimeoutError } from '../core/errors.js'
import type { KafkaClients } from '../kafka/index.js'
import type { ReadOnlyKeyValueStore } from '../state/types.js'
import type { Topology } from '../topology/topology.js'
import { resolveStreamsConfig, type KafkaStreamsConfig, type ResolvedStreamsConfig } from './config.js'
import { canTransition, StreamsEmitter, type KafkaStreamsState } from './streams-events.js'
import { QueryableStoreTypes, type QueryableStoreType } from '../topology/queryable-store-types.js'
import type { Serde } from '../serde/serde.js'
import type { KeyQueryMetadata, StreamsMetadata } from './instance-directory.js'
import { kafkaClientsFor, openInstance } from './instance-wiring.js'
import type { RunningInstance } from './running-instance.js'
import { StreamLoop } from './stream-loop.js'
import { StreamsIntrospection } from './streams-introspection.js'
import { joinGroupWithRetries } from './group-join.js'
import { groupJoinRetryWarning, processingRetryWarning, recordsDroppedWarning, standbyFailureWarning } from './streams-warnings.js'
import type { StreamsMetricsSnapshot } from './streams-metrics.js'

export interface KafkaStreamsOptions {
  /** Client factories; default: `createKafkaClients` over the config's connection settings. Tests inject their own. */
  readonly clients?: KafkaClients
  /** The clock and sleeps of the processing loop (commit interval, retry backoff); default the system clock. For tests. */
  readonly time?: Time
}

/**
 * Runs a topology against Kafka: poll -> process in timestamp order -> punctuate -> every
 * `commitIntervalMs` flush stores and outputs, then commit offsets and checkpoint. Under
 * exactly_once_v2 the outputs, changelog writes and offsets of one commit form one transaction.
 *
 * @example
 * const app = new KafkaStreams(builder.build(), { applicationId: 'fleet-map', bootstrapServers: ['127.0.0.1:9092'] })
 * app.on('error', (error) => console.error(error))
 * await app.start()
 * // ...
 * await app.close()
 */
export class KafkaStreams extends StreamsEmitter {
  /** The config with every default filled in (read-only): what a query server or a metrics exporter needs to know of the instance. */
  readonly config: ResolvedStreamsConfig
  private current: KafkaStreamsState = 'CREATED'
  /** The instance's clients, tasks and global tables while they are open. */
  private running: RunningInstance | undefined
  /** The same instance until it is closed: its global tables stay queryable while its tasks close. */
  private instance: RunningInstance | undefined
  private loop: Promise<void> | undefined
  private starting: Promise<void> | undefined
  private closing: Promise<void> | undefined
  private stopRequested = false
  /** Interactive queries and metrics; fed by the loop, read by `store`, `metadataForKey`, `metrics`. */
  private readonly introspection: StreamsIntrospection
  private readonly time: Time

  constructor(
    /** The topology this instance runs; its `stores` are what `store()` can query. */
    readonly topology: Topology,
    config: KafkaStreamsConfig,
    private readonly options: KafkaStreamsOptions = {},
  ) {
    super()
    this.introspection = new StreamsIntrospection({
      topology,
      applicationId: config.applicationId,
      state: () => this.current,
      tasks: () => this.running?.tasks.all() ?? [],
      globalStore: (name) => this.instance?.globalState()?.store(name),
      globalMetrics: () => this.instance?.globalState()?.metrics(),
    })
    this.config = resolveStreamsConfig(config)
    this.time = options.time ?? SYSTEM_TIME
  }

  state(): KafkaStreamsState {
    return this.current
  }

  /**
   * Creates the internal topics, checks co-partitioning, joins the group, restores the assigned
   * tasks and starts the processing loop. Resolves once the first assignment is restored (RUNNING).
   */
  async start(): Promise<void> {
    if (this.current !== 'CREATED') throw new IllegalStateError(`start() can be called once, on a CREATED instance; this one is ${this.current}.`)
    this.transition('REBALANCING')
    this.starting = this.startUp()
    await this.starting
  }

  private async startUp(): Promise<void> {
    const running = await this.open()
    // close() was called while joining: it commits and closes once this returns.
    if (this.stopRequested) return
    this.transition('RUNNING')
    this.loop = this.streamLoop(running).run()
  }

  /** Builds the instance and joins the group; on failure closes what it opened and goes to ERROR. */
  private async open(): Promise<RunningInstance> {
    const clients = this.options.clients ?? kafkaClientsFor(this.config)
    const admin = clients.admin()
    try {
      const running = await openInstance({
        topology: this.topology,
        config: this.config,
        clients,
        admin,
        introspection: this.introspection,
        onRebalance: () => this.transitionIfRunning('REBALANCING'),
        onFirstDrop: (drop) => this.warn(recordsDroppedWarning(drop)),
        onStandbyFailure: (error, taskId, retryInMs) => this.warn(standbyFailureWarning(error, taskId, retryInMs)),
      })
      this.running = running
      this.instance = running
      await joinGroupWithRetries(() => running.join(), {
        taskTimeoutMs: this.config.taskTimeoutMs,
        time: this.time,
        stopRequested: () => this.stopRequested,
        onRetry: (error, pauseMs) => this.warn(groupJoinRetryWarning(error, pauseMs)),
      })
      return running
    } catch (error) {
      await this.running?.closeGlobalState(false).catch(() => undefined)
      await this.shutDownClients(false)
      this.fail(error)
      throw error
    }
  }

  private streamLoop(running: RunningInstance): StreamLoop {
    return new StreamLoop({
      consumer: running.consumer,
      tasks: running.tasks,
      recovery: running.recovery,
      collector: running.collector,
      transaction: running.transaction,
      globalState: () => running.globalState(),
      recorder: this.introspection.recorder,
      config: this.config,
      time: this.time,
      stopRequested: () => this.stopRequested,
      onPolled: () => {
        if (this.current === 'REBALANCING') this.transition('RUNNING')
      },
      onRetry: (error, pauseMs, reprocessing) => this.warn(processingRetryWarning(error, pauseMs, reprocessing)),
      onFailure: async (error) => {
        await this.shutDownClients(false)
        this.fail(this.describeFailure(error))
      },
    })
  }

  /**
   * Stops the loop, commits what was processed, closes the tasks (writing their checkpoints) and
   * the clients. Fails with a TimeoutError if that takes longer than `timeoutMs` (default 30000).
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.current === 'NOT_RUNNING') return
    const timeoutMs = options.timeoutMs ?? 30_000
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`KafkaStreams did not close within ${timeoutMs} ms.`)), timeoutMs)
    })
    try {
      this.closing ??= this.shutDown()
      await Promise.race([this.closing, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * A read-only view of the local store `name` across every task of this instance (interactive
   * queries). Without a type it is a key-value store; pass `QueryableStoreTypes.windowStore()` or
   * `.sessionStore()` for the others. An unknown name or a store of another kind throws a
   * ConfigError; reads fail with a retriable InvalidStateStoreError while the instance is starting
   * or rebalancing (its stores are being restored), and a non-retriable one once it is closing.
   *
   * @example
   * const counts = app.store<string, number>('order-counts')
   * await counts.get('ann')
   * const perMinute = app.store('rides-per-minute', QueryableStoreTypes.windowStore<string, number>())
   * await perMinute.fetch('zone-1', 0, Date.now())
   */
  store<K, V>(name: string): ReadOnlyKeyValueStore<K, V>
  store<T>(name: string, type: QueryableStoreType<T>): T
  store<T>(name: string, type?: QueryableStoreType<T>): T | ReadOnlyKeyValueStore<unknown, unknown> {
    return type === undefined ? this.introspection.store(name, QueryableStoreTypes.keyValueStore()) : this.introspection.store(name, type)
  }

  /**
   * Which instance holds the active copy of `key` in store `storeName`: the `applicationServer`
   * it advertises and the key's partition (Kafka's default partitioner over the key serialized
   * with `keySerde`, default the store's key serde). Every instance answers the same from the
   * group's current assignment. Fails with a retriable InvalidStateStoreError while the group
   * is rebalancing, and a ConfigError for an unknown or global store.
   *
   * @example
   * const { host, port } = await app.metadataForKey('order-counts', 'ann')
   */
  metadataForKey<K>(storeName: string, key: K, keySerde?: Serde<K>): Promise<KeyQueryMetadata> {
    return this.introspection.metadataForKey(storeName, key, keySerde)
  }

  /** Every instance of the application that advertises an `applicationServer`, with its stores and partitions. */
  allMetadata(): Promise<StreamsMetadata[]> {
    return this.introspection.allMetadata()
  }

  /** A snapshot of this instance's metrics; see `StreamsMetricsSnapshot` for what it holds. */
  metrics(): Promise<StreamsMetricsSnapshot> {
    return this.introspection.metrics()
  }

  // Internals.

  private async shutDown(): Promise<void> {
    if (this.current === 'CREATED') {
      this.transition('PENDING_SHUTDOWN')
      this.transition('NOT_RUNNING')
      return
    }
    this.stopRequested = true
    if (this.current !== 'ERROR') this.transition('PENDING_SHUTDOWN')
    await this.starting?.catch(() => undefined)
    await this.loop
    if ((this.current as KafkaStreamsState) === 'ERROR') return
    try {
      await this.running?.tasks.commit()
      await this.shutDownClients(true)
    } catch (error) {
      if (this.running !== undefined) {
        this.running.collector.discard()
        await this.running.abortTransaction()
      }
      await this.shutDownClients(false)
      // The group moved on while closing: the new owners redo what was not committed, as after a crash.
      if (isTributaryError(error, 'TRIBUTARY_TASK_MIGRATED')) {
        this.transition('NOT_RUNNING')
        return
      }
      const failure = this.describeFailure(error)
      this.fail(failure)
      throw failure
    }
    this.transition('NOT_RUNNING')
  }

  private async shutDownClients(clean: boolean): Promise<void> {
    const running = this.running
    if (running === undefined) return
    this.running = undefined
    try {
      await running.close(clean)
    } finally {
      this.instance = undefined
    }
  }

  /** A fenced producer or a lost generation (errors from the adapter carry the client's cause): say what to do about it. */
  private describeFailure(error: unknown): unknown {
    if (!(error instanceof TaskMigratedError) || this.config.processingGuarantee !== 'exactly_once_v2' || error.cause === undefined) return error
    return new TaskMigratedError(
      `${error.message} This instance kept losing its tasks for taskTimeoutMs (${this.config.taskTimeoutMs} ms) and stopped (ERROR). ` +
        'Instances sharing one state directory fence each other: give each its own stateDir.',
      { cause: error },
    )
  }

  private fail(error: unknown): void {
    const old = this.current
    if (old === 'ERROR') return
    this.current = 'ERROR'
    this.emit('stateChange', 'ERROR', old)
    this.emit('error', error)
  }

  private transitionIfRunning(next: KafkaStreamsState): void {
    if (this.current === 'RUNNING') this.transition(next)
  }

  private transition(next: KafkaStreamsState): void {
    const old = this.current
    if (old === next) return
    if (!canTransition(old, next)) throw new IllegalStateError(`KafkaStreams cannot go from ${old} to ${next}.`)
    this.current = next
    this.emit('stateChange', next, old)
  }
}
