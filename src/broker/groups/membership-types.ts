import type { BrokerLogger } from '../logger.js'
import type { MemberProtocol } from './group.js'
import type { PersistedGroup } from './log-records.js'

export interface MembershipConfig {
  now: () => number
  logger: BrokerLogger
  /** Kafka's `group.initial.rebalance.delay.ms`; 0 completes a new group's first join at once. */
  initialRebalanceDelayMs: number
  minSessionTimeoutMs: number
  maxSessionTimeoutMs: number
  /** Persists group metadata; resolves once durable. */
  saveGroup: (group: PersistedGroup) => Promise<void>
}

export interface JoinRequest {
  groupId: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  memberId: string
  groupInstanceId: string | null
  protocolType: string
  protocols: MemberProtocol[]
  /** JoinGroup v4+: a member without an id is first handed one (MEMBER_ID_REQUIRED). */
  requireKnownMemberId: boolean
  /** JoinGroup v9+: a restarted static leader may be told it leads but need not assign (KIP-814). */
  supportSkippingAssignment?: boolean
  clientId: string
  clientHost: string
}

export interface SyncRequest {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
  protocolType: string | null
  protocolName: string | null
  assignments: Array<{ memberId: string; assignment: Buffer }>
}

export interface MemberIdentity {
  memberId: string
  groupInstanceId: string | null
}

export interface LeaveResult {
  errorCode: number
  members: Array<MemberIdentity & { errorCode: number }>
}
