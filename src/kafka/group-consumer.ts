import { Consumer, ListOffsetTimestamps } from '@platformatic/kafka'
import { IllegalStateError } from '../core/errors.js'
import { assignCoPartitioned } from './co-partition-assignor.js'
import { carryGroupUserData } from './group-user-data.js'
import { callKafka, toKafkaError } from './errors.js'
import { PartitionFetcher, keyToPartition, partitionKey } from './partition-fetcher.js'
import { closeForcefully, type KafkaSettings } from './connection.js'
import { retryOnBrokerError } from './retry-on-broker-error.js'
import { requireStableOffsets } from './stable-offset-fetch.js'
import type {
  AssignmentListener, GroupAssignor, GroupMetadata, IsolationLevel, KafkaConsumer, MemberAssignment, RawRecord, TopicPartition, TopicPartitionOffset,
} from './types.js'

export interface GroupConsumerOptions {
  readonly groupId: string
  readonly isolationLevel: IsolationLevel
  /**
   * Records buffered and not yet polled above which fetching stops (default 10000), shared
   * evenly between the assigned partitions so that one partition's backlog never starves another.
   */
  readonly maxBufferedRecords?: number
  /** Upper bound of bytes per fetch (default 4 MiB). */
  readonly maxBytesPerFetch?: number
  /** Topics whose equal partition numbers must go to the same member. */
  readonly coPartitionGroups?: readonly (readonly string[])[]
  readonly sessionTimeoutMs?: number
  readonly heartbeatIntervalMs?: number
  readonly rebalanceTimeoutMs?: number
  /**
   * Static membership (Kafka's `group.instance.id`, KIP-345): a member that rejoins under the same
   * id within its session takes its old place and assignment without a rebalance.
   */
  readonly groupInstanceId?: string
  /**
   * Opaque bytes this member advertises in its group subscription (the user data of Kafka's
   * ConsumerProtocolSubscription); other members read them with `KafkaAdmin.describeGroupMembers`,
   * the leader's `assignor` with the subscriptions. A function is called at every join, so the
   * member can report what it holds at that moment.
   */
  readonly userData?: Buffer | (() => Buffer)
  /**
   * Computes the assignment when this member leads the group; default: co-partitioned topics
   * together (`coPartitionGroups`), the rest spread partition by partition. With a single member
   * the client assigns it everything without asking the assignor.
   */
  readonly assignor?: GroupAssignor
  /**
   * Where a partition of `topic` without a committed offset, or whose position fell out of the log,
   * starts: `'earliest'` (the default, Kafka Streams' `auto.offset.reset`) or `'latest'`, the end
   * of the log (its last stable offset under read_committed).
   */
  readonly offsetResetPolicy?: (topic: string) => 'earliest' | 'latest'
}

interface GroupAssignment {
  topic: string
  partitions: number[]
}

interface PendingAssignment {
  readonly partitions: GroupAssignment[]
  readonly userData: Buffer | undefined
}

/** How much longer than the rebalance timeout a JoinGroup may take (Kafka's consumer: 5 s). */
const JOIN_GROUP_GRACE_MS = 5_000

const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve())

/**
 * A consumer group member. Membership (join, sync, heartbeats, rejoin on rebalance) is the
 * client's; fetching is Tributary's own, so positions, pause, seek and the buffer bound are exact.
 * The client reports a new assignment only after it has rejoined, so `onRevoked` runs after the
 * rebalance rather than before it (see `AssignmentListener`).
 */
