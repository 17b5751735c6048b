import type { Handler, Message } from '../broker-context.js'
import { LEADER_EPOCH, type PartitionLog } from '../log/partition-log.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { leaderEpochError } from './leader-epoch.js'

/** Kafka's special timestamps, with the first ListOffsets version that may ask for each. */
const LATEST = -1n
const EARLIEST = -2n
const MAX_TIMESTAMP = -3n
const EARLIEST_LOCAL = -4n
const LATEST_TIERED = -5n
const FIRST_VERSION = new Map<bigint, number>([[LATEST, 1], [EARLIEST, 1], [MAX_TIMESTAMP, 7], [EARLIEST_LOCAL, 8], [LATEST_TIERED, 9]])

const READ_COMMITTED = 1

interface Found {
  offset: number
  timestamp: number
  leaderEpoch: number
}

const NONE_FOUND: Found = { offset: -1, timestamp: -1, leaderEpoch: -1 }

interface RequestedPartition {
  partitionIndex: number
  currentLeaderEpoch?: number
  timestamp: bigint
}

/**
 * ListOffsets v1-9: earliest, latest and the first offset at or after a timestamp; v7+ the
 * record with the largest timestamp (KIP-734), v8+ the local log start (the log start: no tiered
 * storage, KIP-405) and v9+ the last tiered offset (none, -1: KIP-1005). Latest is the high
 * watermark, or the last stable offset for read_committed (v2+), which no answer goes beyond.
 * v4+ check the leader epoch the client names.
 */
export const listOffsets: Handler = (ctx, request, meta) => {
  const readCommitted = (request.isolationLevel as number | undefined) === READ_COMMITTED
  const requested = request.topics as Array<{ name: string; partitions: RequestedPartition[] }>
  const seen = new Map<string, number>()
  for (const t of requested) for (const p of t.partitions) seen.set(`${t.name}\0${p.partitionIndex}`, (seen.get(`${t.name}\0${p.partitionIndex}`) ?? 0) + 1)
  const topics = requested.map((t): Message => ({
    name: t.name,
    partitions: t.partitions.map((p): Message => {
      const answer = (errorCode: number, found: Found = NONE_FOUND): Message => ({
        partitionIndex: p.partitionIndex, errorCode, timestamp: BigInt(found.timestamp), offset: BigInt(found.offset), leaderEpoch: found.leaderEpoch,
      })
      // As Kafka: a partition asked for twice is refused both times.
      if ((seen.get(`${t.name}\0${p.partitionIndex}`) ?? 0) > 1) return answer(ErrorCode.INVALID_REQUEST)
      const firstVersion = FIRST_VERSION.get(p.timestamp)
      if (p.timestamp < 0n && (firstVersion === undefined || meta.apiVersion < firstVersion)) return answer(ErrorCode.UNSUPPORTED_VERSION)
      const log = ctx.topics.partition(t.name, p.partitionIndex)
      if (log === undefined) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      const epochError = leaderEpochError(p.currentLeaderEpoch)
      if (epochError !== ErrorCode.NONE) return answer(epochError)
      const lastFetchable = readCommitted ? log.lastStableOffset : log.nextOffset
      const found = lookUp(log, p.timestamp, lastFetchable)
      // A search must not find offsets past the last stable offset for read_committed (Kafka answers "none").
      const searched = p.timestamp >= 0n || p.timestamp === MAX_TIMESTAMP
      return answer(ErrorCode.NONE, searched && found.offset >= lastFetchable ? NONE_FOUND : found)
    }),
  }))
  return { throttleTimeMs: 0, topics }
}

function lookUp(log: PartitionLog, timestamp: bigint, lastFetchable: number): Found {
  switch (timestamp) {
    case LATEST:
      return { offset: lastFetchable, timestamp: -1, leaderEpoch: LEADER_EPOCH }
    case EARLIEST:
    case EARLIEST_LOCAL:
      return { offset: log.logStartOffset, timestamp: -1, leaderEpoch: LEADER_EPOCH }
    case LATEST_TIERED:
      return NONE_FOUND
    case MAX_TIMESTAMP:
      return withEpoch(log.offsetOfMaxTimestamp())
    default:
      return withEpoch(log.offsetForTimestamp(Number(timestamp)))
  }
}

function withEpoch(found: { offset: number; timestamp: number }): Found {
  return found.offset < 0 ? NONE_FOUND : { ...found, leaderEpoch: LEADER_EPOCH }
}
