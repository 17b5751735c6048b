import type { Handler, Message } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'

const LATEST = -1n
const EARLIEST = -2n

/** ListOffsets v1-5: earliest, latest and first offset at or after a timestamp. */
export const listOffsets: Handler = (ctx, request) => {
  const topics = (request.topics as Array<{ name: string; partitions: Array<{ partitionIndex: number; timestamp: bigint }> }>).map((t): Message => ({
    name: t.name,
    partitions: t.partitions.map((p): Message => {
      const log = ctx.topics.partition(t.name, p.partitionIndex)
      const base = { partitionIndex: p.partitionIndex, leaderEpoch: 0 }
      if (log === undefined) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1n, offset: -1n }
      if (p.timestamp === LATEST) return { ...base, errorCode: ErrorCode.NONE, timestamp: -1n, offset: BigInt(log.nextOffset) }
      if (p.timestamp === EARLIEST) return { ...base, errorCode: ErrorCode.NONE, timestamp: -1n, offset: BigInt(log.logStartOffset) }
      if (p.timestamp < 0n) return { ...base, errorCode: ErrorCode.UNSUPPORTED_VERSION, timestamp: -1n, offset: -1n }
      const found = log.offsetForTimestamp(Number(p.timestamp))
      return { ...base, errorCode: ErrorCode.NONE, timestamp: BigInt(found.timestamp), offset: BigInt(found.offset) }
    }),
  }))
  return { throttleTimeMs: 0, topics }
}