export class PlatformaticGroupConsumer implements KafkaConsumer {
  readonly #consumer: Consumer
  readonly #fetcher: PartitionFetcher
  readonly #maxBuffered: number
  readonly #assigned = new Map<string, TopicPartition>()
  readonly #positions = new Map<string, bigint>()
  readonly #fetchOffsets = new Map<string, bigint>()
  /** The end offset of each partition as of its latest fetch (high watermark, or LSO under read_committed). */
  readonly #endOffsets = new Map<string, bigint>()
  readonly #buffers = new Map<string, RawRecord[]>()
  readonly #paused = new Set<string>()
  #buffered = 0
  #listener: AssignmentListener | undefined
  #pendingAssignment: PendingAssignment | undefined
  /** The user data of the last assignment received, until the client reports that assignment. */
  #receivedUserData: Buffer | undefined
  /** The user data this member, as leader, attached to each member's assignment of one generation. */
  #sentUserData: { readonly generationId: number; readonly byMember: Map<string, Buffer> } | undefined
  #nextPartition = 0
  #closed = false
  #membershipError: unknown
  /** The membership must be renewed before the next poll returns records (see `rejoinGroup`). */
  #rejoinRequested = false
  /** The fetch `poll()` leaves running while the caller processes what it returned. */
  #prefetch: Promise<void> | undefined
  #prefetchFailure: { readonly error: unknown } | undefined
  readonly #deadlineMs: number
  readonly #rebalanceTimeoutMs: number
  readonly #isolationLevel: IsolationLevel
  readonly #offsetResetPolicy: ((topic: string) => 'earliest' | 'latest') | undefined

