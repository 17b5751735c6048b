import type { LogDurability } from '../log/durability.js'
import { silentLogger, type BrokerLogger } from '../logger.js'
import { KafkaErrorCode as E } from './error-codes.js'
import { GroupCoordinatorError } from './errors.js'
import { joinError, type MemberProtocol } from './group.js'
import { deleteGroups, describeGroups, listGroups, type GroupAdminContext } from './group-admin-api.js'
import { GroupMembership } from './group-membership.js'
import { commitOffsets, fetchOffsets, type OffsetApiContext, type OffsetCommitRequest, type OffsetFetchRequest } from './offset-api.js'
import { ApiKey } from '../protocol/api-keys.js'
import { OffsetExpiry } from './offset-expiry.js'
import { OffsetStore, type OffsetCommitEntry } from './offset-store.js'
import { PendingTxnOffsets, stageTxnOffsets, type TxnOffsetCommitInput, type TxnOffsetCommitResult } from './txn-offsets.js'

/** The API keys the coordinator serves. */
export const GroupApiKey = {
  OffsetCommit: ApiKey.OffsetCommit,
  OffsetFetch: ApiKey.OffsetFetch,
  JoinGroup: ApiKey.JoinGroup,
  Heartbeat: ApiKey.Heartbeat,
  LeaveGroup: ApiKey.LeaveGroup,
  SyncGroup: ApiKey.SyncGroup,
  DescribeGroups: ApiKey.DescribeGroups,
  ListGroups: ApiKey.ListGroups,
  DeleteGroups: ApiKey.DeleteGroups,
} as const

const SERVED_API_KEYS = new Set<number>(Object.values(GroupApiKey))

export interface GroupCoordinatorOptions {
  /** The broker's data directory; the coordinator keeps its log under `__consumer_offsets/`. */
  dataDir: string
  logger?: BrokerLogger
  /** The clock for commit timestamps and session deadlines; timers themselves use `setTimeout`. */
  now?: () => number
  /** Commits to partitions for which this returns false fail with UNKNOWN_TOPIC_OR_PARTITION. */
  partitionExists: (topic: string, partition: number) => boolean
  /** Kafka's `group.initial.rebalance.delay.ms`. Default 0: a new group's first join completes at once. */
  initialRebalanceDelayMs?: number
  /** Kafka's `group.min.session.timeout.ms` (default 6000) and `group.max.session.timeout.ms` (default 1800000). */
  minSessionTimeoutMs?: number
  maxSessionTimeoutMs?: number
  /** Compact the coordinator log after this many appended records (default 10000). */
  compactAfterRecords?: number
  /**
   * When the offsets log is synced: before a commit is acknowledged in fsync mode 'always', else
   * as flush.messages / flush.ms say (Kafka's `__consumer_offsets` is a log like any other).
   * Default: Kafka's, no sync per commit.
   */
  durability?: LogDurability
  /** Kafka's `offsets.retention.minutes` in ms (default 7 days) and its check interval (default 10 minutes). */
  offsetsRetentionMs?: number
  offsetsRetentionCheckIntervalMs?: number
}

export interface GroupClient {
  clientId: string | null
  host: string
}

type Request = Record<string, unknown>
type Response = Record<string, unknown>

/**
 * The group coordinator of the embedded broker: classic consumer groups (JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup), committed offsets (OffsetCommit, OffsetFetch) and group
 * administration (DescribeGroups, ListGroups, DeleteGroups), with offsets and group metadata
 * kept durably in `dataDir`.
 *
 * @example
 * const groups = new GroupCoordinator({ dataDir, partitionExists: (t, p) => log.has(t, p) })
 * await groups.load()
 * if (groups.handles(apiKey)) response = await groups.handle(apiKey, apiVersion, request, client)
 */
export class GroupCoordinator {
  private readonly store: OffsetStore
  private readonly membership: GroupMembership
  private readonly expiry: OffsetExpiry
  private readonly logger: BrokerLogger
  private readonly now: () => number
  private readonly pendingTxn = new PendingTxnOffsets()
  private state: 'loading' | 'active' | 'closed' = 'loading'

