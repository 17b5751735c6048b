import { ConfigError, IllegalStateError, TaskMigratedError, TimeoutError } from '../core/errors.js'
import { createKafkaClients, type KafkaClients } from '../kafka/index.js'
import type { KafkaAdmin, KafkaConsumer, KafkaProducer, KafkaReader, KafkaTransactionalProducer } from '../kafka/types.js'
import { jsonSerde } from '../serde/primitive.js'
import type { ReadOnlyKeyValueStore, StateStore } from '../state/types.js'
import type { Topology } from '../topology/topology.js'
import { resolveStreamsConfig, type KafkaStreamsConfig, type ResolvedStreamsConfig } from './config.js'
import { prepareTopics } from './internal-topics.js'
import { KafkaChangelogReader, KafkaRecordCollector } from './kafka-services.js'
import { keyValueStoreView } from '../topology/store-views.js'
import { StateDirectory } from './state-directory.js'
import { canTransition, StreamsEmitter, type KafkaStreamsState } from './streams-events.js'
import { tasksForTopology } from './task-id.js'
import { TaskManager } from './task-manager.js'
import { TransactionSink } from './transaction-sink.js'

export interface KafkaStreamsOptions {
  /** Client factories; default: `createKafkaClients` over the config's connection settings. Tests inject their own. */
  readonly clients?: KafkaClients
}

interface Running {
  readonly admin: KafkaAdmin
  readonly consumer: KafkaConsumer
  readonly producer: KafkaProducer | KafkaTransactionalProducer
  readonly reader: KafkaReader
  readonly collector: KafkaRecordCollector
  readonly tasks: TaskManager
  /** Under exactly_once_v2 only. */
  readonly transaction: TransactionSink | undefined
}

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

  constructor(
    private readonly topology: Topology,
    config: KafkaStreamsConfig,
    private readonly options: KafkaStreamsOptions = {},
  ) {
    super()
    this.config = resolveStreamsConfig(config)
    if (topology.subtopologies.some((s) => s.global === true)) {
      throw new ConfigError('Global tables are not supported by KafkaStreams yet; use a table (builder.table) joined on a co-partitioned topic.')
    }
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
      consumer = clients.consumer({ isolationLevel, coPartitionGroups: layout.copartitionGroups })
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
        collector = new KafkaRecordCollector(transaction)
      } else {
        const plain = clients.producer()
        producer = plain
        collector = new KafkaRecordCollector(plain)
      }
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
      })
      this.running = { admin, consumer, producer, reader, collector, tasks, transaction }
      await consumer.subscribe(layout.sourceTopics, {
        onRevoked: async (partitions) => {
          if (exactlyOnce && partitions.length > 0) {
            // The partitions may already belong to another member, and what this instance processed
            // since its last commit is mixed with the other tasks' in the collector: the only safe
            // move in this release is to stop without committing (the loop aborts the transaction).
            throw new TaskMigratedError(
              `Partitions ${partitions.map((p) => `${p.topic}-${p.partition}`).join(', ')} were revoked from this instance; under exactly_once_v2 ` +
                'Tributary does not rebalance a running instance yet, so it stops (ERROR) without committing and its tasks resume from the last ' +
                'committed transaction. Restart the instance to rejoin the group.',
            )
          }
          this.transitionIfRunning('REBALANCING')
          await tasks.revoke(partitions)
        },
        onAssigned: async (partitions) => {
          this.transitionIfRunning('REBALANCING')
          await tasks.assign(partitions)
        },
      })
    } catch (error) {
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

  /** A read-only view of the local key-value store `name`, across every task of this instance. */
  store<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    const spec = this.topology.stores.get(name)
    if (spec === undefined) throw new ConfigError(`No state store named "${name}". Stores of this topology: ${[...this.topology.stores.keys()].join(', ') || 'none'}.`)
    if (spec.definition.type !== 'keyValue') throw new ConfigError(`State store "${name}" is a ${spec.definition.type} store; only key-value stores can be queried yet.`)
    return keyValueStoreView<K, V>(spec, () => {
      const stores: StateStore[] = []
      for (const task of this.running?.tasks.all() ?? []) {
        if (task.spec.subtopology.stores.includes(name)) stores.push(task.stateStore(name))
      }
      return stores
    })
  }

  // Internals.

  private async runLoop(running: Running): Promise<void> {
    const { consumer, tasks } = running
    let lastCommit = Date.now()
    try {
      while (!this.stopRequested) {
        const records = await consumer.poll(this.config.maxPollRecords, POLL_TIMEOUT_MS)
        if (this.stopRequested) break
        if (this.current === 'REBALANCING') this.transition('RUNNING')
        await tasks.addRecords(records)
        const now = Date.now()
        await tasks.process(now)
        await tasks.punctuate(now)
        tasks.updatePauses()
        if (Date.now() - lastCommit >= this.config.commitIntervalMs) {
          await tasks.commit()
          lastCommit = Date.now()
        }
      }
    } catch (error) {
      // Nothing is committed past the failure: at-least-once may repeat outputs already sent on
      // restart; exactly-once aborts the open transaction, so none of them is ever visible.
      running.collector.discard()
      await this.abortTransaction(running)
      await this.shutDownClients(false)
      this.fail(this.describeFailure(error))
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
        await running.transaction?.commit(running.consumer.groupMetadata(), [])
      }
    } catch (error) {
      failure = error
    }
    for (const client of [running.consumer, running.producer, running.reader, running.admin]) {
      await client.close().catch((error: unknown) => {
        failure ??= error
      })
    }
    if (failure !== undefined && clean) throw failure
  }

  /** Aborts the open transaction, if any; a fenced or broken producer cannot, and the broker aborts it instead. */
  private async abortTransaction(running: Running): Promise<void> {
    await running.transaction?.abort().catch(() => undefined)
  }

  /** A fenced producer or a lost generation (errors from the adapter carry the client's cause): say what to do about it. */
  private describeFailure(error: unknown): unknown {
    if (!(error instanceof TaskMigratedError) || this.config.processingGuarantee !== 'exactly_once_v2' || error.cause === undefined) return error
    return new TaskMigratedError(
      `${error.message} Under exactly_once_v2 this instance does not rejoin by itself yet: it aborted its transaction, closed its tasks ` +
        'without committing and stopped (ERROR). Restart it to rejoin; instances sharing one state directory fence each other, so give each its own.',
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
