import { KafkaErrorCode as E } from './error-codes.js'
import type { GroupMembership } from './group-membership.js'
import type { OffsetCommitEntry, OffsetStore } from './offset-store.js'
import type { PendingTxnOffsets } from './txn-offsets.js'

/** Kafka's `offset.metadata.max.bytes` default: longer commit metadata is refused. */
const MAX_OFFSET_METADATA_BYTES = 4096

export interface OffsetCommitRequest {
  groupId: string
  generationIdOrMemberEpoch?: number
  memberId?: string
  groupInstanceId?: string | null
  topics: Array<{
    name: string
    partitions: Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch?: number; committedMetadata: string | null }>
  }>
}

interface FetchTopics {
  topics?: Array<{ name: string; partitionIndexes: number[] }> | null
}
export type OffsetFetchRequest = FetchTopics & { groupId?: string; groups?: Array<FetchTopics & { groupId: string }>; requireStable?: boolean }

export interface OffsetApiContext {
  membership: GroupMembership
  store: OffsetStore
  now: () => number
  partitionExists: (topic: string, partition: number) => boolean
  /** Offsets of undecided transactions, which requireStable fetches must not return. */
  pendingTxn: PendingTxnOffsets
}

/**
 * OffsetCommit v2-9: validates the committer against the group as Kafka does, then commits
 * durably. v9 is also KIP-848's, where generationIdOrMemberEpoch carries a consumer group member's
 * epoch; every group here is a classic group, so it is a generation, checked as in v8, except
 * that a commit with a generation to a group that does not exist gets GROUP_ID_NOT_FOUND.
 */
export async function commitOffsets(ctx: OffsetApiContext, version: number, req: OffsetCommitRequest): Promise<Record<string, unknown>> {
  const codes = new Map<string, Map<number, number>>()
  const entries: OffsetCommitEntry[] = []
  const timestamp = ctx.now()
  for (const topic of req.topics) {
    const byPartition = new Map<number, number>()
    codes.set(topic.name, byPartition)
    for (const p of topic.partitions) {
      const metadata = p.committedMetadata ?? null
      if (!ctx.partitionExists(topic.name, p.partitionIndex)) {
        byPartition.set(p.partitionIndex, E.UNKNOWN_TOPIC_OR_PARTITION)
      } else if (metadata !== null && Buffer.byteLength(metadata, 'utf8') > MAX_OFFSET_METADATA_BYTES) {
        byPartition.set(p.partitionIndex, E.OFFSET_METADATA_TOO_LARGE)
      } else {
        byPartition.set(p.partitionIndex, E.NONE)
        entries.push({
          topic: topic.name, partition: p.partitionIndex,
          committed: { offset: BigInt(p.committedOffset), leaderEpoch: p.committedLeaderEpoch ?? -1, metadata, commitTimestamp: timestamp },
        })
      }
    }
  }
  if (entries.length > 0) {
    let error = validateCommit(ctx, version, req)
    if (error === E.NONE) {
      try {
        await ctx.store.commit(req.groupId, entries)
      } catch {
        // Retriable for the client; the store has logged the cause.
        error = E.COORDINATOR_NOT_AVAILABLE
      }
    }
    if (error !== E.NONE) for (const e of entries) codes.get(e.topic)!.set(e.partition, error)
  }
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codes.get(t.name)!.get(p.partitionIndex)! })),
    })),
  }
}

function validateCommit(ctx: OffsetApiContext, version: number, req: OffsetCommitRequest): number {
  const generationId = req.generationIdOrMemberEpoch ?? -1
  const memberId = req.memberId ?? ''
  const groupInstanceId = req.groupInstanceId ?? null
  let group = ctx.membership.groups.get(req.groupId)
  if (group === undefined) {
    // Without a generation the committer does not use group management: a "simple" group.
    if (generationId >= 0) return version >= 9 ? E.GROUP_ID_NOT_FOUND : E.ILLEGAL_GENERATION
    group = ctx.membership.getOrCreate(req.groupId)
  }
  if (group.is('Dead')) return E.COORDINATOR_NOT_AVAILABLE
  if (generationId < 0 && group.is('Empty')) return E.NONE
  if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
    const memberError = group.validateMember(memberId, groupInstanceId)
    if (memberError !== E.NONE) return memberError
    const member = group.members.get(memberId)!
    if (generationId !== group.generationId) return E.ILLEGAL_GENERATION
    // Until it has its assignment the member cannot know which partitions are its to commit.
    if (group.is('CompletingRebalance')) return E.REBALANCE_IN_PROGRESS
    ctx.membership.touch(group, member)
    return E.NONE
  }
  // Only members may commit to a group that has members.
  return E.UNKNOWN_MEMBER_ID
}

/**
 * OffsetFetch v1-9: one group (v1-7) or a batch of groups (v8+); -1 where nothing was committed.
 * v9's member id and epoch are checked by Kafka for KIP-848 consumer groups only; here every
 * group is a classic group, for which Kafka ignores them too.
 * With requireStable (v7+), a partition with an undecided transactional commit gets
 * UNSTABLE_OFFSET_COMMIT (retriable) instead of an offset that may be about to change.
 */
export function fetchOffsets(ctx: OffsetApiContext, version: number, req: OffsetFetchRequest): Record<string, unknown> {
  const requireStable = version >= 7 && req.requireStable === true
  if (version >= 8) {
    return {
      throttleTimeMs: 0,
      groups: (req.groups ?? []).map((g) => ({ groupId: g.groupId, topics: fetchGroup(ctx, g.groupId, g.topics ?? null, requireStable), errorCode: E.NONE })),
    }
  }
  return { throttleTimeMs: 0, errorCode: E.NONE, topics: fetchGroup(ctx, req.groupId ?? '', req.topics ?? null, requireStable) }
}

function fetchGroup(ctx: OffsetApiContext, groupId: string, topics: FetchTopics['topics'], requireStable: boolean): unknown[] {
  if (topics === null || topics === undefined) {
    // null asks for every committed offset of the group.
    return [...ctx.store.committedByTopic(groupId)].map(([name, byPartition]) => ({
      name,
      partitions: [...byPartition.keys()].sort((a, b) => a - b).map((partition) => partitionOffset(ctx, groupId, name, partition, requireStable)),
    }))
  }
  return topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partition) => partitionOffset(ctx, groupId, t.name, partition, requireStable)) }))
}

function partitionOffset(ctx: OffsetApiContext, groupId: string, topic: string, partition: number, requireStable: boolean): Record<string, unknown> {
  if (requireStable && ctx.pendingTxn.isPending(groupId, topic, partition)) {
    return { partitionIndex: partition, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: E.UNSTABLE_OFFSET_COMMIT }
  }
  const committed = ctx.store.committed(groupId, topic, partition)
  return {
    partitionIndex: partition,
    committedOffset: committed?.offset ?? -1n,
    committedLeaderEpoch: committed?.leaderEpoch ?? -1,
    // Kafka answers the empty string, not null, for absent metadata.
    metadata: committed?.metadata ?? '',
    errorCode: E.NONE,
  }
}
