import { ConfigError } from '../core/errors.js'
import type { KafkaAdmin, KafkaConsumer } from '../kafka/types.js'
import type { Serde } from '../serde/serde.js'
import type { StateStore } from '../state/types.js'
import type { QueryableStoreType } from '../topology/queryable-store-types.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes } from '../topology/types.js'
import type { GlobalStateMetrics } from './global-state-manager.js'
import { InstanceDirectory, type KeyQueryMetadata, type StreamsMetadata } from './instance-directory.js'
import { InvalidStateStoreError, localStoreView } from './interactive-queries.js'
import type { RecordSink } from './kafka-services.js'
import { measureStores, readConsumerLag } from './metrics-probes.js'
import type { StateDirectory } from '../engine/state-directory.js'
import type { StreamTask } from '../engine/stream-task.js'
import type { StandbyTasks } from './standby-tasks.js'
import type { KafkaStreamsState } from './streams-events.js'
import { StreamsMetricsRecorder, type StreamsMetricsSnapshot } from './streams-metrics.js'
import { formatTaskId, type TaskSpec } from '../engine/task-id.js'

/** What the introspection reads of its instance, whatever state it is in. */
export interface IntrospectedInstance {
  readonly topology: Topology
  readonly applicationId: string
  state(): KafkaStreamsState
  /** The running tasks; empty before start and after close. */
  tasks(): readonly StreamTask[]
  globalStore(name: string): StateStore | undefined
  /** Counters of the global tables, if the topology has any and they are open. */
  globalMetrics(): GlobalStateMetrics | undefined
}

/** What exists only once the instance has started: the task layout and the clients. */
export interface StartedInstance {
  readonly specs: readonly TaskSpec[]
  readonly defaultSerdes: DefaultSerdes
  readonly stateDirectory: StateDirectory
  readonly admin: KafkaAdmin
  readonly consumer: KafkaConsumer
  readonly standbys: Pick<StandbyTasks, 'metrics'>
}

/**
 * Interactive queries and metrics of one KafkaStreams instance, kept apart from its processing
 * loop: `KafkaStreams` only feeds the recorder and hands over its clients once started.
 */
export class StreamsIntrospection {
  readonly recorder = new StreamsMetricsRecorder()
  private started: StartedInstance | undefined
  private directory: InstanceDirectory | undefined

  constructor(private readonly instance: IntrospectedInstance) {}

  attach(started: StartedInstance): void {
    this.started = started
    this.directory = new InstanceDirectory({ ...started, topology: this.instance.topology, applicationId: this.instance.applicationId })
  }

  /** The sink with every acknowledged record counted as produced. */
  countProduced(sink: RecordSink): RecordSink {
    const recorder = this.recorder
    return {
      async send(records) {
        const acks = await sink.send(records)
        recorder.produced(records.length)
        return acks
      },
      flush: () => sink.flush(),
    }
  }

  store<T>(name: string, type: QueryableStoreType<T>): T {
    const { instance } = this
    return localStoreView(instance.topology, name, type, {
      state: () => instance.state(),
      tasks: () => instance.tasks(),
      globalStore: (storeName) => instance.globalStore(storeName),
      pendingTasks: (storeName) => this.pendingTasks(storeName),
    })
  }

  async metadataForKey<K>(storeName: string, key: K, keySerde?: Serde<K>): Promise<KeyQueryMetadata> {
    const stores = this.instance.topology.stores
    if (!stores.has(storeName)) throw new ConfigError(`No state store named "${storeName}". Stores of this topology: ${[...stores.keys()].join(', ') || 'none'}.`)
    return this.startedDirectory().metadataForKey(storeName, key, keySerde)
  }

  async allMetadata(): Promise<StreamsMetadata[]> {
    return this.startedDirectory().allMetadata()
  }

  async metrics(): Promise<StreamsMetricsSnapshot> {
    const tasks = this.instance.tasks()
    const started = this.started
    let consumerLag: StreamsMetricsSnapshot['consumerLag'] = started === undefined ? undefined : []
    let stores: StreamsMetricsSnapshot['stores'] = []
    const standbyTasks = started === undefined ? [] : await started.standbys.metrics()
    if (started !== undefined && tasks.length > 0) {
      const partitions = tasks.flatMap((task) => task.inputPartitions())
      ;[consumerLag, stores] = await Promise.all([
        readConsumerLag(started.consumer, started.admin, partitions),
        measureStores(this.instance.topology, tasks, started.stateDirectory),
      ])
    }
    // Counters are read last: they include at least every commit the lag already reflects.
    const live = this.instance.tasks()
    const base = this.recorder.snapshot(
      this.instance.state(),
      live.map((task) => task.metrics()),
    )
    const eventTime = live.flatMap((task) => task.eventTimeMetrics() ?? [])
    return { ...base, consumerLag, stores, standbyTasks, globalTables: this.instance.globalMetrics(), eventTime }
  }

  /** Tasks holding `storeName` whose partitions the consumer is assigned but that are not running yet. */
  private pendingTasks(storeName: string): string[] {
    const started = this.started
    if (started === undefined) return []
    const running = new Set(this.instance.tasks().map((task) => task.taskId))
    const assigned = new Set(started.consumer.assignment().map((p) => `${p.topic}\u0000${p.partition}`))
    const pending: string[] = []
    for (const spec of started.specs) {
      if (!spec.subtopology.stores.includes(storeName)) continue
      const taskId = formatTaskId(spec.id)
      if (!running.has(taskId) && spec.inputs.some((p) => assigned.has(`${p.topic}\u0000${p.partition}`))) pending.push(taskId)
    }
    return pending
  }

  /** Metadata follows the group: readable while running, retriable while starting or rebalancing. */
  private startedDirectory(): InstanceDirectory {
    const state = this.instance.state()
    if (this.directory !== undefined && state === 'RUNNING') return this.directory
    const retry = state === 'CREATED' || state === 'REBALANCING' || state === 'RUNNING'
    throw new InvalidStateStoreError(
      retry
        ? `Instance metadata is not available while the instance is ${state === 'RUNNING' ? 'starting' : state}: its group assignment is changing. Retry once it is RUNNING.`
        : `Instance metadata is not available: the instance is ${state}. Ask another instance of the application.`,
      { canRetry: retry },
    )
  }
}
