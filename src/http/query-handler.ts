import type { IncomingMessage, ServerResponse } from 'node:http'
import { ConfigError } from '../core/errors.js'
import type { KafkaStreams } from '../runtime/kafka-streams.js'
import { answerHealth } from './health-route.js'
import { answerKey } from './key-routes.js'
import { FORWARDED_HEADER, peerAgent } from './peer-requests.js'
import { answerForError, jsonAnswer, QueryError, type QueryAnswer } from './query-answer.js'
import type { QueryContext, QueryRequest } from './query-context.js'
import type { QueryServerOptions } from './query-server-options.js'
import { answerRange } from './range-route.js'
import { StoreCatalog } from './store-catalog.js'

const ROUTES = 'GET /health, GET /metrics, GET /stores, GET /stores/:store, GET /stores/:store/keys/:key, GET /stores/:store/keys/:key/windows'
const PREFIXES = new Set(['health', 'metrics', 'stores'])

/**
 * The query server's routes as a request handler for a server the caller owns. It resolves true
 * when it answered, false when the path is not one of its routes (`/health`, `/metrics`,
 * `/stores...`), so the caller can serve its own. It never rejects: every failure is a JSON error.
 *
 * @example
 * const server = http.createServer()
 * server.listen(0, '127.0.0.1', () => {
 *   const app = new KafkaStreams(topology, { ...config, applicationServer: `127.0.0.1:${(server.address() as AddressInfo).port}` })
 *   const queries = createQueryHandler(app)
 *   server.on('request', async (req, res) => { if (!(await queries(req, res))) res.writeHead(404).end() })
 * })
 */
export function createQueryHandler(
  app: KafkaStreams | readonly KafkaStreams[],
  options: Omit<QueryServerOptions, 'port' | 'host'> = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const apps: readonly KafkaStreams[] = Array.isArray(app) ? app : [app as KafkaStreams]
  if (apps.length === 0) throw new ConfigError('The query server needs at least one KafkaStreams app to serve.')
  const forwardTimeoutMs = options.forwardTimeoutMs ?? 5_000
  if (!(Number.isFinite(forwardTimeoutMs) && forwardTimeoutMs > 0)) throw new ConfigError(`forwardTimeoutMs must be a positive number of milliseconds, got ${String(forwardTimeoutMs)}.`)
  const ctx: QueryContext = { catalog: new StoreCatalog(apps, options.keySerdes), forwardTimeoutMs, agent: peerAgent() }
  const { metrics } = options

  async function route(request: QueryRequest): Promise<QueryAnswer> {
    const [top, store, keys, key, windows, ...rest] = request.segments
    if (top === 'health' && store === undefined) return answerHealth(apps)
    if (top === 'metrics' && store === undefined) {
      if (metrics === undefined) throw new QueryError(404, 'NO_METRICS', 'This query server was started without metrics; pass the metrics option to serve GET /metrics.')
      return { status: 200, contentType: metrics.contentType, body: await metrics.render() }
    }
    if (top === 'stores' && store === undefined) {
      return jsonAnswer(200, ctx.catalog.list().map((s) => ({ name: s.name, kind: s.kind, global: s.global, applicationId: s.app.config.applicationId })))
    }
    if (top === 'stores' && store !== undefined && store !== '' && rest.length === 0) {
      if (keys === undefined) return answerRange(ctx, request, ctx.catalog.get(store))
      if (keys === 'keys' && key !== undefined && (windows === undefined || windows === 'windows')) {
        return answerKey(ctx, request, ctx.catalog.get(store), key, windows !== undefined)
      }
    }
    throw new QueryError(404, 'NOT_FOUND', `No route for GET /${request.segments.join('/')}. Routes: ${ROUTES}.`)
  }

  return async (req, res) => {
    const target = req.url ?? '/'
    const queryAt = target.indexOf('?')
    const path = queryAt === -1 ? target : target.slice(0, queryAt)
    const rawSegments = path.split('/').slice(1)
    if (!path.startsWith('/') || !PREFIXES.has(rawSegments[0] as string)) return false
    let answer: QueryAnswer
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        throw new QueryError(405, 'METHOD_NOT_ALLOWED', `The query server only reads: use GET, not ${req.method ?? 'this method'}.`, { allow: 'GET, HEAD' })
      }
      const request: QueryRequest = {
        segments: rawSegments.map(decodeSegment),
        target,
        query: new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1)),
        forwarded: req.headers[FORWARDED_HEADER] !== undefined,
        localAddress: addressOf(req),
      }
      answer = await route(request)
    } catch (error) {
      answer = answerForError(error)
    }
    write(res, answer)
    return true
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new QueryError(400, 'BAD_PATH', `The path segment "${segment}" is not valid percent-encoding; encode keys with encodeURIComponent.`)
  }
}

function addressOf(req: IncomingMessage): string {
  const { localAddress, localPort } = req.socket
  const host = localAddress === undefined ? 'localhost' : localAddress.includes(':') ? `[${localAddress}]` : localAddress
  return `${host}:${localPort ?? 0}`
}

function write(res: ServerResponse, answer: QueryAnswer): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = Buffer.from(answer.body, 'utf8')
  res.writeHead(answer.status, { ...answer.headers, 'content-type': answer.contentType, 'content-length': body.length, 'cache-control': 'no-store' })
  res.end(body)
}