  constructor(private readonly options: GroupCoordinatorOptions) {
    this.logger = options.logger ?? silentLogger
    this.now = options.now ?? (() => Date.now())
    this.store = new OffsetStore({ dataDir: options.dataDir, logger: this.logger, compactAfterRecords: options.compactAfterRecords, durability: options.durability })
    this.membership = new GroupMembership({
      now: this.now,
      logger: this.logger,
      initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 0,
      minSessionTimeoutMs: options.minSessionTimeoutMs ?? 6000,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 1_800_000,
      saveGroup: (group) => this.store.saveGroup(group),
    })
    this.expiry = new OffsetExpiry({
      membership: this.membership,
      store: this.store,
      now: this.now,
      logger: this.logger,
      retentionMs: options.offsetsRetentionMs ?? 7 * 24 * 60 * 60_000,
      checkIntervalMs: options.offsetsRetentionCheckIntervalMs ?? 10 * 60_000,
    })
  }

  /** Reads persisted offsets and group metadata; requests are refused as "loading" until it resolves. */
  async load(): Promise<void> {
    const groups = await this.store.load()
    for (const group of groups) this.membership.restore(group)
    // Groups known only by their committed offsets come back Empty, as in Kafka.
    for (const groupId of this.store.groupIdsWithOffsets()) this.membership.getOrCreate(groupId)
    if (this.state !== 'loading') {
      // Closed while loading: release the file the load just opened.
      await this.store.close()
      return
    }
    this.state = 'active'
    this.expiry.start()
    this.logger.debug('group coordinator loaded', { groups: this.membership.groups.size })
  }

  handles(apiKey: number): boolean {
    return SERVED_API_KEYS.has(apiKey)
  }

  async handle(apiKey: number, apiVersion: number, request: Request, client: GroupClient): Promise<Response> {
    if (this.state !== 'active') {
      return errorResponse(apiKey, apiVersion, request, this.state === 'loading' ? E.COORDINATOR_LOAD_IN_PROGRESS : E.NOT_COORDINATOR)
    }
    switch (apiKey) {
      case GroupApiKey.OffsetCommit:
        return commitOffsets(this.offsetContext(), apiVersion, request as unknown as OffsetCommitRequest)
      case GroupApiKey.OffsetFetch:
        return fetchOffsets(this.offsetContext(), apiVersion, request as OffsetFetchRequest)
      case GroupApiKey.JoinGroup:
        return this.joinGroup(apiVersion, request, client)
      case GroupApiKey.Heartbeat: {
        const r = request as { groupId: string; generationId: number; memberId: string; groupInstanceId?: string | null }
        return { throttleTimeMs: 0, errorCode: this.membership.heartbeat(r.groupId, r.generationId, r.memberId, r.groupInstanceId ?? null) }
      }
      case GroupApiKey.LeaveGroup:
        return this.leaveGroup(apiVersion, request)
      case GroupApiKey.SyncGroup:
        return this.syncGroup(request)
      case GroupApiKey.DescribeGroups:
        return describeGroups(this.adminContext(), request as { groups: string[]; includeAuthorizedOperations?: boolean })
      case GroupApiKey.ListGroups:
        return listGroups(this.adminContext(), request as { statesFilter?: string[]; typesFilter?: string[] })
      case GroupApiKey.DeleteGroups:
        return deleteGroups(this.adminContext(), request as { groupsNames: string[] })
      default:
        throw new GroupCoordinatorError(`the group coordinator does not serve API key ${apiKey}; check handles(apiKey) first`)
    }
  }

