import type { ConsumerGroup, GroupMember } from './group.js'

/**
 * Session expiry of group members. A heartbeat only moves the member's deadline forward; the
 * one timer per member re-arms itself for the remaining time when it fires early, so the hot
 * heartbeat path never clears and creates timers.
 */
export class SessionTimers {
  constructor(
    private readonly now: () => number,
    private readonly onExpire: (group: ConsumerGroup, member: GroupMember) => void,
  ) {}

  /** The member's session now ends `timeoutMs` from now unless renewed. */
  schedule(group: ConsumerGroup, member: GroupMember, timeoutMs: number): void {
    const deadline = this.now() + timeoutMs
    member.sessionDeadline = deadline
    if (member.sessionTimer !== null && member.sessionTimerAt <= deadline) return
    this.cancel(member)
    this.arm(group, member, timeoutMs)
  }

  cancel(member: GroupMember): void {
    if (member.sessionTimer !== null) clearTimeout(member.sessionTimer)
    member.sessionTimer = null
  }

  private arm(group: ConsumerGroup, member: GroupMember, delay: number): void {
    member.sessionTimerAt = this.now() + delay
    const timer = setTimeout(() => this.fire(group, member), delay)
    timer.unref?.()
    member.sessionTimer = timer
  }

  private fire(group: ConsumerGroup, member: GroupMember): void {
    member.sessionTimer = null
    if (group.members.get(member.memberId) !== member) return
    const remaining = member.sessionDeadline - this.now()
    if (remaining > 0) {
      this.arm(group, member, remaining)
      return
    }
    if (!member.isNew && (member.awaitingJoin !== null || member.awaitingSync !== null)) {
      // A member waiting on a join or sync phase is alive by definition: the rebalance timeout
      // bounds that wait, not the session.
      this.schedule(group, member, member.sessionTimeoutMs)
      return
    }
    this.onExpire(group, member)
  }
}
