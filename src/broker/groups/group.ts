import { KafkaErrorCode as E } from './error-codes.js'
import type { PersistedGroup } from './log-records.js'
import { selectProtocol } from './protocol-selection.js'

/** State names exactly as Kafka reports them in DescribeGroups and ListGroups. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

/** Which states a group may enter each state from (Kafka's classic group state machine). */
const VALID_PREVIOUS_STATES: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
}

export interface JoinResult {
  errorCode: number
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leader: string
  memberId: string
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>
  /** JoinGroup v9+: the leader keeps the group's current assignment instead of computing one. */
  skipAssignment?: boolean
}

export interface SyncResult {
  errorCode: number
  assignment: Buffer
}

export interface MemberProtocol {
  name: string
  metadata: Buffer
}

const EMPTY = Buffer.alloc(0)

/** One member of a classic consumer group, as the coordinator tracks it. */
export class GroupMember {
  assignment: Buffer = EMPTY
  /** Set while the member's JoinGroup waits for the join phase to complete. */
  awaitingJoin: ((result: JoinResult) => void) | null = null
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: ((result: SyncResult) => void) | null = null
  /** True from its first join until its first completed join phase. */
  isNew = false
  /** `now()` at which the member's session ends unless it heartbeats (or is in a rebalance). */
  sessionDeadline = 0
  sessionTimer: ReturnType<typeof setTimeout> | null = null
  /** `now()` at which `sessionTimer` fires. */
  sessionTimerAt = 0

  constructor(
    /** Changes only when a restarted static member takes over this member's place (KIP-345). */
    public memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public protocolType: string,
    public protocols: MemberProtocol[],
  ) {}

  metadataFor(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY
  }

  /** Same protocols, same metadata, same order: a rejoin that changes nothing. */
  matches(protocols: readonly MemberProtocol[]): boolean {
    return protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata))
  }
}

/** The state of one classic consumer group; the rebalance protocol drives it. */
export class ConsumerGroup {
  state: GroupState = 'Empty'
  generationId = 0
  protocolType: string | null = null
  protocolName: string | null = null
  leaderId: string | null = null
  /** Members in join order; the first one becomes leader when there is none. */
  readonly members = new Map<string, GroupMember>()
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not rejoined with them yet. */
  readonly pendingMembers = new Map<string, ReturnType<typeof setTimeout>>()
  /** groupInstanceId -> memberId of static members. */
  readonly staticMembers = new Map<string, string>()
  /** Set when a member joins during the initial delayed join of a new group. */
  newMemberAdded = false
  /** Ends the join phase: the rebalance timeout, or the initial delay of a new group. */
  joinTimer: ReturnType<typeof setTimeout> | null = null
  /** True while a new group waits out its initial rebalance delay (joins cannot end it early). */
  initialJoinPending = false
  /** Members that got this generation's JoinGroup response but have not sent SyncGroup yet. */
  readonly pendingSync = new Set<string>()
  /** Removes the `pendingSync` members when the rebalance timeout passes after the join phase. */
  syncTimer: ReturnType<typeof setTimeout> | null = null

  /** `now()` when the group entered its current state; offsets of an Empty group expire from it. */
  stateTimestamp: number

  constructor(
    readonly groupId: string,
    private readonly now: () => number,
  ) {
    this.stateTimestamp = now()
  }

  is(state: GroupState): boolean {
    return this.state === state
  }

  transitionTo(state: GroupState): void {
    if (!VALID_PREVIOUS_STATES[state].includes(this.state)) {
      throw new Error(`group ${this.groupId} cannot go from ${this.state} to ${state}`)
    }
    this.state = state
    this.stateTimestamp = this.now()
  }

  /** Kafka lets a rebalance start only from these states (PreparingRebalance is already one). */
  canRebalance(): boolean {
    return this.state === 'Stable' || this.state === 'CompletingRebalance' || this.state === 'Empty'
  }

