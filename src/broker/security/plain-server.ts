import { SaslAuthenticationError, type SaslServer } from './sasl-server.js'
import type { SaslUserStore } from './user-store.js'

/**
 * SASL/PLAIN (RFC 4616): one message `authzid NUL authcid NUL passwd`, answered with an empty
 * token. Failures carry Kafka's PlainSaslServer messages.
 */
export class PlainServer implements SaslServer {
  readonly mechanism = 'PLAIN'
  complete = false
  username: string | null = null

  constructor(private readonly users: SaslUserStore) {}

  async evaluate(token: Buffer): Promise<Buffer> {
    if (this.complete) throw new SaslAuthenticationError('Authentication failed: SASL/PLAIN exchange is already complete')
    const fields = token.toString('utf8').split('\0')
    if (fields.length !== 3) throw new SaslAuthenticationError(`Invalid SASL/PLAIN response: expected 3 tokens, got ${Math.min(fields.length, 4)}`)
    const [authorizationId, username, password] = fields
    if (username === '') throw new SaslAuthenticationError('Authentication failed: username not specified')
    if (password === '') throw new SaslAuthenticationError('Authentication failed: password not specified')
    if (!(await this.users.verifyPlain(username, password))) {
      throw new SaslAuthenticationError('Authentication failed: Invalid username or password', `wrong password or unknown user "${username}"`)
    }
    if (authorizationId !== '' && authorizationId !== username) {
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username')
    }
    this.username = username
    this.complete = true
    return Buffer.alloc(0)
  }
}
