import { IllegalStateError, isTributaryError, TaskMigratedError, TimeoutError } from '../core/errors.js'
import { isPromiseLike } from '../core/maybe-promise.js'
import { createKafkaClients, type KafkaClients } from '../kafka/index.js'
import type { KafkaAdmin, KafkaConsumer, KafkaProducer, KafkaReader, KafkaTransactionalProducer } from '../kafka/types.js'
import { jsonSerde } from '../serde/primitive.js'
import type { ReadOnlyKeyValueStore } from '../state/types.js'
import type { Topology } from '../topology/topology.js'
import { resolveStreamsConfig, type KafkaStreamsConfig, type ResolvedStreamsConfig } from './config.js'
import { prepareTopics } from './internal-topics.js'
import { KafkaChangelogReader, KafkaRecordCollector } from './kafka-services.js'
import { StateDirectory } from '../engine/state-directory.js'
import { canTransition, StreamsEmitter, type KafkaStreamsState } from './streams-events.js'
import { tasksForTopology } from '../engine/task-id.js'
import { TaskManager } from './task-manager.js'
import { TransactionSink } from './transaction-sink.js'
import { QueryableStoreTypes, type QueryableStoreType } from '../topology/queryable-store-types.js'
import type { Serde } from '../serde/serde.js'
import { encodeSubscriptionUserData, type KeyQueryMetadata, type StreamsMetadata } from './instance-directory.js'
import { StreamsIntrospection } from './streams-introspection.js'
import type { StreamsMetricsSnapshot } from './streams-metrics.js'
import type { GlobalStateManager } from './global-state-manager.js'
import { openGlobalTables } from './global-tables.js'
import { ProductionErrorSink } from './production-error-sink.js'
import { isRetriable, RetryBackoff } from './retry-backoff.js'
import { AssignedGeneration, TaskRecovery } from './task-recovery.js'

export interface KafkaStreamsOptions {
  /** Client factories; default: `createKafkaClients` over the config's connection settings. Tests inject their own. */
  readonly clients?: KafkaClients
}

interface Running {
  readonly admin: KafkaAdmin
  readonly consumer: KafkaConsumer
  /** Replaced when a fenced transactional producer is renewed. */
  producer: KafkaProducer | KafkaTransactionalProducer
  readonly reader: KafkaReader
  readonly collector: KafkaRecordCollector
  readonly tasks: TaskManager
  /** Under exactly_once_v2 only. */
  readonly transaction: TransactionSink | undefined
  readonly generation: AssignedGeneration
  readonly recovery: TaskRecovery
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** What the loop must do before it polls again, after a failure it retries. */
type PendingRecovery = 'none' | 'resume' | 'reset'

/** How long one poll waits for records when none is buffered: bounds how late a commit or close is noticed. */
const POLL_TIMEOUT_MS = 100

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
  private readonly config: ResolvedStreamsConfig
  private current: KafkaStreamsState = 'CREATED'
  private running: Running | undefined
  private loop: Promise<void> | undefined
  private starting: Promise<void> | undefined
  private closing: Promise<void> | undefined
  private stopRequested = false
  /** Interactive queries and metrics; fed by the loop, read by `store`, `metadataForKey`, `metrics`. */
  private readonly introspection: StreamsIntrospection
  /** The global tables, bootstrapped before the group is joined; undefined without any. */
  private globalState: GlobalStateManager | undefined

