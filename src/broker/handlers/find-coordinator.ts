import type { Handler, Message } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'

const GROUP = 0
const TRANSACTION = 1

/**
 * FindCoordinator v0-6: this broker coordinates every group and transactional id (v4 batches
 * keys). Share-group keys (v6, KIP-932) are refused with INVALID_REQUEST, as by a Kafka broker
 * without a share coordinator; v5 only says the client understands TRANSACTION_ABORTABLE.
 */
export const findCoordinator: Handler = (ctx, request, meta) => {
  const keyType = (request.keyType as number | undefined) ?? GROUP
  const answer = (key: string): Message => {
    const available = keyType === GROUP ? ctx.groups !== null : keyType === TRANSACTION && ctx.transactions !== null
    if (!available) {
      const errorMessage = keyType === GROUP || keyType === TRANSACTION ? 'The coordinator is not available.' : `Unknown coordinator key type ${keyType}.`
      const errorCode = keyType === GROUP || keyType === TRANSACTION ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.INVALID_REQUEST
      return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage }
    }
    return { key, nodeId: ctx.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, errorCode: ErrorCode.NONE, errorMessage: null }
  }
  if (meta.apiVersion >= 4) {
    return { throttleTimeMs: 0, coordinators: (request.coordinatorKeys as string[]).map(answer) }
  }
  return { throttleTimeMs: 0, ...answer(request.key as string) }
}
