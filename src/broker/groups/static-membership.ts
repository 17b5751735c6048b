import { KafkaErrorCode as E } from './error-codes.js'
import type { ConsumerGroup, GroupMember, JoinResult, MemberProtocol } from './group.js'
import type { JoinRequest } from './membership-types.js'
import { selectProtocol } from './protocol-selection.js'

/** What a static member's rejoin needs from the membership protocol around it. */
export interface StaticRejoinHooks {
  /** Restarts the member's session. */
  touch(group: ConsumerGroup, member: GroupMember): void
  /** Starts a rebalance, or lets a running join phase complete now that the member has joined. */
  rebalance(group: ConsumerGroup): void
  /** Persists the group's membership and assignment; resolves once durable. */
  save(group: ConsumerGroup): Promise<void>
}

interface MemberSettings {
  protocols: MemberProtocol[]
  protocolType: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  clientId: string
  clientHost: string
}

/**
 * KIP-345, as Kafka's group coordinator does it: a static member (one with a group instance id)
 * that joins without a member id while its instance id is still in the group is a restart of
 * that member. It takes over the old member's place under `newMemberId`, and the old id is fenced.
 *
 * In a Stable group whose selected protocol stays the same there is no rebalance: once the new
 * member id is durable the member gets the current generation and, from its SyncGroup, its old
 * assignment; the other members notice nothing. A restarted leader that speaks JoinGroup v9+ is
 * told it leads, with the members, and to skip the assignment (KIP-814), so it keeps watching
 * metadata as a leader; older ones are told the previous leader id and sync as followers. Its metadata is not compared: Kafka does not
 * either, since a Kafka Streams member's subscription changes with every restart (task lags).
 * Otherwise (the selected protocol changes, or the leader may be computing an assignment for the
 * old member id) the group rebalances with the member in it.
 */
export function rejoinStaticMember(
  group: ConsumerGroup,
  oldMemberId: string,
  newMemberId: string,
  req: JoinRequest,
  hooks: StaticRejoinHooks,
): Promise<JoinResult> {
  const groupInstanceId = req.groupInstanceId!
  // Pre-v9 JoinGroup: the new member is told the leader as it was, so a restarted leader does not
  // compute an assignment that a Stable group would never hand out; it syncs as a follower.
  const previousLeader = group.leaderId ?? ''
  const skipping = req.supportSkippingAssignment === true
  const member = group.replaceStaticMember(groupInstanceId, oldMemberId, newMemberId)
  const previous = settingsOf(member)
  apply(member, req)
  hooks.touch(group, member)
  let answer: (result: JoinResult) => void = () => undefined
  const result = new Promise<JoinResult>((resolve) => (answer = resolve))
  member.awaitingJoin = answer
  const stillWaiting = (): boolean => member.awaitingJoin === answer
  const reply = (joined: JoinResult): void => {
    member.awaitingJoin = null
    answer(joined)
  }

  if (!group.is('Stable') || selectProtocol([...group.members.values()]) !== group.protocolName) {
    hooks.rebalance(group)
    return result
  }
  const current = (errorCode: number, memberId: string): JoinResult => {
    const leads = skipping && errorCode === E.NONE && group.leaderId === memberId
    return {
      errorCode,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: skipping && errorCode === E.NONE ? (group.leaderId ?? '') : previousLeader,
      memberId,
      members: leads ? group.memberMetadata() : [],
      skipAssignment: leads,
    }
  }
  hooks.save(group).then(
    () => {
      // A rebalance that started meanwhile has answered the member already.
      if (stillWaiting()) reply(current(E.NONE, newMemberId))
    },
    () => {
      if (!stillWaiting()) return
      // The new member id is not durable: give the place back to the old incarnation.
      if (group.is('Stable') && group.staticMembers.get(groupInstanceId) === newMemberId) {
        member.awaitingJoin = null
        group.replaceStaticMember(groupInstanceId, newMemberId, oldMemberId)
        apply(member, previous)
        hooks.touch(group, member)
      }
      reply(current(E.COORDINATOR_NOT_AVAILABLE, ''))
    },
  )
  return result
}

function settingsOf(member: GroupMember): MemberSettings {
  const { protocols, protocolType, rebalanceTimeoutMs, sessionTimeoutMs, clientId, clientHost } = member
  return { protocols, protocolType, rebalanceTimeoutMs, sessionTimeoutMs, clientId, clientHost }
}

function apply(member: GroupMember, settings: MemberSettings): void {
  member.protocols = settings.protocols
  member.protocolType = settings.protocolType
  member.rebalanceTimeoutMs = settings.rebalanceTimeoutMs
  member.sessionTimeoutMs = settings.sessionTimeoutMs
  member.clientId = settings.clientId
  member.clientHost = settings.clientHost
}
