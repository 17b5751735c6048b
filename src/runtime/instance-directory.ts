import { ConfigError } from '../core/errors.js'
import { isPromiseLike } from '../core/maybe-promise.js'
import { partitionForKey } from '../core/partitioner.js'
import type { GroupMemberDescription, KafkaAdmin, KafkaConsumer } from '../kafka/types.js'
import type { Serde } from '../serde/serde.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes } from '../topology/types.js'
import { parseHostPort } from './config.js'
import { InvalidStateStoreError } from './interactive-queries.js'
import type { TaskSpec } from '../engine/task-id.js'
import type { TopicPartition } from '../engine/types.js'
import { decodeSubscriptionInfo } from './subscription-info.js'

/** Where the active copy of a key lives (Kafka Streams' KeyQueryMetadata). */
export interface KeyQueryMetadata {
  /** The owner's `applicationServer`, split. */
  readonly host: string
  readonly port: number
  /** The partition of the store's source topics (and task) the key belongs to. */
  readonly partition: number
}

/** One instance of the application that advertises an `applicationServer` (Kafka Streams' StreamsMetadata). */
export interface StreamsMetadata {
  readonly host: string
  readonly port: number
  /** The stores of the tasks it runs. */
  readonly stores: readonly string[]
  /** The input partitions it is assigned, sorted by topic and partition. */
  readonly partitions: readonly TopicPartition[]
}

export interface InstanceDirectoryDeps {
  readonly topology: Topology
  readonly applicationId: string
  readonly specs: readonly TaskSpec[]
  readonly defaultSerdes: DefaultSerdes
  readonly admin: Pick<KafkaAdmin, 'describeGroupMembers'>
  readonly consumer: Pick<KafkaConsumer, 'groupMetadata'>
}

interface Snapshot {
  readonly generationId: number
  readonly instances: StreamsMetadata[]
  /** `topic\0partition` -> the instance assigned it. */
  readonly owners: Map<string, StreamsMetadata>
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`

/**
 * Which instance holds what. Each member advertises its `applicationServer` in its subscription;
 * the partitions the group leader assigned every member are read back from the group coordinator
 * (DescribeGroups) once per group generation, so all instances answer from the same assignment.
 */
export class InstanceDirectory {
  private snapshot: Snapshot | undefined
  private loading: Promise<Snapshot> | undefined

  constructor(private readonly deps: InstanceDirectoryDeps) {}

  /** Every instance that advertises an `applicationServer`, with its stores and partitions. */
  async allMetadata(): Promise<StreamsMetadata[]> {
    return (await this.current()).instances
  }

  /**
   * The instance holding the active copy of `key` in store `storeName`: the key is serialized with
   * `keySerde` (default: the store's key serde) and hashed with Kafka's default partitioner over
   * the partition count of the store's sub-topology.
   */
  async metadataForKey<K>(storeName: string, key: K, keySerde?: Serde<K>): Promise<KeyQueryMetadata> {
    const { topology, specs, applicationId } = this.deps
    const spec = topology.stores.get(storeName)
    if (spec === undefined) {
      throw new ConfigError(`No state store named "${storeName}". Stores of this topology: ${[...topology.stores.keys()].join(', ') || 'none'}.`)
    }
    const tasks = specs.filter((s) => s.subtopology.stores.includes(storeName))
    if (tasks.length === 0) {
      throw new ConfigError(`State store "${storeName}" is not partitioned by this application's tasks (a global table's store is on every instance); query it locally.`)
    }
    const sourceTopic = topology.topicName(tasks[0]?.subtopology.sourceTopics[0] as string, applicationId)
    // The record key's serde, without the wrapping some stores add to it (a join buffer keeps
    // timestamp and side with the key): partitions were chosen from the record key alone.
    const serde = (keySerde ?? spec.keySerde.serde ?? this.deps.defaultSerdes.keySerde) as Serde<K>
    const serialized = serde.serialize(key, { topic: sourceTopic, isKey: true })
    const bytes = isPromiseLike(serialized) ? await serialized : serialized
    const partition = partitionForKey(bytes, tasks.length)
    const task = tasks.find((t) => t.id.partition === partition) as TaskSpec
    const snapshot = await this.current()
    for (const input of task.inputs) {
      const owner = snapshot.owners.get(partitionKey(input.topic, input.partition))
      if (owner !== undefined) return { host: owner.host, port: owner.port, partition }
    }
    throw new InvalidStateStoreError(
      `No instance advertising an applicationServer owns partition ${partition} of store "${storeName}" right now (the group may be rebalancing, ` +
        'or its owner has no applicationServer configured). Retry shortly.',
      { canRetry: true },
    )
  }

  /** The instances as of the consumer's current group generation, read once per generation. */
  private async current(): Promise<Snapshot> {
    const generationId = this.deps.consumer.groupMetadata().generationId
    if (this.snapshot?.generationId === generationId) return this.snapshot
    this.loading ??= this.load(generationId).finally(() => {
      this.loading = undefined
    })
    return this.loading
  }

  private async load(generationId: number): Promise<Snapshot> {
    const members = await this.deps.admin.describeGroupMembers(this.deps.applicationId)
    if (members === undefined) {
      throw new InvalidStateStoreError(`The consumer group "${this.deps.applicationId}" is rebalancing; instance metadata is not known yet. Retry shortly.`, {
        canRetry: true,
      })
    }
    const snapshot = this.build(generationId, members)
    // A rebalance may have completed while the group was described: keep the answer only if not.
    if (this.deps.consumer.groupMetadata().generationId === generationId) this.snapshot = snapshot
    return snapshot
  }

  private build(generationId: number, members: readonly GroupMemberDescription[]): Snapshot {
    const storesOfPartition = new Map<string, readonly string[]>()
    for (const spec of this.deps.specs) for (const input of spec.inputs) storesOfPartition.set(partitionKey(input.topic, input.partition), spec.subtopology.stores)
    const byServer = new Map<string, { host: string; port: number; stores: Set<string>; partitions: TopicPartition[] }>()
    for (const member of members) {
      const server = decodeSubscriptionInfo(member.userData).applicationServer
      const address = server === undefined ? undefined : parseHostPort(server)
      if (server === undefined || address === undefined) continue
      let entry = byServer.get(server)
      if (entry === undefined) byServer.set(server, (entry = { ...address, stores: new Set(), partitions: [] }))
      for (const p of member.assignment) {
        entry.partitions.push(p)
        for (const store of storesOfPartition.get(partitionKey(p.topic, p.partition)) ?? []) entry.stores.add(store)
      }
    }
    const instances: StreamsMetadata[] = []
    const owners = new Map<string, StreamsMetadata>()
    for (const entry of [...byServer.values()].sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port)) {
      const partitions = entry.partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
      const instance: StreamsMetadata = { host: entry.host, port: entry.port, stores: [...entry.stores].sort(), partitions }
      instances.push(instance)
      for (const p of partitions) owners.set(partitionKey(p.topic, p.partition), instance)
    }
    return { generationId, instances, owners }
  }
}