  constructor(
    private readonly topology: Topology,
    config: KafkaStreamsConfig,
    private readonly options: KafkaStreamsOptions = {},
  ) {
    super()
    this.introspection = new StreamsIntrospection({
      topology,
      applicationId: config.applicationId,
      state: () => this.current,
      tasks: () => this.running?.tasks.all() ?? [],
      globalStore: (name) => this.globalState?.store(name),
      globalMetrics: () => this.globalState?.metrics(),
    })
    this.config = resolveStreamsConfig(config)
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
    const { config } = this
    const clients =
      this.options.clients ??
      createKafkaClients({
        bootstrapServers: config.bootstrapServers,
        clientId: config.clientId,
        applicationId: config.applicationId,
        ...(config.retries === undefined ? {} : { retries: config.retries }),
        ...(config.retryDelayMs === undefined ? {} : { retryDelayMs: config.retryDelayMs }),
      })
    const admin = clients.admin()
    let consumer: KafkaConsumer | undefined
    let producer: KafkaProducer | KafkaTransactionalProducer | undefined
    let reader: KafkaReader | undefined
    try {
      const layout = await prepareTopics(this.topology, config.applicationId, admin)
      const specs = tasksForTopology(this.topology, config.applicationId, layout.partitionCounts)
      const exactlyOnce = config.processingGuarantee === 'exactly_once_v2'
      // Under exactly-once, records of aborted transactions (inputs, repartition topics, changelogs) are never read.
      const isolationLevel = exactlyOnce ? 'read_committed' : 'read_uncommitted'
      consumer = clients.consumer({
        isolationLevel,
        coPartitionGroups: layout.copartitionGroups,
        sessionTimeoutMs: config.sessionTimeoutMs,
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        rebalanceTimeoutMs: config.rebalanceTimeoutMs,
        // Members advertise their applicationServer so that every instance can answer metadataForKey.
        userData: encodeSubscriptionUserData(config.applicationServer),
      })
      reader = clients.reader({ isolationLevel })
      const stateDirectory = new StateDirectory(config.stateDir, config.applicationId)
      let transaction: TransactionSink | undefined
      let collector: KafkaRecordCollector
      if (exactlyOnce) {
        // Named after the state directory's process id: a restart on the same state directory
        // fences its previous incarnation (and aborts its open transaction) at once.
        const transactional = clients.transactionalProducer(stateDirectory.processId())
        producer = transactional
        transaction = new TransactionSink(transactional)
        collector = new KafkaRecordCollector(this.introspection.countProduced(transaction))
      } else {
        const plain = clients.producer()
        producer = plain
        // 'continue' drops records the cluster rejects for good; under exactly-once a rejected send dooms the transaction.
        collector = new KafkaRecordCollector(
          this.introspection.countProduced(config.productionExceptionHandler === 'continue' ? new ProductionErrorSink(plain) : plain),
        )
      }
      const generation = new AssignedGeneration(consumer)
      const tasks = new TaskManager({
        topology: this.topology,
        config,
        specs,
        stateDirectory,
        collector,
        changelogs: new KafkaChangelogReader(reader),
        consumer,
        admin,
        defaultSerdes: { keySerde: config.defaultKeySerde ?? jsonSerde(), valueSerde: config.defaultValueSerde ?? jsonSerde() },
        repartitionTopics: layout.repartitionTopics,
        ...(transaction === undefined ? {} : { transaction }),
        groupMetadata: () => generation.metadata(),
        globalStore: (name) => this.globalState?.store(name),
        observer: this.introspection.recorder,
      })
      this.introspection.attach({
        specs,
        stateDirectory,
        admin,
        consumer,
        defaultSerdes: { keySerde: config.defaultKeySerde ?? jsonSerde(), valueSerde: config.defaultValueSerde ?? jsonSerde() },
      })
      const recovery = new TaskRecovery({
        tasks,
        consumer,
        admin,
        collector,
        transaction,
        generation,
        stateDirectory,
        renewProducer: async () => {
          const running = this.running
          if (running === undefined || transaction === undefined) return
          await running.producer.close().catch(() => undefined)
          const renewed = clients.transactionalProducer(stateDirectory.processId())
          running.producer = renewed
          transaction.replaceProducer(renewed)
        },
        onRebalance: () => this.transitionIfRunning('REBALANCING'),
      })
      this.running = { admin, consumer, producer, reader, collector, tasks, transaction, generation, recovery }
      const defaultSerdes = { keySerde: config.defaultKeySerde ?? jsonSerde(), valueSerde: config.defaultValueSerde ?? jsonSerde() }
      this.globalState = await openGlobalTables({
        topology: this.topology, config, clients, admin, isolationLevel, partitionCounts: layout.partitionCounts, stateDirectory, collector, defaultSerdes,
      })
      await consumer.subscribe(layout.sourceTopics, recovery.listener())
      generation.adopt()
    } catch (error) {
      await this.closeGlobalState(false).catch(() => undefined)
      if (this.running !== undefined) await this.shutDownClients(false)
      else await Promise.all([consumer?.close(), producer?.close(), reader?.close(), admin.close()].map((p) => p?.catch(() => undefined)))
      this.fail(error)
      throw error
    }
    // close() was called while joining: it commits and closes once this returns.
    if (this.stopRequested) return
    this.transition('RUNNING')
    this.loop = this.runLoop(this.running)
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

  /**
   * Polls, processes, punctuates and commits until close(). A failure the Kafka adapter marks
   * retriable (a broker restarting, a lost generation, a fenced producer) is retried with
   * exponential backoff: a failed commit first abandons the uncommitted work (see
   * `TaskRecovery.resetTasks`). The instance goes to ERROR only when retriable failures last
   * `taskTimeoutMs` without a success in between, or at once on any other failure.
   */
  private async runLoop(running: Running): Promise<void> {
    const { consumer, tasks, recovery } = running
    const backoff = new RetryBackoff({ taskTimeoutMs: this.config.taskTimeoutMs })
    let lastCommit = Date.now()
    let pending: PendingRecovery = 'none'
    let lastFailure: unknown
    // Set while commits fail: polls that succeed meanwhile do not count as recovering.
    let commitFailing = false
    while (!this.stopRequested) {
      let committing = false
      try {
        if (pending !== 'none') {
          if (pending === 'reset') await recovery.resetTasks(lastFailure)
          else await recovery.resumeAssigned()
          pending = 'none'
        }
        const records = await consumer.poll(this.config.maxPollRecords, POLL_TIMEOUT_MS)
        this.introspection.recorder.consumed(records.length)
        if (this.stopRequested) break
        if (this.current === 'REBALANCING') this.transition('RUNNING')
        // Synchronous serdes and operators (the usual case) make these plain calls, no promise.
        const added = tasks.addRecords(records)
        if (isPromiseLike(added)) await added
        if (this.globalState !== undefined) await this.globalState.update()
        const now = Date.now()
        const processed = tasks.process(now)
        if (isPromiseLike(processed)) await processed
        await tasks.punctuate(now)
        tasks.updatePauses()
        if (commitFailing || Date.now() - lastCommit >= this.config.commitIntervalMs) {
          committing = true
          await tasks.commit()
          await this.globalState?.commit()
          lastCommit = Date.now()
          commitFailing = false
        }
        if (!commitFailing) backoff.succeeded()
        // A poll served from the prefetched buffer resolves without waiting on I/O: give the
        // producer's acks, the next fetch and the collector's linger timer their turn.
        await yieldToEventLoop()
      } catch (error) {
        const migrated = isTributaryError(error, 'TRIBUTARY_TASK_MIGRATED')
        if (isRetriable(error) && this.stopRequested) {
          // close() was called meanwhile: it commits what can still be committed.
          if (committing || migrated) pending = 'reset'
          break
        }
        const pause = isRetriable(error) ? backoff.failed() : undefined
        if (pause === undefined) {
          // Nothing is committed past the failure: at-least-once may repeat outputs already sent on
          // restart; exactly-once aborts the open transaction, so none of them is ever visible.
          running.collector.discard()
          await this.abortTransaction(running)
          await this.shutDownClients(false)
          this.fail(this.describeFailure(error))
          return
        }
        lastFailure = error
        if (committing) commitFailing = true
        // What a failed commit sent cannot be committed any more (and the collector forgot it).
        if (committing || migrated || pending === 'reset') pending = 'reset'
        else pending = 'resume'
        await this.sleepUnlessClosing(pause)
      }
    }
    if (pending === 'reset') {
      // Closing with work that can no longer be committed: leave it for the next owner.
      running.collector.discard()
      await this.abortTransaction(running)
      await tasks.closeAll(false).catch(() => undefined)
    }
  }

  private async sleepUnlessClosing(ms: number): Promise<void> {
    const until = Date.now() + ms
    while (!this.stopRequested && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, until - Date.now())))
    }
  }

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
        await this.abortTransaction(this.running)
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
    let failure: unknown
    try {
      await running.tasks.closeAll(clean)
      // A clean close may still flush a store; its records go out before the producer closes.
      if (clean) {
        await running.collector.flush()
        // Under exactly-once such records are in a transaction of their own, committed here.
        await running.transaction?.commit(running.generation.metadata(), [])
      }
    } catch (error) {
      failure = error
    }
    await this.closeGlobalState(clean).catch((error: unknown) => {
      failure ??= error
    })
    for (const client of [running.consumer, running.producer, running.reader, running.admin]) {
      await client.close().catch((error: unknown) => {
        failure ??= error
      })
    }
    if (failure !== undefined && clean) throw failure
  }

  /** Closes the global tables (a clean close writes their checkpoint) and their reader. */
  private async closeGlobalState(clean: boolean): Promise<void> {
    const global = this.globalState
    this.globalState = undefined
    await global?.close(clean)
  }

  /** Aborts the open transaction, if any; a fenced or broken producer cannot, and the broker aborts it instead. */
  private async abortTransaction(running: Running): Promise<void> {
    await running.transaction?.abort().catch(() => undefined)
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
