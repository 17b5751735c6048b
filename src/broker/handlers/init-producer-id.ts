import type { Handler } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'

/**
 * InitProducerId v0-4 for idempotent producers. As in Kafka, a request without a transactional id
 * always gets a fresh producer id with epoch 0 (a v3+ client may present its current id and
 * epoch, which must then both be set); transactional producers are refused until transactions
 * exist.
 */
export const initProducerId: Handler = (ctx, request) => {
  if (request.transactionalId !== null) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 }
  }
  const presentedId = (request.producerId as bigint | undefined) ?? -1n
  const presentedEpoch = (request.producerEpoch as number | undefined) ?? -1
  if ((presentedId === -1n) !== (presentedEpoch === -1)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1n, producerEpoch: -1 }
  }
  const producerId = ctx.nextProducerId
  ctx.nextProducerId += 1n
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 }
}
