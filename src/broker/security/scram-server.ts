import { randomBytes } from 'node:crypto'
import { SaslAuthenticationError, type SaslServer } from './sasl-server.js'
import { hmac, matchesStoredKey, type ScramCredential, type ScramHash } from './scram-credential.js'
import { parseClientFinal, parseClientFirst, serverFinal, serverFirst, type ClientFirstMessage } from './scram-messages.js'
import type { SaslUserStore } from './user-store.js'

type State = 'client-first' | 'client-final' | 'complete' | 'failed'

/**
 * The server side of SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), as Kafka's
 * ScramSaslServer: client-first -> server-first (nonce, salt, iterations); client-final (proof) ->
 * server-final (server signature). Every failure but a foreign authorization id gets one message,
 * Kafka's, so a client cannot tell an unknown user from a wrong password by what it is told.
 */
export class ScramServer implements SaslServer {
  private state: State = 'client-first'
  private credential: ScramCredential | undefined
  private first: ClientFirstMessage | undefined
  private serverFirstMessage = ''
  private nonce = ''
  username: string | null = null

  constructor(
    readonly mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
    private readonly users: Pick<SaslUserStore, 'scram'>,
    /** The server's part of the nonce; tests fix it to replay RFC 7677's example. */
    private readonly serverNonce: () => string = () => randomBytes(24).toString('base64url'),
  ) {}

  get complete(): boolean {
    return this.state === 'complete'
  }

  private get hash(): ScramHash {
    return this.mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512'
  }

  // async so that every failure is a rejection, as SaslServer promises.
  async evaluate(token: Buffer): Promise<Buffer> {
    if (this.state === 'client-first') return this.onClientFirst(token)
    if (this.state === 'client-final') return this.onClientFinal(token)
    throw this.fail(`a SCRAM message arrived in state ${this.state}`)
  }

  private onClientFirst(token: Buffer): Buffer {
    const first = parseClientFirst(token)
    if (first === null) throw this.fail('invalid SCRAM client-first message')
    const credential = this.users.scram(first.username, this.hash)
    if (credential === undefined) throw this.fail(`unknown user "${first.username}"`)
    if (first.authorizationId !== '' && first.authorizationId !== first.username) {
      this.state = 'failed'
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username')
    }
    this.first = first
    this.credential = credential
    this.nonce = first.nonce + this.serverNonce()
    this.serverFirstMessage = serverFirst(this.nonce, credential.salt, credential.iterations)
    this.state = 'client-final'
    return Buffer.from(this.serverFirstMessage, 'utf8')
  }

  private onClientFinal(token: Buffer): Buffer {
    const final = parseClientFinal(token)
    const first = this.first!
    const credential = this.credential!
    if (final === null) throw this.fail('invalid SCRAM client-final message')
    // As Kafka has long done, only ask that the nonce end with the one sent: librdkafka 2.0 sends
    // the client nonce twice (its own, then the combined one). `c=` is not compared with the GS2
    // header either. The proof is computed over the message as sent, so it still covers both.
    if (!final.nonce.endsWith(this.nonce)) throw this.fail('the client-final nonce does not end with the server-first nonce')
    const authMessage = `${first.bare},${this.serverFirstMessage},${final.withoutProof}`
    const clientSignature = hmac(this.hash, credential.storedKey, authMessage)
    if (final.proof.length !== clientSignature.length) throw this.fail('the client proof has the wrong length')
    const clientKey = Buffer.alloc(clientSignature.length)
    for (let i = 0; i < clientKey.length; i++) clientKey[i] = final.proof[i] ^ clientSignature[i]
    if (!matchesStoredKey(credential, clientKey)) throw this.fail(`wrong password for user "${first.username}"`)
    this.username = first.username
    this.state = 'complete'
    return Buffer.from(serverFinal(hmac(this.hash, credential.serverKey, authMessage)), 'utf8')
  }

  private fail(reason: string): SaslAuthenticationError {
    this.state = 'failed'
    return new SaslAuthenticationError(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`, reason)
  }
}
