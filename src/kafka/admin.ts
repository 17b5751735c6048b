import { Admin, ListOffsetTimestamps } from '@platformatic/kafka'
import { KafkaError } from '../core/errors.js'
import { brokerErrorNames, callKafka } from './errors.js'
import type { KafkaSettings } from './connection.js'
import type { GroupMemberDescription, IsolationLevel, KafkaAdmin, OffsetSpec, TopicPartition, TopicSpec } from './types.js'

/** `KafkaAdmin` over the client's `Admin`. */
export class PlatformaticAdmin implements KafkaAdmin {
  readonly #admin: Admin
  readonly #deadlineMs: number

  constructor(settings: KafkaSettings) {
    this.#admin = new Admin(settings.client)
    this.#deadlineMs = settings.deadlineMs
  }

  async createTopics(topics: readonly TopicSpec[]): Promise<void> {
    await this.#create(topics)
    await this.#untilVisible(topics.map((t) => t.name))
  }

  async #create(topics: readonly TopicSpec[]): Promise<void> {
    // One request per topic: the client gives every topic of a request the same partition count.
    for (const topic of topics) {
      try {
        await this.#call(`Creating topic "${topic.name}"`, () =>
          this.#admin.createTopics({
            topics: [topic.name],
            partitions: topic.partitions,
            // -1: the cluster's default.replication.factor.
            replicas: -1,
            configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
          }),
        )
      } catch (error) {
        if (brokerErrorNames(error).includes('TOPIC_ALREADY_EXISTS')) continue
        throw error
      }
    }
  }

  /**
   * Apache Kafka answers CreateTopics once its controller has recorded the topic; brokers learn of
   * it a moment later, and until then metadata lacks it (a produce or a subscription would miss
   * it). Kafka Streams waits for its internal topics to be described before using them; so does this.
   */
  async #untilVisible(names: readonly string[]): Promise<void> {
    const deadline = Date.now() + this.#deadlineMs
    for (let backoffMs = 10; ; backoffMs = Math.min(backoffMs * 2, 200)) {
      const visible = await this.describeTopics(names)
      const missing = names.filter((name) => !visible.has(name))
      if (missing.length === 0) return
      if (Date.now() + backoffMs > deadline) {
        throw new KafkaError(`Topics ${missing.join(', ')} were created but the cluster's metadata still lacks them after ${this.#deadlineMs} ms. Check that the Kafka cluster is healthy.`, { canRetry: true })
      }
      await new Promise((resolve) => setTimeout(resolve, backoffMs))
    }
  }

  async describeTopics(names: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>()
    // Listing first: the client turns a metadata request for a missing topic into an untyped error.
    const existing = new Set(await this.#call('Listing topics', () => this.#admin.listTopics({ includeInternals: true })))
    const wanted = names.filter((name) => existing.has(name))
    if (wanted.length === 0) return counts
    const metadata = await this.#call(`Describing topics ${wanted.join(', ')}`, () =>
      this.#admin.metadata({ topics: wanted, autocreateTopics: false, forceUpdate: true }),
    )
    for (const name of wanted) {
      const topic = metadata.topics.get(name)
      if (topic !== undefined) counts.set(name, topic.partitionsCount)
    }
    return counts
  }

  async deleteRecords(topic: string, partition: number, beforeOffset: bigint): Promise<void> {
    await this.#call(`Deleting records of ${topic}-${partition} before offset ${beforeOffset}`, () =>
      this.#admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition, offset: beforeOffset }] }] }),
    )
  }

  async listOffsets(topic: string, partitions: readonly number[], spec: OffsetSpec, isolationLevel: IsolationLevel = 'read_uncommitted'): Promise<Map<number, bigint>> {
    const timestamp = spec === 'earliest' ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST
    const listed = await this.#call(`Listing ${spec} offsets of ${topic}`, () =>
      this.#admin.listOffsets({
        topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
        // 'latest' under read_committed is the last stable offset: nothing of an open transaction is skipped.
        isolationLevel: isolationLevel === 'read_committed' ? 1 : 0,
      }),
    )
    const offsets = new Map<number, bigint>()
    for (const t of listed) for (const p of t.partitions) offsets.set(p.partitionIndex, p.offset)
    return offsets
  }

  async describeGroupMembers(groupId: string): Promise<GroupMemberDescription[] | undefined> {
    const groups = await this.#call(`Describing group "${groupId}"`, () => this.#admin.describeGroups({ groups: [groupId] }))
    const group = groups.get(groupId)
    // Members' subscriptions and assignments are only described once the group is Stable.
    if (group === undefined || group.state !== 'STABLE') return undefined
    return [...group.members.values()].map((member) => {
      const assignment: TopicPartition[] = []
      for (const { topic, partitions } of member.assignments?.values() ?? []) for (const partition of partitions) assignment.push({ topic, partition })
      const userData = member.metadata?.metadata
      return {
        memberId: member.id,
        clientId: member.clientId,
        userData: userData === undefined || userData === null ? undefined : Buffer.from(userData),
        assignment,
      }
    })
  }

  async close(): Promise<void> {
    await this.#call('Closing the admin client', () => this.#admin.close())
  }

  /** A client call bounded by the operation deadline (plus any wait the call itself asks for). */
  #call<T>(operation: string, call: () => Promise<T>, extraMs = 0): Promise<T> {
    return callKafka(operation, call, this.#deadlineMs + extraMs)
  }
}
