import { KafkaErrorCode as E } from './error-codes.js'
import type { OffsetApiContext } from './offset-api.js'
import type { OffsetCommitEntry } from './offset-store.js'

/** Kafka's `offset.metadata.max.bytes` default, as for plain commits. */
const MAX_OFFSET_METADATA_BYTES = 4096

/** A TxnOffsetCommit as the transaction coordinator hands it over (v0-3). */
export interface TxnOffsetCommitInput {
  groupId: string
  producerId: bigint
  generationId: number
  memberId: string
  groupInstanceId: string | null
  topics: Array<{
    name: string
    partitions: Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch?: number; committedMetadata: string | null }>
  }>
}

export interface TxnOffsetCommitResult {
  /** Per topic and partition, the error code to answer. */
  errors: Array<{ topic: string; partition: number; errorCode: number }>
  /** The offsets accepted as pending in the producer's transaction. */
  accepted: OffsetCommitEntry[]
}

/**
 * Offsets committed inside transactions and not yet decided, per group and producer (Kafka's
 * pendingTransactionalOffsetCommits). They become committed offsets only when the transaction
 * commits; until then an OffsetFetch with requireStable gets UNSTABLE_OFFSET_COMMIT for them.
 */
export class PendingTxnOffsets {
  private readonly byGroup = new Map<string, Map<bigint, Set<string>>>()

  add(groupId: string, producerId: bigint, entries: readonly OffsetCommitEntry[]): void {
    let byProducer = this.byGroup.get(groupId)
    if (byProducer === undefined) this.byGroup.set(groupId, (byProducer = new Map()))
    let keys = byProducer.get(producerId)
    if (keys === undefined) byProducer.set(producerId, (keys = new Set()))
    for (const e of entries) keys.add(key(e.topic, e.partition))
  }

  clear(groupId: string, producerId: bigint): void {
    const byProducer = this.byGroup.get(groupId)
    byProducer?.delete(producerId)
    if (byProducer?.size === 0) this.byGroup.delete(groupId)
  }

  isPending(groupId: string, topic: string, partition: number): boolean {
    const byProducer = this.byGroup.get(groupId)
    if (byProducer === undefined) return false
    const k = key(topic, partition)
    for (const keys of byProducer.values()) if (keys.has(k)) return true
    return false
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

/**
 * Validates a transactional offset commit as Kafka's group coordinator does (more leniently
 * than a plain commit: a producer that is not a group member may commit), and stages the
 * accepted offsets as pending for the producer.
 */
export function stageTxnOffsets(ctx: OffsetApiContext, pending: PendingTxnOffsets, req: TxnOffsetCommitInput): TxnOffsetCommitResult {
  const groupError = validateTxnCommit(ctx, req)
  const errors: TxnOffsetCommitResult['errors'] = []
  const accepted: OffsetCommitEntry[] = []
  const timestamp = ctx.now()
  for (const topic of req.topics) {
    for (const p of topic.partitions) {
      const metadata = p.committedMetadata ?? null
      let errorCode: number = groupError
      if (errorCode === E.NONE && !ctx.partitionExists(topic.name, p.partitionIndex)) errorCode = E.UNKNOWN_TOPIC_OR_PARTITION
      else if (errorCode === E.NONE && metadata !== null && Buffer.byteLength(metadata, 'utf8') > MAX_OFFSET_METADATA_BYTES) errorCode = E.OFFSET_METADATA_TOO_LARGE
      errors.push({ topic: topic.name, partition: p.partitionIndex, errorCode })
      if (errorCode !== E.NONE) continue
      accepted.push({
        topic: topic.name,
        partition: p.partitionIndex,
        committed: { offset: BigInt(p.committedOffset), leaderEpoch: p.committedLeaderEpoch ?? -1, metadata, commitTimestamp: timestamp },
      })
    }
  }
  if (accepted.length > 0) pending.add(req.groupId, req.producerId, accepted)
  return { errors, accepted }
}

function validateTxnCommit(ctx: OffsetApiContext, req: TxnOffsetCommitInput): number {
  const group = ctx.membership.groups.get(req.groupId) ?? ctx.membership.getOrCreate(req.groupId)
  if (group.is('Dead')) return E.COORDINATOR_NOT_AVAILABLE
  // Like a plain commit, except that a producer which is not a member may commit (generation -1, no member id).
  if (req.generationId < 0 && req.memberId === '' && req.groupInstanceId === null) return E.NONE
  const memberError = group.validateMember(req.memberId, req.groupInstanceId)
  if (memberError !== E.NONE) return memberError
  return req.generationId === group.generationId ? E.NONE : E.ILLEGAL_GENERATION
}
