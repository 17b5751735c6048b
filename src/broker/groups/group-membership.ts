import { randomUUID } from 'node:crypto'
import { KafkaErrorCode as E } from './error-codes.js'
import { answerWaiters, ConsumerGroup, GroupMember, joinError, syncError, type JoinResult, type SyncResult } from './group.js'
import type { PersistedGroup } from './log-records.js'
import type { JoinRequest, LeaveResult, MemberIdentity, MembershipConfig, SyncRequest } from './membership-types.js'
import { supportsProtocols } from './protocol-selection.js'
import { SessionTimers } from './session-timers.js'
import { rejoinStaticMember, type StaticRejoinHooks } from './static-membership.js'

/** How long a member that joined but never completed a join phase may linger (Kafka's value). */
const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60_000

/**
 * The classic group membership protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) over all
 * groups, with Kafka's semantics: a rebalance moves a group through PreparingRebalance (members
 * rejoin, or are dropped when the rebalance timeout expires) and CompletingRebalance (the leader
 * sends the assignment) to Stable; a member whose session times out is removed and the group
 * rebalances.
 */
export class GroupMembership {
  readonly groups = new Map<string, ConsumerGroup>()
  private readonly sessions: SessionTimers
  /** After shutdown no timer may be armed again (e.g. by a group write that completes late). */
  private closed = false
  private readonly staticHooks: StaticRejoinHooks = {
    touch: (group, member) => this.touch(group, member),
    rebalance: (group) => {
      this.maybePrepareRebalance(group)
      this.tryCompleteJoin(group)
    },
    save: (group) => this.config.saveGroup(group.toPersisted()),
  }

  constructor(private readonly config: MembershipConfig) {
    this.sessions = new SessionTimers(config.now, (group, member) => {
      config.logger.info('group member session expired', { groupId: group.groupId, memberId: member.memberId })
      this.removeMemberAndUpdateGroup(group, member, E.UNKNOWN_MEMBER_ID)
    })
  }

