import type { Agent } from 'node:http'
import type { KafkaStreams } from '../runtime/kafka-streams.js'
import { parseHostPort } from '../runtime/config.js'
import type { StoreCatalog } from './store-catalog.js'

/** What every route shares for the lifetime of a handler. */
export interface QueryContext {
  readonly catalog: StoreCatalog
  readonly forwardTimeoutMs: number
  readonly agent: Agent
}

/** One request as the routes see it. */
export interface QueryRequest {
  /** The path's segments, percent-decoded: `/stores/counts/keys/a%2Fb` is `['stores', 'counts', 'keys', 'a/b']`. */
  readonly segments: readonly string[]
  /** The path and query string as received, to send on to another instance unchanged. */
  readonly target: string
  readonly query: URLSearchParams
  /** Sent by another instance's query server: answer from this instance, never forward again. */
  readonly forwarded: boolean
  /** The `host:port` the request reached this server at; names the instance when its app advertises no applicationServer. */
  readonly localAddress: string
}

/** How an answer read from this instance's stores names the instance (`x-tributary-served-by`). */
export function selfAddress(app: KafkaStreams, request: QueryRequest): string {
  return app.config.applicationServer ?? request.localAddress
}

/** Whether `host:port` from the group's metadata is this instance: it advertises exactly that applicationServer. */
export function isSelf(app: KafkaStreams, host: string, port: number): boolean {
  const own = app.config.applicationServer === undefined ? undefined : parseHostPort(app.config.applicationServer)
  return own !== undefined && own.host === host && own.port === port
}
