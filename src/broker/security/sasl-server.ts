import { BrokerError } from '../errors.js'

/**
 * The server side of one SASL exchange (javax.security.sasl.SaslServer in Kafka): each client
 * token is answered with the server's token until `complete`.
 */
export interface SaslServer {
  readonly mechanism: string
  /** Answers a client token; rejects with SaslAuthenticationError when authentication fails. */
  evaluate(token: Buffer): Promise<Buffer>
  readonly complete: boolean
  /** The authenticated user once complete. */
  readonly username: string | null
}

/**
 * Authentication failed. `message` is what the client is told (SaslAuthenticate's error message);
 * `reason` is for the broker's log only, since telling a client whether a user exists or which
 * check failed helps an attacker.
 */
export class SaslAuthenticationError extends BrokerError {
  constructor(
    message: string,
    readonly reason: string = message,
  ) {
    super(message)
    this.name = 'SaslAuthenticationError'
  }
}