  getOrCreate(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId)
    if (group === undefined) this.groups.set(groupId, (group = new ConsumerGroup(groupId, this.config.now)))
    return group
  }

  /** Restores a group read from disk; its members must heartbeat within their sessions to stay. */
  restore(persisted: PersistedGroup): void {
    const group = ConsumerGroup.fromPersisted(persisted, this.config.now)
    this.groups.set(group.groupId, group)
    for (const member of group.members.values()) this.sessions.schedule(group, member, member.sessionTimeoutMs)
  }

  /** Resets a member's session, as any valid request from it does. */
  touch(group: ConsumerGroup, member: GroupMember): void {
    if (!this.closed) this.sessions.schedule(group, member, member.sessionTimeoutMs)
  }

  join(req: JoinRequest): Promise<JoinResult> | JoinResult {
    if (req.groupId === '') return joinError(req.memberId, E.INVALID_GROUP_ID)
    if (req.sessionTimeoutMs < this.config.minSessionTimeoutMs || req.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return joinError(req.memberId, E.INVALID_SESSION_TIMEOUT)
    }
    const isNewMember = req.memberId === ''
    const group = isNewMember ? this.getOrCreate(req.groupId) : this.groups.get(req.groupId)
    if (group === undefined) return joinError(req.memberId, E.UNKNOWN_MEMBER_ID)
    if (group.is('Dead')) return joinError(req.memberId, E.COORDINATOR_NOT_AVAILABLE)
    if (!supportsProtocols(group.protocolType, [...group.members.values()], req.protocolType, req.protocols)) {
      return joinError(req.memberId, E.INCONSISTENT_GROUP_PROTOCOL)
    }
    return isNewMember ? this.joinNewMember(group, req) : this.joinKnownMember(group, req)
  }

  sync(req: SyncRequest): Promise<SyncResult> | SyncResult {
    const group = this.groups.get(req.groupId)
    if (group === undefined) return syncError(E.UNKNOWN_MEMBER_ID)
    if (group.is('Dead')) return syncError(E.COORDINATOR_NOT_AVAILABLE)
    const memberError = group.validateMember(req.memberId, req.groupInstanceId)
    if (memberError !== E.NONE) return syncError(memberError)
    const member = group.members.get(req.memberId)!
    if (req.generationId !== group.generationId) return syncError(E.ILLEGAL_GENERATION)
    if ((req.protocolType !== null && req.protocolType !== group.protocolType) ||
        (req.protocolName !== null && req.protocolName !== group.protocolName)) {
      return syncError(E.INCONSISTENT_GROUP_PROTOCOL)
    }
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return syncError(E.UNKNOWN_MEMBER_ID)
      case 'PreparingRebalance':
        return syncError(E.REBALANCE_IN_PROGRESS)
      case 'Stable':
        group.pendingSync.delete(member.memberId)
        this.touch(group, member)
        return { errorCode: E.NONE, assignment: member.assignment }
      case 'CompletingRebalance': {
        group.pendingSync.delete(member.memberId)
        member.awaitingSync?.(syncError(E.REBALANCE_IN_PROGRESS))
        const result = new Promise<SyncResult>((resolve) => (member.awaitingSync = resolve))
        if (group.leaderId === member.memberId) this.storeAssignment(group, req.assignments)
        return result
      }
    }
  }

  heartbeat(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
    const group = this.groups.get(groupId)
    if (group === undefined) return E.UNKNOWN_MEMBER_ID
    if (group.is('Dead')) return E.COORDINATOR_NOT_AVAILABLE
    const memberError = group.validateMember(memberId, groupInstanceId)
    if (memberError !== E.NONE) return memberError
    const member = group.members.get(memberId)!
    if (generationId !== group.generationId) return E.ILLEGAL_GENERATION
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return E.UNKNOWN_MEMBER_ID
      case 'PreparingRebalance':
        // The member is alive but must rejoin: the error tells it to.
        this.touch(group, member)
        return E.REBALANCE_IN_PROGRESS
      case 'CompletingRebalance':
      case 'Stable':
        this.touch(group, member)
        return E.NONE
    }
  }

  leave(groupId: string, leaving: readonly MemberIdentity[]): LeaveResult {
    const group = this.groups.get(groupId)
    if (group === undefined) {
      return { errorCode: E.NONE, members: leaving.map((m) => ({ ...m, errorCode: E.UNKNOWN_MEMBER_ID })) }
    }
    if (group.is('Dead')) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, members: [] }
    return { errorCode: E.NONE, members: leaving.map((m) => ({ ...m, errorCode: this.leaveOne(group, m) })) }
  }

  /** Stops every timer and answers every waiting JoinGroup and SyncGroup with NOT_COORDINATOR. */
  shutdown(): void {
    this.closed = true
    for (const group of this.groups.values()) {
      if (group.joinTimer !== null) clearTimeout(group.joinTimer)
      group.joinTimer = null
      this.clearPendingSync(group)
      for (const timer of group.pendingMembers.values()) clearTimeout(timer)
      group.pendingMembers.clear()
      for (const member of group.members.values()) {
        this.sessions.cancel(member)
        answerWaiters(member, E.NOT_COORDINATOR)
      }
    }
  }

  /** Marks an Empty group Dead and forgets it (DeleteGroups). */
  removeGroup(group: ConsumerGroup): void {
    group.transitionTo('Dead')
    this.clearPendingSync(group)
    for (const timer of group.pendingMembers.values()) clearTimeout(timer)
    group.pendingMembers.clear()
    this.groups.delete(group.groupId)
  }

  private joinNewMember(group: ConsumerGroup, req: JoinRequest): Promise<JoinResult> | JoinResult {
    const memberId = `${req.groupInstanceId ?? req.clientId}-${randomUUID()}`
    if (req.groupInstanceId !== null) {
      // Static members skip MEMBER_ID_REQUIRED; a known instance id is a restart of that member.
      const previousId = group.staticMembers.get(req.groupInstanceId)
      if (previousId === undefined || !group.members.has(previousId)) return this.addMemberAndRebalance(group, memberId, req)
      this.config.logger.info('static member rejoined under a new member id', {
        groupId: group.groupId, groupInstanceId: req.groupInstanceId, previousMemberId: previousId, memberId, state: group.state,
      })
      return rejoinStaticMember(group, previousId, memberId, req, this.staticHooks)
    }
    if (!req.requireKnownMemberId) return this.addMemberAndRebalance(group, memberId, req)
    // The member must come back with this id; until then it holds up a join phase like a member.
    const expiry = this.timer(() => {
      group.pendingMembers.delete(memberId)
      this.tryCompleteJoin(group)
    }, req.sessionTimeoutMs)
    group.pendingMembers.set(memberId, expiry)
    return joinError(memberId, E.MEMBER_ID_REQUIRED)
  }

  private joinKnownMember(group: ConsumerGroup, req: JoinRequest): Promise<JoinResult> | JoinResult {
    if (group.pendingMembers.has(req.memberId)) return this.addMemberAndRebalance(group, req.memberId, req)
    const memberError = group.validateMember(req.memberId, req.groupInstanceId)
    if (memberError !== E.NONE) return joinError(req.memberId, memberError)
    const member = group.members.get(req.memberId)!
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, req)
      case 'CompletingRebalance':
        // A member that lost the join response asks again: same answer, no new rebalance.
        return member.matches(req.protocols) ? group.joinResultFor(member) : this.updateMemberAndRebalance(group, member, req)
      case 'Stable':
        // A leader rejoining may want a new assignment (e.g. its metadata changed): rebalance.
        return group.leaderId === member.memberId || !member.matches(req.protocols)
          ? this.updateMemberAndRebalance(group, member, req)
          : group.joinResultFor(member)
      case 'Empty':
      case 'Dead':
        return joinError(req.memberId, E.UNKNOWN_MEMBER_ID)
    }
  }

  private addMemberAndRebalance(group: ConsumerGroup, memberId: string, req: JoinRequest): Promise<JoinResult> {
    const pending = group.pendingMembers.get(memberId)
    if (pending !== undefined) clearTimeout(pending)
    group.pendingMembers.delete(memberId)
    const member = new GroupMember(memberId, req.groupInstanceId, req.clientId, req.clientHost, req.rebalanceTimeoutMs,
      req.sessionTimeoutMs, req.protocolType, req.protocols)
    member.isNew = true
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true
    const result = new Promise<JoinResult>((resolve) => (member.awaitingJoin = resolve))
    group.add(member)
    this.sessions.schedule(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS)
    this.maybePrepareRebalance(group)
    this.tryCompleteJoin(group)
    return result
  }

  private updateMemberAndRebalance(group: ConsumerGroup, member: GroupMember, req: JoinRequest): Promise<JoinResult> {
    member.protocols = req.protocols
    member.protocolType = req.protocolType
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs
    member.sessionTimeoutMs = req.sessionTimeoutMs
    member.clientId = req.clientId
    member.clientHost = req.clientHost
    member.awaitingJoin?.(joinError(member.memberId, E.REBALANCE_IN_PROGRESS))
    const result = new Promise<JoinResult>((resolve) => (member.awaitingJoin = resolve))
    this.maybePrepareRebalance(group)
    this.tryCompleteJoin(group)
    return result
  }

  private maybePrepareRebalance(group: ConsumerGroup): void {
    if (!group.canRebalance()) return
    if (group.is('CompletingRebalance')) {
      // The assignment being computed is for a membership that no longer holds.
      for (const member of group.members.values()) {
        member.assignment = Buffer.alloc(0)
        if (member.awaitingSync !== null) answerWaiters(member, E.REBALANCE_IN_PROGRESS)
      }
    }
    this.clearPendingSync(group)
    const wasEmpty = group.is('Empty')
    group.transitionTo('PreparingRebalance')
    if (group.joinTimer !== null) clearTimeout(group.joinTimer)
    const delay = this.config.initialRebalanceDelayMs
    if (wasEmpty && delay > 0) {
      this.scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0))
    } else {
      group.joinTimer = this.timer(() => this.completeJoin(group), group.rebalanceTimeoutMs())
      group.initialJoinPending = false
      // Everyone may already be in (e.g. the last member just left): then the phase ends now.
      this.tryCompleteJoin(group)
    }
  }

  /** A new group waits for more members to arrive, prolonging the wait while they keep coming. */
  private scheduleInitialJoin(group: ConsumerGroup, delay: number, remaining: number): void {
    group.initialJoinPending = true
    group.joinTimer = this.timer(() => {
      if (group.newMemberAdded && remaining > 0) {
        group.newMemberAdded = false
        const next = Math.min(this.config.initialRebalanceDelayMs, remaining)
        this.scheduleInitialJoin(group, next, Math.max(remaining - next, 0))
      } else {
        this.completeJoin(group)
      }
    }, delay)
  }

  private tryCompleteJoin(group: ConsumerGroup): void {
    if (group.is('PreparingRebalance') && !group.initialJoinPending && group.hasAllMembersJoined()) this.completeJoin(group)
  }

  private completeJoin(group: ConsumerGroup): void {
    if (group.joinTimer !== null) clearTimeout(group.joinTimer)
    group.joinTimer = null
    group.initialJoinPending = false
    group.newMemberAdded = false
    if (!group.is('PreparingRebalance')) return
    for (const member of group.notYetRejoined()) {
      // A static member keeps its place until its session expires: it may be restarting (KIP-345).
      if (member.groupInstanceId !== null) continue
      this.config.logger.info('removing group member that did not rejoin in time', { groupId: group.groupId, memberId: member.memberId })
      this.sessions.cancel(member)
      answerWaiters(member, E.UNKNOWN_MEMBER_ID)
      group.remove(member.memberId)
    }
    if (!group.electJoinedLeader() && group.members.size > 0) {
      // Only static members that have not rejoined are left: wait for them, or for their sessions to end.
      this.config.logger.warn('no group member rejoined; waiting another rebalance timeout', { groupId: group.groupId })
      group.joinTimer = this.timer(() => this.completeJoin(group), group.rebalanceTimeoutMs())
      return
    }
    group.initNextGeneration()
    if (group.is('Empty')) {
      this.persist(group, group.toPersisted())
      return
    }
    for (const member of group.members.values()) {
      const reply = member.awaitingJoin
      member.awaitingJoin = null
      member.isNew = false
      reply?.(group.joinResultFor(member))
      this.touch(group, member)
    }
    this.schedulePendingSync(group)
  }

  /** Like Kafka, members that never send SyncGroup within the rebalance timeout are removed. */
  private schedulePendingSync(group: ConsumerGroup): void {
    this.clearPendingSync(group)
    for (const memberId of group.members.keys()) group.pendingSync.add(memberId)
    const generation = group.generationId
    group.syncTimer = this.timer(() => {
      group.syncTimer = null
      if (this.closed || group.generationId !== generation || !(group.is('CompletingRebalance') || group.is('Stable'))) return
      const late = [...group.pendingSync].flatMap((id) => group.members.get(id) ?? [])
      group.pendingSync.clear()
      if (late.length === 0) return
      for (const member of late) {
        this.config.logger.info('removing group member that did not sync in time', { groupId: group.groupId, memberId: member.memberId })
        this.sessions.cancel(member)
        answerWaiters(member, E.UNKNOWN_MEMBER_ID)
        group.remove(member.memberId)
      }
      this.maybePrepareRebalance(group)
    }, group.rebalanceTimeoutMs())
  }

  private clearPendingSync(group: ConsumerGroup): void {
    if (group.syncTimer !== null) clearTimeout(group.syncTimer)
    group.syncTimer = null
    group.pendingSync.clear()
  }

  /** Kafka makes the leader's assignment durable before anyone sees it; so do we. */
  private storeAssignment(group: ConsumerGroup, assignments: SyncRequest['assignments']): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]))
    const generation = group.generationId
    const persisted = group.toPersisted()
    for (const m of persisted.members) m.assignment = byMember.get(m.memberId) ?? Buffer.alloc(0)
    const stillCurrent = (): boolean => !this.closed && group.is('CompletingRebalance') && group.generationId === generation
    this.config.saveGroup(persisted).then(
      () => {
        if (!stillCurrent()) return
        for (const member of group.members.values()) member.assignment = byMember.get(member.memberId) ?? Buffer.alloc(0)
        group.transitionTo('Stable')
        for (const member of group.members.values()) {
          const reply = member.awaitingSync
          member.awaitingSync = null
          reply?.({ errorCode: E.NONE, assignment: member.assignment })
          this.touch(group, member)
        }
      },
      () => {
        if (!stillCurrent()) return
        for (const member of group.members.values()) answerWaiters(member, E.COORDINATOR_NOT_AVAILABLE)
        this.maybePrepareRebalance(group)
      },
    )
  }

  /** As Kafka: an empty member id removes a static member by its instance id alone (KIP-345's admin removal). */
  private leaveOne(group: ConsumerGroup, leaving: MemberIdentity): number {
    const { memberId, groupInstanceId } = leaving
    if (memberId === '') {
      const owner = groupInstanceId === null ? undefined : group.staticMembers.get(groupInstanceId)
      const member = owner === undefined ? undefined : group.members.get(owner)
      if (member === undefined) return E.UNKNOWN_MEMBER_ID
      this.config.logger.debug('static group member removed by instance id', { groupId: group.groupId, memberId: member.memberId, groupInstanceId })
      this.removeMemberAndUpdateGroup(group, member, E.UNKNOWN_MEMBER_ID)
      return E.NONE
    }
    const pending = group.pendingMembers.get(memberId)
    if (pending !== undefined) {
      clearTimeout(pending)
      group.pendingMembers.delete(memberId)
      this.tryCompleteJoin(group)
      return E.NONE
    }
    const memberError = group.validateMember(memberId, groupInstanceId)
    if (memberError !== E.NONE) return memberError
    this.config.logger.debug('group member left', { groupId: group.groupId, memberId })
    this.removeMemberAndUpdateGroup(group, group.members.get(memberId)!, E.UNKNOWN_MEMBER_ID)
    return E.NONE
  }

  private removeMemberAndUpdateGroup(group: ConsumerGroup, member: GroupMember, waiterError: number): void {
    this.sessions.cancel(member)
    answerWaiters(member, waiterError)
    group.remove(member.memberId)
    if (group.is('Stable') || group.is('CompletingRebalance')) this.maybePrepareRebalance(group)
    else if (group.is('PreparingRebalance')) this.tryCompleteJoin(group)
  }

  private persist(group: ConsumerGroup, persisted: PersistedGroup): void {
    this.config.saveGroup(persisted).catch((error: unknown) => {
      this.config.logger.error('could not persist group metadata', { groupId: group.groupId, cause: String(error) })
    })
  }

  private timer(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(fn, ms)
    timer.unref?.()
    return timer
  }
}
