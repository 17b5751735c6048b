import { ProtocolError } from '../errors.js'
import type { BrokerContext, Handler, Message } from '../broker-context.js'
import { ApiKey, apiSpec, supportedApis } from '../protocol/api-keys.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { readRequestHeader, skipHeaderTags, writeResponseHeader } from '../protocol/headers.js'
import { Reader, Writer } from '../protocol/primitives.js'
import { codecFor } from '../protocol/schema-codec.js'
import type { Connection } from './connection.js'
import { handlers } from '../handlers/index.js'

/** Group APIs are answered by the group coordinator (./groups); every other API by ./handlers. */
const groupApis = new Set<number>([
  ApiKey.OffsetCommit,
  ApiKey.OffsetFetch,
  ApiKey.JoinGroup,
  ApiKey.Heartbeat,
  ApiKey.LeaveGroup,
  ApiKey.SyncGroup,
  ApiKey.DescribeGroups,
  ApiKey.ListGroups,
  ApiKey.DeleteGroups,
])

/**
 * Decodes a request frame, routes it and encodes the response frame. A request the broker cannot
 * parse, an API it does not serve, or a version outside the advertised range closes the
 * connection (what Kafka does), except ApiVersions, which answers UNSUPPORTED_VERSION in the v0
 * format so that any client can learn the supported range.
 */
export function createFrameHandler(ctx: BrokerContext) {
  return async (frame: Buffer, connection: Connection): Promise<Buffer[] | null> => {
    const reader = new Reader(frame)
    const header = readRequestHeader(reader)
    const spec = apiSpec(header.apiKey)
    if (spec === undefined) throw new ProtocolError(`unknown or unsupported api key ${header.apiKey}`)
    if (header.apiVersion < spec.minVersion || header.apiVersion > spec.maxVersion) {
      if (header.apiKey === ApiKey.ApiVersions) return [unsupportedApiVersions(header.correlationId)]
      throw new ProtocolError(`${spec.name} v${header.apiVersion} is outside the supported range ${spec.minVersion}-${spec.maxVersion}`)
    }
    const requestCodec = codecFor(`${spec.name}Request`)
    const flexible = requestCodec.isFlexible(header.apiVersion)
    if (flexible) skipHeaderTags(reader)
    const request = requestCodec.decode(reader, header.apiVersion)
    const meta = { apiVersion: header.apiVersion, clientId: header.clientId, host: connection.host }

    let response: Message | null
    if (groupApis.has(header.apiKey)) {
      response = ctx.groups?.handles(header.apiKey)
        ? await ctx.groups.handle(header.apiKey, header.apiVersion, request, { clientId: header.clientId, host: connection.host })
        : coordinatorUnavailable(header.apiKey)
    } else {
      const handler = handlers[header.apiKey] as Handler | undefined
      if (handler === undefined) throw new ProtocolError(`no handler for api key ${header.apiKey}`)
      response = await handler(ctx, request, meta)
    }
    if (response === null || connection.isClosed) return null

    const w = new Writer(512)
    w.int32(0) // frame size, patched below
    writeResponseHeader(w, header.apiKey, header.correlationId, flexible)
    codecFor(`${spec.name}Response`).encode(w, header.apiVersion, response)
    const chunks = w.toChunks()
    chunks[0].writeInt32BE(w.length - 4, 0)
    return chunks
  }
}

/** Without a coordinator, group requests get the error clients retry on. */
function coordinatorUnavailable(apiKey: number): Message {
  return apiKey === ApiKey.ListGroups ? { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] } : { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
}

/** ApiVersions v0 body with UNSUPPORTED_VERSION and the full list, as Kafka sends it. */
function unsupportedApiVersions(correlationId: number): Buffer {
  const w = new Writer(256)
  w.int32(0).int32(correlationId).int16(ErrorCode.UNSUPPORTED_VERSION).int32(supportedApis.length)
  for (const api of supportedApis) w.int16(api.key).int16(api.minVersion).int16(api.maxVersion)
  const out = w.toBuffer()
  out.writeInt32BE(out.length - 4, 0)
  return out
}
