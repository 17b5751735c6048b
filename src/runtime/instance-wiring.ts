import { CacheBudget } from '../state/layers/cache-budget.js'
import { createKafkaClients, type KafkaClients } from '../kafka/index.js'
import type { KafkaAdmin } from '../kafka/types.js'
import { StateDirectory } from '../engine/state-directory.js'
import type { RecordsDropped } from '../engine/stream-task.js'
import { formatTaskId, tasksForTopology } from '../engine/task-id.js'
import { jsonSerde } from '../serde/primitive.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes } from '../topology/types.js'
import type { ResolvedStreamsConfig } from './config.js'
import { openGlobalTables } from './global-tables.js'
import { encodeSubscriptionInfo } from './subscription-info.js'
import { statefulTaskIds, streamsAssignor } from './streams-assignor.js'
import { StandbyTasks } from './standby-tasks.js'
import { localTaskOffsetSums } from './task-offset-sums.js'
import { prepareTopics, type TopicLayout } from './internal-topics.js'
import { KafkaChangelogReader, KafkaRecordWriter } from './kafka-services.js'
import { ProducerHolder } from './producer-holder.js'
import { ProductionErrorSink } from './production-error-sink.js'
import type { StreamsIntrospection } from './streams-introspection.js'
import { TaskManager } from './task-manager.js'
import { AssignedGeneration, TaskRecovery } from './task-recovery.js'
import { TransactionSink } from './transaction-sink.js'
import { GlobalTables, RunningInstance } from './running-instance.js'
import { SYSTEM_TIME } from '../core/clock.js'
import { RetryingSink } from './retrying-sink.js'

/** The clients over the config's connection settings, when none are given. */
export function kafkaClientsFor(config: ResolvedStreamsConfig): KafkaClients {
  return createKafkaClients({
    bootstrapServers: config.bootstrapServers,
    clientId: config.clientId,
    applicationId: config.applicationId,
    ...config.security.config(),
    ...(config.retries === undefined ? {} : { retries: config.retries }),
    ...(config.retryDelayMs === undefined ? {} : { retryDelayMs: config.retryDelayMs }),
  })
}

export interface InstanceWiringDeps {
  readonly topology: Topology
  readonly config: ResolvedStreamsConfig
  readonly clients: KafkaClients
  /** Made by the caller from `clients`; closed here if opening fails. */
  readonly admin: KafkaAdmin
  /** Counts what the instance produces and consumes; given the task layout and clients once they exist. */
  readonly introspection: StreamsIntrospection
  /** Called as a rebalance starts being handled. */
  readonly onRebalance: () => void
  /** Called the first time a task drops a record for a reason. */
  readonly onFirstDrop: (drop: RecordsDropped) => void
  /** Standby work failed (see `StandbyTasksDeps.onFailure`); processing goes on. */
  readonly onStandbyFailure: (error: unknown, taskId: string | undefined, retryInMs: number | undefined) => void
}

interface Closable {
  close(): Promise<void>
}

/**
 * Creates the internal topics, checks co-partitioning, then builds the instance (clients,
 * collector, transaction, tasks, their recovery) and bootstraps its global tables. It does not
 * join the group yet (`RunningInstance.join`). On failure it closes whatever it opened.
 */
export async function openInstance(deps: InstanceWiringDeps): Promise<RunningInstance> {
  const { admin } = deps
  const opened: Closable[] = [admin]
  let running: RunningInstance
  try {
    const layout = await prepareTopics(deps.topology, deps.config.applicationId, admin)
    running = wire(deps, admin, layout, (client) => {
      opened.push(client)
      return client
    })
  } catch (error) {
    await Promise.all(opened.map((client) => client.close().catch(() => undefined)))
    throw error
  }
  try {
    await running.bootstrapGlobalTables()
  } catch (error) {
    // A failed bootstrap closes the global tables itself; the rest is closed here.
    await running.close(false)
    throw error
  }
  return running
}

