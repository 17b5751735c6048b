import { createServer, type Server } from 'node:http'
import type { EmbeddedKafka } from '../embedded-kafka.js'
import { isAuthorized, sendUnauthorized, type RegistryUsers } from './basic-auth.js'
import { handleRegistryRequest } from './http-api.js'
import { MemorySchemaLog, type SchemaLog } from './schema-log.js'
import { SchemaStore } from './schema-store.js'
import { TopicSchemaLog } from './topic-schema-log.js'

export interface EmbeddedSchemaRegistryOptions {
  /** HTTP port; 0 picks a free one. */
  port?: number
  host?: string
  /** The broker whose compacted `_schemas` topic keeps the schemas, so they survive restarts. */
  kafka?: EmbeddedKafka
  /** Another place to keep schemas; without `kafka` or `log` they live in memory only. */
  log?: SchemaLog
  /**
   * Users and passwords (`{ alice: 'secret' }`): every request must then carry one of them as HTTP
   * basic auth, or is answered 401 as Confluent's registry answers it. Default: no authentication.
   */
  basicAuth?: RegistryUsers
}

/**
 * A Confluent-compatible schema registry (Avro) for development and tests.
 *
 * @example
 * const kafka = await EmbeddedKafka.start({ dataDir: '.tributary/broker' })
 * const registry = await EmbeddedSchemaRegistry.start({ port: 8081, kafka })
 * const serde = Serdes.schemaRegistry({ url: registry.url, schema })
 */
export class EmbeddedSchemaRegistry {
  private closed = false

  private constructor(
    private readonly server: Server,
    private readonly log: SchemaLog,
    readonly port: number,
    readonly host: string,
  ) {}

  /** The base URL clients use, e.g. `http://127.0.0.1:8081`. */
  get url(): string {
    return `http://${this.host}:${this.port}`
  }

  static async start(options: EmbeddedSchemaRegistryOptions = {}): Promise<EmbeddedSchemaRegistry> {
    const host = options.host ?? '127.0.0.1'
    const log = options.log ?? (options.kafka === undefined ? new MemorySchemaLog() : new TopicSchemaLog(options.kafka.localTopics))
    const store = await SchemaStore.load(log)
    const users = options.basicAuth
    const server = createServer((request, response) => {
      if (users !== undefined && !isAuthorized(users, request)) sendUnauthorized(response)
      else void handleRegistryRequest(store, request, response)
    })
    server.keepAliveTimeout = 1_000
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', (error) => reject(new Error(`Schema registry cannot listen on ${host}:${options.port ?? 0}: ${error.message}. Pick another port.`, { cause: error })))
      server.listen(options.port ?? 0, host, () => {
        const address = server.address()
        resolve(typeof address === 'object' && address !== null ? address.port : 0)
      })
    })
    return new EmbeddedSchemaRegistry(server, log, port, host)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    await this.log.close?.()
  }
}
