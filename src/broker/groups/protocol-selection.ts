/** A member's supported protocols, most preferred first (as it listed them in JoinGroup). */
export interface MemberProtocols {
  readonly protocols: ReadonlyArray<{ readonly name: string }>
}

/**
 * Whether a member with these protocols may join a group whose members are `members`: an empty
 * group takes any member that names a protocol type and at least one protocol; otherwise the
 * protocol type must match and at least one of its protocols must be supported by every member.
 */
export function supportsProtocols(
  groupProtocolType: string | null,
  members: readonly MemberProtocols[],
  memberProtocolType: string,
  memberProtocols: ReadonlyArray<{ readonly name: string }>,
): boolean {
  if (members.length === 0) return memberProtocolType !== '' && memberProtocols.length > 0
  if (groupProtocolType !== memberProtocolType) return false
  const common = commonProtocols(members)
  return memberProtocols.some((p) => common.has(p.name))
}

/** The protocol names every member supports. */
export function commonProtocols(members: readonly MemberProtocols[]): Set<string> {
  const [first, ...rest] = members
  const common = new Set(first?.protocols.map((p) => p.name) ?? [])
  for (const member of rest) {
    const names = new Set(member.protocols.map((p) => p.name))
    for (const name of common) if (!names.has(name)) common.delete(name)
  }
  return common
}

/**
 * Chooses the group's protocol as Kafka does: among the protocols every member supports, each
 * member votes for the one it prefers most, and the most voted wins. Ties go to the protocol the
 * first member (the leader when it was elected first) prefers, so the choice is deterministic.
 * Returns null when the members have no protocol in common.
 */
export function selectProtocol(members: readonly MemberProtocols[]): string | null {
  const common = commonProtocols(members)
  if (common.size === 0) return null
  const votes = new Map<string, number>()
  for (const member of members) {
    const choice = member.protocols.find((p) => common.has(p.name))!.name
    votes.set(choice, (votes.get(choice) ?? 0) + 1)
  }
  let winner: string | null = null
  let best = 0
  // Walk candidates in the first member's preference order so ties resolve the same way every time.
  for (const { name } of members[0]!.protocols) {
    const count = votes.get(name) ?? 0
    if (count > best) {
      winner = name
      best = count
    }
  }
  return winner
}
