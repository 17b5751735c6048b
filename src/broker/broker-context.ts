import type { OffsetCommitEntry, TxnOffsetCommitInput, TxnOffsetCommitResult } from './groups/index.js'
import type { LogDurability } from './log/durability.js'
import type { BrokerLogger } from './logger.js'
import type { TransactionCoordinator } from './transactions/transaction-coordinator.js'
import type { FetchWaiters } from './server/fetch-waiters.js'
import type { TopicRegistry } from './topics.js'

/** What the group coordinator offers the dispatcher (implemented in ./groups). */
export interface GroupService {
  handles(apiKey: number): boolean
  handle(apiKey: number, apiVersion: number, request: Record<string, unknown>, client: { clientId: string | null; host: string }): Promise<Record<string, unknown>>
  onTopicDeleted(topic: string): void
  /** Writes waiting in the offsets log or being made durable. */
  queuedLogWrites(): number
  /** TxnOffsetCommit, group side: validates and holds the offsets as pending for the producer. */
  stageTxnOffsets(req: TxnOffsetCommitInput): TxnOffsetCommitResult
  /** Holds offsets again as pending for a producer whose transaction was open before a restart. */
  restoreTxnOffsets(groupId: string, producerId: bigint, entries: readonly OffsetCommitEntry[]): void
  /** Applies (commit) or drops (abort) a producer's pending offsets; durable once resolved. */
  completeTxnOffsets(groupId: string, producerId: bigint, commit: boolean, entries: readonly OffsetCommitEntry[]): Promise<void>
  close(): Promise<void>
}

/** The state every request handler works on. */
export interface BrokerContext {
  readonly nodeId: number
  readonly clusterId: string
  /** Where Metadata and FindCoordinator tell clients to connect: the advertised listener. */
  readonly advertisedHost: string
  advertisedPort: number
  readonly defaultPartitions: number
  readonly autoCreateTopics: boolean
  readonly topics: TopicRegistry
  /** When appends are synced: per acks=-1 request (fsync 'always') or by flush.messages / flush.ms. */
  readonly durability: LogDurability
  readonly fetchWaiters: FetchWaiters
  readonly logger: BrokerLogger
  readonly now: () => number
  groups: GroupService | null
  /** The transaction coordinator; null until the broker has loaded it. */
  transactions: TransactionCoordinator | null
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
