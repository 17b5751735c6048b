import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ConfigError } from '../core/errors.js'
import { parseHostPort } from '../runtime/config.js'
import type { KafkaStreams } from '../runtime/kafka-streams.js'
import { errorAnswer, QueryError, encodeJson } from './query-answer.js'
import { createQueryHandler } from './query-handler.js'
import type { QueryServerOptions } from './query-server-options.js'

/** A running query server. */
export interface QueryServer {
  /** `http://host:port`, with the port it listens on. */
  readonly url: string
  readonly port: number
  /** Stops accepting connections and resolves once the requests in flight are answered. */
  close(): Promise<void>
}

/**
 * Serves interactive queries of `app` over HTTP (JSON): `/health`, `/stores`, a store's keys,
 * windows and key ranges, and `/metrics` when given. A query for a key another instance holds is
 * forwarded to that instance's query server, found through the `applicationServer` every instance
 * advertises, so a client may ask any instance. Several apps may be served by one server (the CLI
 * runs several topologies in one process); their store names must then be unique across them
 * (a ConfigError otherwise). See docs/running.md, "Query server".
 *
 * @example
 * const app = new KafkaStreams(topology, { applicationId: 'shop', bootstrapServers, applicationServer: 'shop-2.internal:8080' })
 * const server = await startQueryServer(app, { host: '0.0.0.0' })   // listens on 8080, the applicationServer's port
 * await app.start()
 * // curl http://shop-2.internal:8080/stores/order-counts/keys/ann  ->  {"key":"ann","value":3}
 */
export async function startQueryServer(app: KafkaStreams | readonly KafkaStreams[], options: QueryServerOptions = {}): Promise<QueryServer> {
  const apps: readonly KafkaStreams[] = Array.isArray(app) ? app : [app as KafkaStreams]
  const port = options.port ?? advertisedPort(apps)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(`port must be a whole number from 0 to 65535, got ${String(port)}.`)
  const host = options.host ?? '127.0.0.1'
  const handle = createQueryHandler(apps, options)
  const server = createServer((req, res) => {
    void handle(req, res).then((answered) => {
      if (answered) return
      const answer = errorAnswer(new QueryError(404, 'NOT_FOUND', `No route for ${req.method ?? 'GET'} ${req.url ?? '/'}: the query server serves /health, /metrics and /stores.`))
      res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body)
    })
  })
  await listen(server, port, host)
  const bound = (server.address() as AddressInfo).port
  let closing: Promise<void> | undefined
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    close: () => (closing ??= closeServer(server)),
  }
}

/** The port the apps advertise in `applicationServer` (they must agree), or 0 when none does. */
function advertisedPort(apps: readonly KafkaStreams[]): number {
  const ports = new Set(apps.flatMap((a) => (a.config.applicationServer === undefined ? [] : [parseHostPort(a.config.applicationServer)?.port ?? 0])))
  if (ports.size > 1) {
    throw new ConfigError(
      `The apps advertise different applicationServer ports (${encodeJson([...ports])}) but one query server listens on one port: ` +
        'give them the same applicationServer, or pass the port option.',
    )
  }
  return ports.values().next().value ?? 0
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)))
    // Idle keep-alive connections (other instances' forwarded queries) would hold close() open.
    server.closeIdleConnections()
  })
}