  /**
   * TxnOffsetCommit, group side: validates the committer and the partitions and holds the
   * accepted offsets as pending for the producer's transaction (see completeTxnOffsets).
   */
  stageTxnOffsets(req: TxnOffsetCommitInput): TxnOffsetCommitResult {
    if (this.state !== 'active') {
      const errorCode = this.state === 'loading' ? E.COORDINATOR_LOAD_IN_PROGRESS : E.NOT_COORDINATOR
      return { errors: req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode }))), accepted: [] }
    }
    return stageTxnOffsets(this.offsetContext(), this.pendingTxn, req)
  }

  /**
   * A transaction open before a restart kept these offsets (the transaction log holds them): they
   * are pending again, in a group that exists again, as after the TxnOffsetCommit that staged them.
   */
  restoreTxnOffsets(groupId: string, producerId: bigint, entries: readonly OffsetCommitEntry[]): void {
    if (this.state === 'closed') return
    this.membership.getOrCreate(groupId)
    this.pendingTxn.add(groupId, producerId, entries)
  }

  /**
   * The producer's transaction ended: on commit its offsets become the group's committed offsets
   * (durably, before this resolves); on abort they are dropped. Safe to repeat (recovery does).
   */
  async completeTxnOffsets(groupId: string, producerId: bigint, commit: boolean, entries: readonly OffsetCommitEntry[]): Promise<void> {
    try {
      if (commit && entries.length > 0 && this.state !== 'closed') await this.store.commit(groupId, entries)
    } finally {
      this.pendingTxn.clear(groupId, producerId)
    }
  }

  /** Writes waiting in the offsets log or being made durable, for the broker's watchdog. */
  queuedLogWrites(): number {
    return this.store.queuedWrites
  }

  /** Drops every committed offset of a deleted topic. */
  onTopicDeleted(topic: string): void {
    if (this.state === 'closed') return
    this.store.deleteTopic(topic).catch((error: unknown) => {
      this.logger.error('could not persist the removal of a deleted topic\'s offsets', { topic, cause: String(error) })
    })
  }

  /** Stops timers, answers waiting joins and syncs with NOT_COORDINATOR, and flushes the log. */
  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.membership.shutdown()
    await this.expiry.stop()
    await this.store.close()
  }

  private async joinGroup(version: number, request: Request, client: GroupClient): Promise<Response> {
    const r = request as {
      groupId: string; sessionTimeoutMs: number; rebalanceTimeoutMs?: number; memberId: string
      groupInstanceId?: string | null; protocolType: string; protocols: Array<{ name: string; metadata: Buffer | null }>
      reason?: string | null
    }
    // v8+ say why the member (re)joins (KIP-800); Kafka puts it in its rebalance log lines.
    if (r.reason) this.logger.debug('member joining group', { groupId: r.groupId, memberId: r.memberId, reason: r.reason })
    const protocols: MemberProtocol[] = r.protocols.map((p) => ({ name: p.name, metadata: p.metadata ?? Buffer.alloc(0) }))
    const result = await this.membership.join({
      groupId: r.groupId,
      sessionTimeoutMs: r.sessionTimeoutMs,
      // JoinGroup v0 has no rebalance timeout: Kafka uses the session timeout for it.
      rebalanceTimeoutMs: r.rebalanceTimeoutMs !== undefined && r.rebalanceTimeoutMs >= 0 ? r.rebalanceTimeoutMs : r.sessionTimeoutMs,
      memberId: r.memberId,
      groupInstanceId: r.groupInstanceId ?? null,
      protocolType: r.protocolType,
      protocols,
      requireKnownMemberId: version >= 4,
      supportSkippingAssignment: version >= 9,
      clientId: client.clientId ?? '',
      // Kafka reports the host as Java prints an address: "/127.0.0.1".
      clientHost: client.host.startsWith('/') ? client.host : `/${client.host}`,
    })
    return joinResponse(version, result)
  }

  private async syncGroup(request: Request): Promise<Response> {
    const r = request as {
      groupId: string; generationId: number; memberId: string; groupInstanceId?: string | null
      protocolType?: string | null; protocolName?: string | null; assignments: Array<{ memberId: string; assignment: Buffer }>
    }
    const result = await this.membership.sync({
      groupId: r.groupId,
      generationId: r.generationId,
      memberId: r.memberId,
      groupInstanceId: r.groupInstanceId ?? null,
      protocolType: r.protocolType ?? null,
      protocolName: r.protocolName ?? null,
      assignments: r.assignments,
    })
    const group = this.membership.groups.get(r.groupId)
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      protocolType: group?.protocolType ?? null,
      protocolName: group?.protocolName ?? null,
      assignment: result.assignment,
    }
  }

  private leaveGroup(version: number, request: Request): Response {
    const r = request as { groupId: string; memberId?: string; members?: Array<{ memberId: string; groupInstanceId?: string | null; reason?: string | null }> }
    // v5+ say why each member leaves (KIP-800).
    for (const m of r.members ?? []) if (m.reason) this.logger.debug('member leaving group', { groupId: r.groupId, memberId: m.memberId, reason: m.reason })
    if (version < 3) {
      // v0-2 leave one member and report its error at the top level.
      const result = this.membership.leave(r.groupId, [{ memberId: r.memberId ?? '', groupInstanceId: null }])
      return { throttleTimeMs: 0, errorCode: result.errorCode || (result.members[0]?.errorCode ?? E.NONE) }
    }
    const leaving = (r.members ?? []).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null }))
    const result = this.membership.leave(r.groupId, leaving)
    return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members }
  }

  private offsetContext(): OffsetApiContext {
    return { membership: this.membership, store: this.store, now: this.now, partitionExists: this.options.partitionExists, pendingTxn: this.pendingTxn }
  }

  private adminContext(): GroupAdminContext {
    return { membership: this.membership, store: this.store, logger: this.logger }
  }
}

