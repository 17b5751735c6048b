import { ProtocolError } from '../errors.js'
import type { BrokerLogger } from '../logger.js'
import { ApiKey, apiSpec } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { readRequestHeader, skipHeaderTags, writeResponseHeader, type RequestHeader } from '../protocol/headers.js'
import { Reader, Writer } from '../protocol/primitives.js'
import { codecFor, type Message } from '../protocol/schema-codec.js'
import type { SaslMechanism } from '../security/options.js'
import { PlainServer } from '../security/plain-server.js'
import { SaslAuthenticationError, type SaslServer } from '../security/sasl-server.js'
import { ScramServer } from '../security/scram-server.js'
import type { SaslUserStore } from '../security/user-store.js'
import type { Connection, FrameHandler } from './connection.js'

/** Where a connection is in Kafka's SaslServerAuthenticator. */
interface Session {
  /** handshake: ApiVersions and SaslHandshake only; authenticate: the mechanism's tokens. */
  state: 'handshake' | 'authenticate' | 'authenticated'
  server: SaslServer | null
  /** After SaslHandshake v1 tokens come in SaslAuthenticate requests; after v0 as bare frames. */
  framed: boolean
}

export interface SaslGateOptions {
  mechanisms: readonly SaslMechanism[]
  users: SaslUserStore
  logger: BrokerLogger
}

/**
 * Puts SASL authentication in front of `next`, the broker's request dispatcher, as a SASL
 * listener of Kafka does. Until a connection has authenticated it may send ApiVersions (answered
 * by `next`), SaslHandshake and then the mechanism's tokens; any other request closes it without a
 * response. A failed authentication is answered (SASL_AUTHENTICATION_FAILED with Kafka's message,
 * or UNSUPPORTED_SASL_MECHANISM with the enabled mechanisms) and the connection closed.
 */
export function createSaslGate(options: SaslGateOptions, next: FrameHandler): FrameHandler {
  const sessions = new WeakMap<Connection, Session>()
  const newServer = (mechanism: SaslMechanism): SaslServer =>
    mechanism === 'PLAIN' ? new PlainServer(options.users) : new ScramServer(mechanism, options.users)

  const handshake = (session: Session, header: RequestHeader, request: Message, connection: Connection): Buffer[] => {
    const mechanism = request.mechanism as string
    const mechanisms = [...options.mechanisms]
    if (!(options.mechanisms as readonly string[]).includes(mechanism)) {
      connection.closeAfterResponse(`unsupported SASL mechanism "${mechanism}"`)
      return encodeResponse(header, { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms })
    }
    session.state = 'authenticate'
    session.framed = header.apiVersion >= 1
    session.server = newServer(mechanism as SaslMechanism)
    return encodeResponse(header, { errorCode: ErrorCode.NONE, mechanisms })
  }

  const authenticate = async (session: Session, header: RequestHeader, request: Message, connection: Connection): Promise<Buffer[]> => {
    try {
      const authBytes = await evaluate(session, request.authBytes as Buffer, connection)
      return encodeResponse(header, { errorCode: ErrorCode.NONE, errorMessage: null, authBytes, sessionLifetimeMs: 0n })
    } catch (error) {
      if (!(error instanceof SaslAuthenticationError)) throw error
      connection.closeAfterResponse(`SASL authentication failed: ${error.reason}`)
      return encodeResponse(header, { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: error.message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n })
    }
  }

  const evaluate = async (session: Session, token: Buffer, connection: Connection): Promise<Buffer> => {
    const server = session.server!
    const answer = await server.evaluate(token)
    if (server.complete) {
      session.state = 'authenticated'
      session.server = null
      options.logger.debug('SASL authentication succeeded', { host: connection.host, user: server.username, mechanism: server.mechanism })
    }
    return answer
  }

  /** After SaslHandshake v0: the frame is the token, the answer a size-prefixed token; a failure cannot be told. */
  const rawToken = async (session: Session, frame: Buffer, connection: Connection): Promise<Buffer[] | null> => {
    try {
      const answer = await evaluate(session, frame, connection)
      const size = Buffer.alloc(4)
      size.writeInt32BE(answer.length, 0)
      return [size, answer]
    } catch (error) {
      if (!(error instanceof SaslAuthenticationError)) throw error
      connection.close(`SASL authentication failed: ${error.reason}`)
      return null
    }
  }

  return async (frame, connection) => {
    let session = sessions.get(connection)
    if (session === undefined) {
      session = { state: 'handshake', server: null, framed: true }
      sessions.set(connection, session)
    }
    if (session.state === 'authenticated') return next(frame, connection)
    if (session.state === 'authenticate' && !session.framed) return rawToken(session, frame, connection)

    const reader = new Reader(frame)
    const header = readRequestHeader(reader)
    const name = apiSpec(header.apiKey)?.name ?? `api key ${header.apiKey}`
    if (session.state === 'handshake') {
      if (header.apiKey === ApiKey.ApiVersions) return next(frame, connection)
      if (header.apiKey === ApiKey.SaslHandshake) return handshake(session, header, decodeRequest(reader, header), connection)
      throw new ProtocolError(`${name} request before SASL authentication; only ApiVersions and SaslHandshake may come first`)
    }
    if (header.apiKey === ApiKey.SaslAuthenticate) return authenticate(session, header, decodeRequest(reader, header), connection)
    // Kafka answers these two with ILLEGAL_SASL_STATE before it closes; others it cannot answer in general.
    if (header.apiKey === ApiKey.SaslHandshake || header.apiKey === ApiKey.ApiVersions) {
      decodeRequest(reader, header)
      connection.closeAfterResponse(`${name} request during SASL authentication`)
      return encodeResponse(header, header.apiKey === ApiKey.SaslHandshake
        ? { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }
        : { errorCode: ErrorCode.ILLEGAL_SASL_STATE, apiKeys: [], throttleTimeMs: 0 })
    }
    throw new ProtocolError(`${name} request during SASL authentication; only SaslAuthenticate may come now`)
  }
}

/** Decodes the body of a request whose header has been read; a version the broker does not serve closes the connection. */
function decodeRequest(reader: Reader, header: RequestHeader): Message {
  const spec = apiSpec(header.apiKey)!
  if (header.apiVersion < spec.minVersion || header.apiVersion > spec.maxVersion) {
    throw new ProtocolError(`${spec.name} v${header.apiVersion} is outside the supported range ${spec.minVersion}-${spec.maxVersion}`)
  }
  const codec = codecFor(`${spec.name}Request`)
  if (codec.isFlexible(header.apiVersion)) skipHeaderTags(reader)
  return codec.decode(reader, header.apiVersion)
}

function encodeResponse(header: RequestHeader, body: Message): Buffer[] {
  const name = apiSpec(header.apiKey)!.name
  const codec = codecFor(`${name}Response`)
  const w = new Writer(128)
  w.int32(0) // frame size, patched below
  writeResponseHeader(w, header.apiKey, header.correlationId, codec.isFlexible(header.apiVersion))
  codec.encode(w, header.apiVersion, body)
  const chunks = w.toChunks()
  chunks[0].writeInt32BE(w.length - 4, 0)
  return chunks
}
