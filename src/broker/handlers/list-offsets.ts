import type { Handler, Message } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'

const LATEST = -1n
const EARLIEST = -2n

const READ_COMMITTED = 1

/**
 * ListOffsets v1-5: earliest, latest and first offset at or after a timestamp. Latest is the
 * high watermark, or the last stable offset for read_committed (v2+).
 */
export const listOffsets: Handler = (ctx, request) => {
  const readCommitted = (request.isolationLevel as number | undefined) === READ_COMMITTED
  const topics = (request.topics as Array<{ name: string; partitions: Array<{ partitionIndex: number; timestamp: bigint }> }>).map((t): Message => ({
    name: t.name,
    partitions: t.partitions.map((p): Message => {
      const log = ctx.topics.partition(t.name, p.partitionIndex)
      const base = { partitionIndex: p.partitionIndex, leaderEpoch: 0 }
      if (log === undefined) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1n, offset: -1n }
      if (p.timestamp === LATEST) return { ...base, errorCode: ErrorCode.NONE, timestamp: -1n, offset: BigInt(readCommitted ? log.lastStableOffset : log.nextOffset) }
      if (p.timestamp === EARLIEST) return { ...base, errorCode: ErrorCode.NONE, timestamp: -1n, offset: BigInt(log.logStartOffset) }
      if (p.timestamp < 0n) return { ...base, errorCode: ErrorCode.UNSUPPORTED_VERSION, timestamp: -1n, offset: -1n }
      let found = log.offsetForTimestamp(Number(p.timestamp))
      // read_committed must not learn of offsets past the last stable offset (Kafka answers "none").
      if (readCommitted && found.offset >= log.lastStableOffset) found = { offset: -1, timestamp: -1 }
      return { ...base, errorCode: ErrorCode.NONE, timestamp: BigInt(found.timestamp), offset: BigInt(found.offset) }
    }),
  }))
  return { throttleTimeMs: 0, topics }
}