  add(member: GroupMember): void {
    if (this.members.size === 0) this.protocolType = member.protocolType
    this.members.set(member.memberId, member)
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId)
    if (this.leaderId === null) this.leaderId = member.memberId
  }

  remove(memberId: string): GroupMember | undefined {
    const member = this.members.get(memberId)
    if (member === undefined) return undefined
    this.members.delete(memberId)
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId)
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null
    return member
  }

  /**
   * Kafka's check of the member a request comes from: a group instance id must still map to that
   * member id (another id means the sender is an older incarnation that a restart replaced; no
   * mapping means the member was removed), and the member id must be in the group.
   */
  validateMember(memberId: string, groupInstanceId: string | null | undefined): number {
    if (groupInstanceId !== null && groupInstanceId !== undefined) {
      const owner = this.staticMembers.get(groupInstanceId)
      if (owner === undefined) return E.UNKNOWN_MEMBER_ID
      if (owner !== memberId) return E.FENCED_INSTANCE_ID
    }
    return this.members.has(memberId) ? E.NONE : E.UNKNOWN_MEMBER_ID
  }

  /**
   * A static member that restarted takes over its previous incarnation's place under a new member
   * id: same assignment, same leadership, same pending sync. Whatever the old incarnation still
   * waits on is answered FENCED_INSTANCE_ID, and so is every later request it sends.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): GroupMember {
    const member = this.members.get(oldMemberId)
    if (member === undefined || member.groupInstanceId !== groupInstanceId) {
      throw new Error(`group ${this.groupId} has no member ${oldMemberId} with instance id ${groupInstanceId} to replace`)
    }
    answerWaiters(member, E.FENCED_INSTANCE_ID)
    this.members.delete(oldMemberId)
    member.memberId = newMemberId
    this.members.set(newMemberId, member)
    this.staticMembers.set(groupInstanceId, newMemberId)
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId
    if (this.pendingSync.delete(oldMemberId)) this.pendingSync.add(newMemberId)
    return member
  }

  hasAllMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false
    for (const member of this.members.values()) if (member.awaitingJoin === null) return false
    return true
  }

  notYetRejoined(): GroupMember[] {
    return [...this.members.values()].filter((m) => m.awaitingJoin === null)
  }

  /** The group waits this long for members to rejoin: the largest of its members' timeouts. */
  rebalanceTimeoutMs(): number {
    let max = 0
    for (const member of this.members.values()) max = Math.max(max, member.rebalanceTimeoutMs)
    return max
  }

  /**
   * Keeps the leader if it rejoined, else hands leadership to a member that did. False when no
   * member rejoined (then the leader is left as it was).
   */
  electJoinedLeader(): boolean {
    const leader = this.leaderId === null ? undefined : this.members.get(this.leaderId)
    if (leader?.awaitingJoin != null) return true
    const joined = [...this.members.values()].find((m) => m.awaitingJoin !== null)
    if (joined === undefined) return false
    this.leaderId = joined.memberId
    return true
  }

  initNextGeneration(): void {
    this.generationId++
    if (this.members.size > 0) {
      this.protocolName = selectProtocol([...this.members.values()])
      this.transitionTo('CompletingRebalance')
    } else {
      this.protocolName = null
      this.transitionTo('Empty')
    }
  }

  /** What the leader gets in its JoinGroup response: every member's metadata for the protocol. */
  memberMetadata(): JoinResult['members'] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(this.protocolName),
    }))
  }

  joinResultFor(member: GroupMember): JoinResult {
    return {
      errorCode: 0,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? '',
      memberId: member.memberId,
      members: this.leaderId === member.memberId ? this.memberMetadata() : [],
    }
  }

  toPersisted(): PersistedGroup {
    return {
      groupId: this.groupId,
      protocolType: this.protocolType,
      generationId: this.generationId,
      protocolName: this.protocolName,
      leaderId: this.leaderId,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs, sessionTimeoutMs: m.sessionTimeoutMs,
        metadata: m.metadataFor(this.protocolName), assignment: m.assignment,
      })),
    }
  }

  /** A group read back from the log: Stable with its members if it had any, else Empty. */
  static fromPersisted(persisted: PersistedGroup, now: () => number): ConsumerGroup {
    const group = new ConsumerGroup(persisted.groupId, now)
    group.generationId = persisted.generationId
    group.protocolType = persisted.protocolType
    for (const m of persisted.members) {
      const protocols = persisted.protocolName === null ? [] : [{ name: persisted.protocolName, metadata: m.metadata }]
      const member = new GroupMember(m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs,
        m.sessionTimeoutMs, persisted.protocolType ?? '', protocols)
      member.assignment = m.assignment
      group.add(member)
    }
    group.protocolType = persisted.protocolType
    if (group.members.size > 0) {
      group.protocolName = persisted.protocolName
      group.leaderId = persisted.leaderId ?? group.leaderId
      group.state = 'Stable'
    }
    return group
  }
}

/** Answers whatever JoinGroup or SyncGroup the member is waiting on with an error. */
export function answerWaiters(member: GroupMember, errorCode: number): void {
  const join = member.awaitingJoin
  const sync = member.awaitingSync
  member.awaitingJoin = null
  member.awaitingSync = null
  join?.(joinError(member.memberId, errorCode))
  sync?.(syncError(errorCode))
}

export function joinError(memberId: string, errorCode: number): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] }
}

export function syncError(errorCode: number): SyncResult {
  return { errorCode, assignment: Buffer.alloc(0) }
}
