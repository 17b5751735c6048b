import type { BrokerLogger } from './logger.js'
import type { FetchWaiters } from './server/fetch-waiters.js'
import type { TopicRegistry } from './topics.js'

/** What the group coordinator offers the dispatcher (implemented in ./groups). */
export interface GroupService {
  handles(apiKey: number): boolean
  handle(apiKey: number, apiVersion: number, request: Record<string, unknown>, client: { clientId: string | null; host: string }): Promise<Record<string, unknown>>
  onTopicDeleted(topic: string): void
  close(): Promise<void>
}

/** The state every request handler works on. */
export interface BrokerContext {
  readonly nodeId: number
  readonly clusterId: string
  readonly advertisedHost: string
  advertisedPort: number
  readonly defaultPartitions: number
  readonly autoCreateTopics: boolean
  readonly topics: TopicRegistry
  readonly fetchWaiters: FetchWaiters
  readonly logger: BrokerLogger
  readonly now: () => number
  groups: GroupService | null
  nextProducerId: bigint
  closing: boolean
}

/** Per-request facts a handler may need besides the decoded body. */
export interface RequestMeta {
  apiVersion: number
  clientId: string | null
  host: string
}

export type Message = Record<string, unknown>

/** A handler answers with a response body, or null when no response is sent (acks=0 produce). */
export type Handler = (ctx: BrokerContext, request: Message, meta: RequestMeta) => Message | null | Promise<Message | null>