function joinResponse(version: number, result: ReturnType<typeof joinError>): Response {
  return {
    throttleTimeMs: 0,
    errorCode: result.errorCode,
    generationId: result.generationId,
    protocolType: result.protocolType,
    // Before v7 the protocol name is not nullable on the wire.
    protocolName: version < 7 ? (result.protocolName ?? '') : result.protocolName,
    leader: result.leader,
    skipAssignment: result.skipAssignment ?? false,
    memberId: result.memberId,
    members: result.members,
  }
}

/** The response to any served request when the coordinator cannot process it at all. */
function errorResponse(apiKey: number, version: number, request: Request, errorCode: number): Response {
  switch (apiKey) {
    case GroupApiKey.OffsetCommit: {
      const r = request as unknown as OffsetCommitRequest
      return {
        throttleTimeMs: 0,
        topics: r.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
      }
    }
    case GroupApiKey.OffsetFetch: {
      const r = request as OffsetFetchRequest
      if (version >= 8) return { throttleTimeMs: 0, groups: (r.groups ?? []).map((g) => ({ groupId: g.groupId, topics: [], errorCode })) }
      // v1 has no top-level error code: the error goes into every requested partition.
      const topics = (r.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode })),
      }))
      return { throttleTimeMs: 0, errorCode, topics }
    }
    case GroupApiKey.JoinGroup:
      return joinResponse(version, joinError(String(request.memberId ?? ''), errorCode))
    case GroupApiKey.LeaveGroup:
      return { throttleTimeMs: 0, errorCode, members: [] }
    case GroupApiKey.DescribeGroups:
      return {
        throttleTimeMs: 0,
        groups: ((request.groups as string[] | undefined) ?? []).map((groupId) => ({
          errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648,
        })),
      }
    case GroupApiKey.ListGroups:
      return { throttleTimeMs: 0, errorCode, groups: [] }
    case GroupApiKey.DeleteGroups:
      return { throttleTimeMs: 0, results: ((request.groupsNames as string[] | undefined) ?? []).map((groupId) => ({ groupId, errorCode })) }
    default:
      // Heartbeat, SyncGroup.
      return { throttleTimeMs: 0, errorCode, assignment: Buffer.alloc(0) }
  }
}
