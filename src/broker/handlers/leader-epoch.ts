import { LEADER_EPOCH } from '../log/partition-log.js'
import { ErrorCode } from '../protocol/error-codes.js'

/**
 * KIP-320 fencing, as Kafka's partition leader checks it: a request that names the leader epoch
 * it believes current (Fetch v9+, ListOffsets v4+; a negative epoch names none) must name this
 * broker's. An older one comes from a client with stale metadata, a newer one from a client that
 * knows of a leader this broker has not heard of; both refresh their metadata and retry.
 */
export function leaderEpochError(currentLeaderEpoch: number | undefined): number {
  if (currentLeaderEpoch === undefined || currentLeaderEpoch < 0) return ErrorCode.NONE
  if (currentLeaderEpoch < LEADER_EPOCH) return ErrorCode.FENCED_LEADER_EPOCH
  if (currentLeaderEpoch > LEADER_EPOCH) return ErrorCode.UNKNOWN_LEADER_EPOCH
  return ErrorCode.NONE
}
