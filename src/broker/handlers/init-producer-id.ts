import type { Handler } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { fencedForVersion } from './txn-errors.js'

/**
 * InitProducerId v0-5. Without a transactional id, as in Kafka, a request always gets a fresh
 * producer id with epoch 0 (a v3+ client may present its current id and epoch, which must then
 * both be set). With one, the transaction coordinator answers: a new id or a bumped epoch that
 * fences the id's previous producer. v5 only says the client understands TRANSACTION_ABORTABLE.
 */
export const initProducerId: Handler = async (ctx, request, meta) => {
  const presentedId = (request.producerId as bigint | undefined) ?? -1n
  const presentedEpoch = (request.producerEpoch as number | undefined) ?? -1
  const transactionalId = request.transactionalId as string | null
  if (transactionalId !== null) {
    if (ctx.transactions === null) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1n, producerEpoch: -1 }
    const result = await ctx.transactions.initProducerId(transactionalId, request.transactionTimeoutMs as number, presentedId, presentedEpoch)
    return { throttleTimeMs: 0, ...result, errorCode: fencedForVersion(result.errorCode, meta.apiVersion, 4) }
  }
  if ((presentedId === -1n) !== (presentedEpoch === -1)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1n, producerEpoch: -1 }
  }
  const producerId = ctx.nextProducerId
  ctx.nextProducerId += 1n
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 }
}
