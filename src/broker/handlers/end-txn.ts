import type { Handler } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { fencedForVersion } from './txn-errors.js'

/**
 * EndTxn v0-4: commits or aborts the producer's transaction (markers written before the answer).
 * v4 only says the client understands TRANSACTION_ABORTABLE, which EndTxn never answers in Kafka
 * 3.9 either.
 */
export const endTxn: Handler = async (ctx, request, meta) => {
  const transactionalId = request.transactionalId as string
  if (ctx.transactions === null) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
  if (transactionalId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST }
  const errorCode = await ctx.transactions.endTxn(transactionalId, request.producerId as bigint, request.producerEpoch as number, request.committed as boolean)
  return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, meta.apiVersion, 2) }
}