  constructor(settings: KafkaSettings, options: GroupConsumerOptions) {
    const assignor = options.assignor ?? coPartitionAssignor(options.coPartitionGroups ?? [])
    const userData = options.userData
    this.#deadlineMs = settings.deadlineMs
    this.#rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 60_000
    this.#consumer = new Consumer({
      ...settings.client,
      // The broker holds a JoinGroup until every member has rejoined or been expired, up to the
      // rebalance timeout: Kafka's consumer waits for it rebalance timeout + 5 s rather than its
      // request timeout. The client has one timeout for every request, so the member's is that.
      requestTimeout: Math.max(settings.client.requestTimeout, this.#rebalanceTimeoutMs + JOIN_GROUP_GRACE_MS),
      groupId: options.groupId,
      ...(options.groupInstanceId === undefined ? {} : { groupInstanceId: options.groupInstanceId }),
      autocommit: false,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      rebalanceTimeout: this.#rebalanceTimeoutMs,
      // The protocol keeps the client's default name; only the subscription's user data is ours
      // (a function's is filled in at each join, see carryGroupUserData).
      ...(userData === undefined ? {} : { protocols: [{ name: 'roundrobin', version: 1, metadata: Buffer.isBuffer(userData) ? userData : Buffer.alloc(0) }] }),
      partitionAssigner: (_current, members, topics, metadata) => {
        const plan = assignor(
          [...members.values()].map((m) => ({ memberId: m.memberId, userData: Buffer.isBuffer(m.metadata) ? m.metadata : undefined })),
          [...topics].map((name) => ({ name, partitions: metadata.topics.get(name)?.partitionsCount ?? 0 })),
        )
        this.#sentUserData = { generationId: this.#consumer.generationId, byMember: new Map() }
        return [...members.keys()].map((memberId) => {
          const assigned: MemberAssignment = plan.get(memberId) ?? { partitions: [] }
          if (assigned.userData !== undefined) this.#sentUserData?.byMember.set(memberId, assigned.userData)
          const byTopic = new Map<string, GroupAssignment>()
          for (const { topic, partitions } of groupByTopic(assigned.partitions)) byTopic.set(topic, { topic, partitions })
          return { memberId, assignments: byTopic }
        })
      },
    })
    carryGroupUserData(this.#consumer, {
      ...(typeof userData === 'function' ? { subscription: userData } : {}),
      assignment: (generationId, memberId) => (this.#sentUserData?.generationId === generationId ? this.#sentUserData.byMember.get(memberId) : undefined),
      received: (data) => {
        this.#receivedUserData = data
      },
    })
    if (options.isolationLevel === 'read_committed') requireStableOffsets(this.#consumer)
    this.#isolationLevel = options.isolationLevel
    this.#offsetResetPolicy = options.offsetResetPolicy
    this.#maxBuffered = options.maxBufferedRecords ?? 10_000
    this.#fetcher = new PartitionFetcher(this.#consumer, options.isolationLevel, options.maxBytesPerFetch ?? 4 * 1024 * 1024, settings.deadlineMs)
    this.#consumer.on('consumer:group:join', (payload) => {
      this.#pendingAssignment = { partitions: payload.assignments ?? [], userData: this.#receivedUserData }
      this.#receivedUserData = undefined
    })
    // A failed background rejoin is emitted as 'error'; unheard it would crash the process. The
    // client does not try again, so the next poll does.
    this.#consumer.on('error', (error: unknown) => {
      this.#membershipError = error
      this.#rejoinRequested = true
    })
    this.#watchHeartbeats()
  }

  /**
   * @platformatic/kafka 1.35 stops heartbeating for good after a heartbeat that failed for a
   * reason other than the group's (a cut connection, a broker restarting): it cancels its timer,
   * then refreshes the cancelled one (fixed upstream in platformatic/kafka#376, in the 2.x line,
   * which needs Node 22; drop this watch with it). The member then expires a session timeout later
   * while the instance goes on processing, and under exactly-once every commit is refused from
   * then on. So when a heartbeat failed and the client is no longer heartbeating, the next poll
   * rejoins: the join restarts the heartbeats, and a follower's rejoin of a stable group keeps its
   * assignment without a rebalance. A client that goes on heartbeating stays active and is left alone.
   */
  #watchHeartbeats(): void {
    this.#consumer.on('consumer:heartbeat:error', () => {
      setImmediate(() => {
        if (!this.#closed && this.#consumer.memberId !== null && !this.#consumer.isActive()) this.#rejoinRequested = true
      })
    })
  }

  async subscribe(topics: readonly string[], listener: AssignmentListener): Promise<void> {
    if (this.#listener !== undefined && this.#listener !== listener) {
      throw new IllegalStateError('subscribe() was already called on this consumer; create a new one to change topics.')
    }
    if (this.#listener === undefined) {
      this.#listener = listener
      this.#consumer.topics.trackAll(...topics)
    }
    // A join that failed (timed out, a coordinator moving) is retried by calling subscribe() again.
    await this.#call(`Joining group "${this.#consumer.groupId}"`, () => this.#consumer.joinGroup({}), this.#rebalanceTimeoutMs)
    await this.#applyPendingAssignment()
  }

  async poll(maxRecords: number, timeoutMs: number): Promise<RawRecord[]> {
    this.#checkOpen('poll')
    if (this.#membershipError !== undefined) {
      const error = this.#membershipError
      this.#membershipError = undefined
      throw toKafkaError(`Rejoining group "${this.#consumer.groupId}"`, error)
    }
    if (this.#rejoinRequested) await this.#rejoin()
    await this.#applyPendingAssignment()
    // What the last poll left fetching is in (or failed) before anything else is fetched.
    if (this.#readyRecords() === 0 && this.#prefetch !== undefined) await this.#prefetch
    if (this.#prefetchFailure !== undefined) {
      const { error } = this.#prefetchFailure
      this.#prefetchFailure = undefined
      throw error
    }
    const ready = this.#readyRecords()
    if (ready === 0 && this.#fetchable().length > 0) {
      // Long-poll only when there is nothing to return yet.
      await this.#fetchMore(timeoutMs)
      // A rebalance may have completed while the fetch was in flight.
      await this.#applyPendingAssignment()
    } else if (ready === 0) {
      // Every partition is paused or holds its share of the bound: wait as an empty poll would,
      // so the caller's loop does not spin.
      await sleep(timeoutMs)
    }
    const records = this.#drain(maxRecords)
    this.#prefetchIfRoom(maxRecords)
    return records
  }

  /**
   * While the consumer is behind (records are left after this poll, but fewer than the next one
   * takes, or some partition has nothing buffered), starts fetching more while the caller
   * processes these, so the next poll finds them buffered instead of waiting for a round trip. A
   * partition with nothing buffered is fetched even while others have plenty, as Kafka's fetcher
   * does: a task waiting for that partition's data (task idling) gets it, and its lag is known. A
   * consumer that has caught up fetches (long-polls) in the next poll as before: fetching ahead
   * would mostly bring nothing. The fetch does
   * not wait on the broker (max wait 0): a long poll in flight would hold back the group's
   * commits behind it on the connection. Results for partitions sought or revoked meanwhile are
   * dropped by `#fetchMore`.
   */
  #prefetchIfRoom(maxRecords: number): void {
    if (this.#prefetch !== undefined || this.#closed) return
    const ready = this.#readyRecords()
    if (ready === 0) return
    const fetchable = this.#fetchable()
    if (fetchable.length === 0) return
    if (ready >= maxRecords && !fetchable.some((key) => !this.#buffers.has(key))) return
    this.#prefetch = this.#fetchMore(0)
      .catch((error: unknown) => {
        if (!this.#closed) this.#prefetchFailure ??= { error }
      })
      .finally(() => {
        this.#prefetch = undefined
      })
  }

  rejoinGroup(): void {
    this.#rejoinRequested = true
  }

  async #rejoin(): Promise<void> {
    this.#rejoinRequested = false
    try {
      await this.#call(`Rejoining group "${this.#consumer.groupId}"`, () => this.#consumer.joinGroup({}), this.#rebalanceTimeoutMs)
    } catch (error) {
      this.#rejoinRequested = true
      throw error
    }
  }

  assignment(): TopicPartition[] {
    return [...this.#assigned.values()]
  }

  bufferedRecords(): number {
    return this.#buffered
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.#paused.add(partitionKey(p.topic, p.partition))
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.#paused.delete(partitionKey(p.topic, p.partition))
  }

  position({ topic, partition }: TopicPartition): bigint | undefined {
    return this.#positions.get(partitionKey(topic, partition))
  }

  currentLag({ topic, partition }: TopicPartition): bigint | undefined {
    const key = partitionKey(topic, partition)
    const end = this.#endOffsets.get(key)
    const position = this.#positions.get(key)
    if (end === undefined || position === undefined) return undefined
    return end > position ? end - position : 0n
  }

  seek({ topic, partition }: TopicPartition, offset: bigint): void {
    const key = partitionKey(topic, partition)
    if (!this.#assigned.has(key)) throw new IllegalStateError(`Cannot seek ${topic}-${partition}: it is not assigned to this consumer.`)
    this.#dropBuffer(key)
    this.#positions.set(key, offset)
    this.#fetchOffsets.set(key, offset)
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return
    await this.#call('Committing offsets', () =>
      this.#consumer.commit({ offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: -1 })) }),
    )
  }

  async committed(partitions: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
    return [...(await this.#committedByKey(partitions))].map(([key, offset]) => ({ ...keyToPartition(key), offset }))
  }

  async #committedByKey(partitions: readonly TopicPartition[]): Promise<Map<string, bigint>> {
    const byTopic = new Map<string, number[]>()
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition])
    // UNSTABLE_OFFSET_COMMIT: a transaction that committed offsets is still writing its markers.
    const listed = await retryOnBrokerError(['UNSTABLE_OFFSET_COMMIT'], this.#deadlineMs, () =>
      this.#call('Reading committed offsets', () => this.#consumer.listCommittedOffsets({ topics: [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps })) })),
    )
    const result = new Map<string, bigint>()
    for (const [topic, ps] of byTopic) {
      const offsets = listed.get(topic)
      for (const p of ps) {
        const offset = offsets?.[p]
        if (offset !== undefined && offset >= 0n) result.set(partitionKey(topic, p), offset)
      }
    }
    return result
  }

  groupMetadata(): GroupMetadata {
    const memberId = this.#consumer.memberId
    const coordinatorId = this.#consumer.coordinatorId
    if (memberId === null || coordinatorId === null) {
      throw new IllegalStateError('groupMetadata() needs a joined group; call subscribe() first.')
    }
    return { groupId: this.#consumer.groupId, generationId: this.#consumer.generationId, memberId, coordinatorId }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      // Leaving the group lets the other members take over at once instead of after the session timeout.
      await this.#call('Closing the consumer', () => this.#consumer.close())
    } catch (error) {
      await this.#call('Closing the consumer without leaving the group', () => closeForcefully(this.#consumer)).catch(() => undefined)
      throw error
    }
  }

  #checkOpen(operation: string): void {
    if (this.#closed) throw new IllegalStateError(`${operation}() was called after close().`)
  }

  async #applyPendingAssignment(): Promise<void> {
    while (this.#pendingAssignment !== undefined) {
      const next = this.#pendingAssignment
      this.#pendingAssignment = undefined
      const wanted = new Map<string, TopicPartition>()
      for (const { topic, partitions } of next.partitions) for (const partition of partitions) wanted.set(partitionKey(topic, partition), { topic, partition })
      const revoked = [...this.#assigned].filter(([key]) => !wanted.has(key))
      const added = [...wanted].filter(([key]) => !this.#assigned.has(key))
      for (const [key] of revoked) {
        this.#dropBuffer(key)
        this.#assigned.delete(key)
        this.#positions.delete(key)
        this.#fetchOffsets.delete(key)
        this.#endOffsets.delete(key)
        this.#paused.delete(key)
      }
      if (revoked.length > 0) await this.#listener?.onRevoked(revoked.map(([, tp]) => tp))
      await this.#listener?.onAssignmentUserData?.(next.userData)
      if (revoked.length === 0 && added.length === 0) await this.#listener?.onRejoined?.()
      if (added.length === 0) continue
      const start = await this.#startingOffsets(added.map(([, tp]) => tp))
      for (const [key, tp] of added) {
        this.#assigned.set(key, tp)
        const offset = start.get(key) ?? 0n
        this.#positions.set(key, offset)
        this.#fetchOffsets.set(key, offset)
      }
      await this.#listener?.onAssigned(added.map(([, tp]) => tp))
    }
  }

  /** The committed offset of each partition, or where its topic's reset policy starts when the group has none. */
  async #startingOffsets(partitions: TopicPartition[]): Promise<Map<string, bigint>> {
    const start = await this.#committedByKey(partitions)
    const missing = partitions.filter((p) => !start.has(partitionKey(p.topic, p.partition)))
    if (missing.length > 0) for (const [key, offset] of await this.#resetOffsets(missing)) start.set(key, offset)
    return start
  }

  /** Where each partition starts under its topic's reset policy: its earliest or its latest offset. */
  async #resetOffsets(partitions: TopicPartition[]): Promise<Map<string, bigint>> {
    const policy = this.#offsetResetPolicy
    const latest = policy === undefined ? [] : partitions.filter((p) => policy(p.topic) === 'latest')
    const earliest = latest.length === 0 ? partitions : partitions.filter((p) => !latest.includes(p))
    const offsets = new Map<string, bigint>()
    if (earliest.length > 0) for (const [key, offset] of await this.#listOffsets(earliest, 'earliest')) offsets.set(key, offset)
    if (latest.length > 0) for (const [key, offset] of await this.#listOffsets(latest, 'latest')) offsets.set(key, offset)
    return offsets
  }

  async #listOffsets(partitions: TopicPartition[], at: 'earliest' | 'latest'): Promise<Map<string, bigint>> {
    const topics = [...new Set(partitions.map((p) => p.topic))]
    const listed = await this.#call(`Listing ${at} offsets`, () =>
      this.#consumer.listOffsets({
        topics,
        timestamp: at === 'earliest' ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST,
        // The end of a partition a read_committed member may read up to: its last stable offset.
        isolationLevel: this.#isolationLevel === 'read_committed' ? 1 : 0,
      }),
    )
    return new Map(partitions.map((p) => [partitionKey(p.topic, p.partition), listed.get(p.topic)?.[p.partition] ?? 0n]))
  }

  /**
   * The partitions to fetch: assigned, not paused, and holding less than their share of the
   * buffer bound, so a partition with a backlog cannot keep the others from being fetched.
   */
  #fetchable(): string[] {
    const share = Math.max(1, Math.ceil(this.#maxBuffered / Math.max(1, this.#assigned.size)))
    const keys: string[] = []
    for (const key of this.#assigned.keys()) {
      if (!this.#paused.has(key) && (this.#buffers.get(key)?.length ?? 0) < share) keys.push(key)
    }
    return keys
  }

  async #fetchMore(maxWaitMs: number): Promise<void> {
    const requests: TopicPartitionOffset[] = []
    for (const key of this.#fetchable()) {
      const offset = this.#fetchOffsets.get(key)
      if (offset !== undefined) requests.push({ ...(this.#assigned.get(key) as TopicPartition), offset })
    }
    if (requests.length === 0) {
      // Nothing to fetch: wait like an empty fetch would, so a poll loop does not spin.
      await sleep(maxWaitMs)
      return
    }
    const fetched = await this.#fetcher.fetch(requests, maxWaitMs)
    const outOfRange: TopicPartition[] = []
    for (const request of requests) {
      const key = partitionKey(request.topic, request.partition)
      const result = fetched.get(key)
      // Drop results for partitions revoked or sought while the fetch was in flight.
      if (result === undefined || this.#fetchOffsets.get(key) !== request.offset) continue
      if (result.outOfRange === true) {
        outOfRange.push(request)
        continue
      }
      this.#fetchOffsets.set(key, result.nextOffset)
      if (result.endOffset !== undefined) this.#endOffsets.set(key, result.endOffset)
      if (result.records.length === 0) {
        if (!this.#buffers.has(key)) this.#positions.set(key, result.nextOffset)
        continue
      }
      const buffer = this.#buffers.get(key)
      if (buffer === undefined) this.#buffers.set(key, result.records)
      else for (const record of result.records) buffer.push(record)
      this.#buffered += result.records.length
    }
    if (outOfRange.length > 0) await this.#resetOutOfRange(outOfRange)
  }

  /** As Kafka Streams' `auto.offset.reset`: skip what was deleted (or jump to the end under 'latest'), keep going. */
  async #resetOutOfRange(partitions: TopicPartition[]): Promise<void> {
    const reset = await this.#resetOffsets(partitions)
    for (const tp of partitions) {
      const key = partitionKey(tp.topic, tp.partition)
      const offset = reset.get(key)
      if (offset === undefined || !this.#assigned.has(key)) continue
      this.#fetchOffsets.set(key, offset)
      if (!this.#buffers.has(key)) this.#positions.set(key, offset)
    }
  }

  /** Buffered records of unpaused partitions: what `poll()` could return without fetching. */
  #readyRecords(): number {
    let ready = 0
    for (const [key, buffer] of this.#buffers) if (!this.#paused.has(key)) ready += buffer.length
    return ready
  }

  #drain(maxRecords: number): RawRecord[] {
    const out: RawRecord[] = []
    const keys = [...this.#buffers.keys()].filter((key) => !this.#paused.has(key))
    // Start at a different partition each poll so no partition starves the others.
    for (let i = 0; i < keys.length && out.length < maxRecords; i++) {
      const key = keys[(this.#nextPartition + i) % keys.length] as string
      const buffer = this.#buffers.get(key) as RawRecord[]
      const take = buffer.splice(0, maxRecords - out.length)
      for (const record of take) out.push(record)
      this.#buffered -= take.length
      const last = take[take.length - 1]
      if (buffer.length === 0) {
        this.#buffers.delete(key)
        this.#positions.set(key, this.#fetchOffsets.get(key) as bigint)
      } else if (last !== undefined) {
        this.#positions.set(key, last.offset + 1n)
      }
    }
    this.#nextPartition++
    return out
  }

  #dropBuffer(key: string): void {
    const buffer = this.#buffers.get(key)
    if (buffer === undefined) return
    this.#buffered -= buffer.length
    this.#buffers.delete(key)
  }

  /** A client call bounded by the operation deadline (plus any wait the call itself asks for). */
  #call<T>(operation: string, call: () => Promise<T>, extraMs = 0): Promise<T> {
    return callKafka(operation, call, this.#deadlineMs + extraMs)
  }
}

/** The default assignor: co-partitioned topics together, the rest spread partition by partition. */
function coPartitionAssignor(groups: readonly (readonly string[])[]): GroupAssignor {
  return (members, topics) => {
    const plan = assignCoPartitioned(members.map((m) => m.memberId), topics, groups)
    return new Map(
      [...plan].map(([memberId, byTopic]) => [memberId, { partitions: [...byTopic].flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition }))) }]),
    )
  }
}

function groupByTopic(partitions: readonly TopicPartition[]): GroupAssignment[] {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
  return [...byTopic].map(([topic, numbers]) => ({ topic, partitions: numbers }))
}
