import type { Handler, Message } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'

const GROUP = 0

/** FindCoordinator v0-4: this broker coordinates every group (v4 batches keys). */
export const findCoordinator: Handler = (ctx, request, meta) => {
  const keyType = (request.keyType as number | undefined) ?? GROUP
  const answer = (key: string): Message => {
    if (keyType !== GROUP || ctx.groups === null) {
      const errorMessage = keyType !== GROUP ? 'Transactions are not supported by this broker yet.' : 'The group coordinator is not available.'
      return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage }
    }
    return { key, nodeId: ctx.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, errorCode: ErrorCode.NONE, errorMessage: null }
  }
  if (meta.apiVersion >= 4) {
    return { throttleTimeMs: 0, coordinators: (request.coordinatorKeys as string[]).map(answer) }
  }
  return { throttleTimeMs: 0, ...answer(request.key as string) }
}
