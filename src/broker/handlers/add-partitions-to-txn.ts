import type { Handler, Message } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { fencedForVersion } from './txn-errors.js'

/**
 * AddPartitionsToTxn v0-3 (v4+ is for brokers verifying transactions, not served). Unknown
 * partitions get UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, as in Kafka;
 * otherwise the coordinator's answer applies to every partition.
 */
export const addPartitionsToTxn: Handler = async (ctx, request, meta) => {
  const topics = request.v3AndBelowTopics as Array<{ name: string; partitions: number[] }>
  const unknown = (t: string, p: number): boolean => ctx.topics.partition(t, p) === undefined
  const anyUnknown = topics.some((t) => t.partitions.some((p) => unknown(t.name, p)))
  let errorCode: number = ErrorCode.NONE
  if (!anyUnknown) {
    const transactionalId = request.v3AndBelowTransactionalId as string
    if (ctx.transactions === null) errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE
    else if (transactionalId === '') errorCode = ErrorCode.INVALID_REQUEST
    else {
      const partitions = topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })))
      errorCode = await ctx.transactions.addPartitions(transactionalId, request.v3AndBelowProducerId as bigint, request.v3AndBelowProducerEpoch as number, partitions)
      errorCode = fencedForVersion(errorCode, meta.apiVersion, 2)
    }
  }
  const resultsByTopicV3AndBelow = topics.map((t): Message => ({
    name: t.name,
    resultsByPartition: t.partitions.map((p) => ({
      partitionIndex: p,
      partitionErrorCode: anyUnknown ? (unknown(t.name, p) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED) : errorCode,
    })),
  }))
  return { throttleTimeMs: 0, resultsByTopicV3AndBelow }
}
