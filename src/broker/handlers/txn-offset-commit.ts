import type { Handler, Message } from '../broker-context.js'
import type { TxnOffsetCommitInput } from '../groups/index.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { abortableForVersion, fencedForVersion } from './txn-errors.js'

/**
 * TxnOffsetCommit v0-4: offsets committed inside the producer's transaction, applied to the
 * group only when the transaction commits. v3 adds the member's generation and id, which are
 * checked against the group as Kafka does; v4 clients are told TRANSACTION_ABORTABLE when the
 * group was not added to the transaction.
 */
export const txnOffsetCommit: Handler = async (ctx, request, meta) => {
  const input: TxnOffsetCommitInput = {
    groupId: request.groupId as string,
    producerId: request.producerId as bigint,
    generationId: (request.generationId as number | undefined) ?? -1,
    memberId: (request.memberId as string | undefined) ?? '',
    groupInstanceId: (request.groupInstanceId as string | null | undefined) ?? null,
    topics: request.topics as TxnOffsetCommitInput['topics'],
  }
  const transactionalId = request.transactionalId as string
  let codes: number[]
  if (ctx.transactions === null) codes = input.topics.flatMap((t) => t.partitions.map(() => ErrorCode.COORDINATOR_NOT_AVAILABLE))
  else if (transactionalId === '') codes = input.topics.flatMap((t) => t.partitions.map(() => ErrorCode.INVALID_REQUEST))
  else codes = await ctx.transactions.txnOffsetCommit(transactionalId, request.producerEpoch as number, input)
  let i = 0
  const topics = input.topics.map((t): Message => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: answerFor(codes[i++] ?? ErrorCode.UNKNOWN_SERVER_ERROR, meta.apiVersion) })),
  }))
  return { throttleTimeMs: 0, topics }
}

function answerFor(errorCode: number, version: number): number {
  return abortableForVersion(fencedForVersion(errorCode, version, 3), version, 4)
}
