import type { Handler, Message } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'

/** DeleteRecords v0-2: moves a partition's log start offset (-1 means the high watermark). */
export const deleteRecords: Handler = (ctx, request) => {
  const topics = (request.topics as Array<{ name: string; partitions: Array<{ partitionIndex: number; offset: bigint }> }>).map((t): Message => ({
    name: t.name,
    partitions: t.partitions.map((p): Message => {
      const log = ctx.topics.partition(t.name, p.partitionIndex)
      if (log === undefined) return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
      const offset = p.offset === -1n ? log.nextOffset : Number(p.offset)
      if (offset < 0 || offset > log.nextOffset) {
        return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE }
      }
      log.deleteRecordsBefore(offset)
      return { partitionIndex: p.partitionIndex, lowWatermark: BigInt(log.logStartOffset), errorCode: ErrorCode.NONE }
    }),
  }))
  return { throttleTimeMs: 0, topics }
}