/** Builds the instance over the prepared topics; `track` records each client as it is created. */
function wire(deps: InstanceWiringDeps, admin: KafkaAdmin, layout: TopicLayout, track: <C extends Closable>(client: C) => C): RunningInstance {
  const { topology, config, clients, introspection } = deps
  const defaultSerdes: DefaultSerdes = { keySerde: config.defaultKeySerde ?? jsonSerde(), valueSerde: config.defaultValueSerde ?? jsonSerde() }
  const specs = tasksForTopology(topology, config.applicationId, layout.partitionCounts)
  const exactlyOnce = config.processingGuarantee === 'exactly_once_v2'
  // Under exactly-once, records of aborted transactions (inputs, repartition topics, changelogs) are never read.
  const isolationLevel = exactlyOnce ? 'read_committed' : 'read_uncommitted'
  const stateDirectory = new StateDirectory(config.stateDir, config.applicationId)
  const stateful = statefulTaskIds(topology, specs, config.applicationId)
  const knownTasks = new Set(specs.map((spec) => formatTaskId(spec.id)))
  // Members say at every join how much of each task's state they hold (and where they answer
  // queries); the leader places tasks from that. Read lazily: the tasks exist once joining starts.
  const subscription = (): Buffer =>
    encodeSubscriptionInfo({
      ...(config.applicationServer === undefined ? {} : { applicationServer: config.applicationServer }),
      taskOffsetSums: localTaskOffsetSums({
        stateDirectory,
        known: knownTasks,
        active: (): string[] => tasks.all().map((task) => task.taskId),
        standbys: () => standbys.offsetSums(),
      }),
      watermarks: config.watermarks,
    })
  // A user topic starts where its source's policy says; internal topics (and unset sources) at the earliest offset.
  const offsetResetPolicy = (topic: string): 'earliest' | 'latest' => topology.offsetResetPolicy(topic) ?? 'earliest'
  const consumer = track(
    clients.consumer({
      isolationLevel,
      offsetResetPolicy,
      coPartitionGroups: layout.copartitionGroups,
      sessionTimeoutMs: config.sessionTimeoutMs,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      rebalanceTimeoutMs: config.rebalanceTimeoutMs,
      ...(config.groupInstanceId === undefined ? {} : { groupInstanceId: config.groupInstanceId }),
      userData: subscription,
      assignor: streamsAssignor({
        specs,
        statefulTasks: stateful,
        // In-memory stores would not survive the handover from standby to active.
        numStandbyReplicas: config.storeSupplier === 'memory' ? 0 : config.numStandbyReplicas,
        applicationId: config.applicationId,
        watermarks: config.watermarks,
      }),
    }),
  )
  const reader = track(clients.reader({ isolationLevel }))
  let transaction: TransactionSink | undefined
  let collector: KafkaRecordWriter
  let producer: ProducerHolder
  if (exactlyOnce) {
    // Named after the state directory's process id: a restart on the same state directory
    // fences its previous incarnation (and aborts its open transaction) at once.
    const transactionOptions = { transactionTimeoutMs: config.transactionTimeoutMs }
    const transactional = track(clients.transactionalProducer(stateDirectory.processId(), transactionOptions))
    transaction = new TransactionSink(transactional)
    collector = new KafkaRecordWriter(introspection.countProduced(transaction))
    producer = new ProducerHolder(transactional, { transaction, create: () => clients.transactionalProducer(stateDirectory.processId(), transactionOptions) })
  } else {
    const plain = track(clients.producer())
    // 'continue' drops records the cluster rejects for good; under exactly-once a rejected send dooms the transaction.
    const sink = config.productionExceptionHandler === 'continue' ? new ProductionErrorSink(plain) : plain
    collector = new KafkaRecordWriter(introspection.countProduced(new RetryingSink(sink, { deliveryTimeoutMs: config.deliveryTimeoutMs, time: SYSTEM_TIME })))
    producer = new ProducerHolder(plain)
  }
  const globalTables = new GlobalTables(() =>
    openGlobalTables({ topology, config, clients, isolationLevel, partitionCounts: layout.partitionCounts, stateDirectory, collector, defaultSerdes }),
  )
  const generation = new AssignedGeneration(consumer)
  // One budget for the in-memory copies of every join store of the instance, active and standby.
  const joinCache = config.joinCacheMaxBytes > 0 ? new CacheBudget(config.joinCacheMaxBytes, 'joinCacheMaxBytes') : undefined
  const tasks: TaskManager = new TaskManager({
    topology,
    config,
    specs,
    stateDirectory,
    collector,
    changelogs: new KafkaChangelogReader(reader),
    consumer,
    admin,
    defaultSerdes,
    repartitionTopics: layout.repartitionTopics,
    ...(transaction === undefined ? {} : { transaction }),
    groupMetadata: () => generation.metadata(),
    globalStore: (name) => globalTables.current()?.store(name),
    observer: introspection.recorder,
    onFirstDrop: deps.onFirstDrop,
    ...(joinCache === undefined ? {} : { joinCache }),
  })
  // Standbys read with a reader of their own, opened when the first one is assigned.
  const standbys = new StandbyTasks({
    topology,
    config,
    specs,
    stateDirectory,
    defaultSerdes,
    openReader: () => new KafkaChangelogReader(clients.reader({ isolationLevel })),
    committed: (partitions) => consumer.committed(partitions),
    time: SYSTEM_TIME,
    onFailure: deps.onStandbyFailure,
    ...(joinCache === undefined ? {} : { joinCache }),
  })
  introspection.attach({ specs, stateDirectory, admin, consumer, defaultSerdes, standbys })
  const recovery = new TaskRecovery({
    tasks,
    consumer,
    admin,
    collector,
    transaction,
    generation,
    stateDirectory,
    producer,
    standbys,
    onRebalance: deps.onRebalance,
    offsetResetPolicy,
  })
  return new RunningInstance({
    admin, consumer, producer, reader, collector, tasks, standbys, transaction, generation, recovery, globalTables, sourceTopics: layout.sourceTopics,
  })
}
