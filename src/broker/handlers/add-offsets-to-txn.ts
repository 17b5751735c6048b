import type { Handler } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { fencedForVersion } from './txn-errors.js'

/**
 * AddOffsetsToTxn v0-4: lets the transaction carry offset commits of a consumer group. v4 only
 * says the client understands TRANSACTION_ABORTABLE, which AddOffsetsToTxn never answers.
 */
export const addOffsetsToTxn: Handler = async (ctx, request, meta) => {
  const transactionalId = request.transactionalId as string
  if (ctx.transactions === null || ctx.groups === null) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
  if (transactionalId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST }
  const errorCode = await ctx.transactions.addOffsets(transactionalId, request.producerId as bigint, request.producerEpoch as number, request.groupId as string)
  return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, meta.apiVersion, 2) }
}
