import type { Handler } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'

/**
 * SaslAuthenticate v0-2 once a connection is past authentication (see sasl-handshake.ts): Kafka
 * answers ILLEGAL_SASL_STATE with this message and keeps the connection.
 */
export const saslAuthenticate: Handler = () => ({
  errorCode: ErrorCode.ILLEGAL_SASL_STATE,
  errorMessage: 'SaslAuthenticate request received after successful authentication',
  authBytes: Buffer.alloc(0),
  sessionLifetimeMs: 0n,
})
