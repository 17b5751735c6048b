import type { Handler } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'

/**
 * SaslHandshake v0-1 once a connection is past authentication: on a listener without SASL, or
 * after the client authenticated. Kafka answers ILLEGAL_SASL_STATE and keeps the connection; the
 * handshake of a SASL listener is answered before requests reach the handlers (server/sasl-gate.ts).
 */
export const saslHandshake: Handler = () => ({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] })
