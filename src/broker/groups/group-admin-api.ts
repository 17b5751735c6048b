import type { BrokerLogger } from '../logger.js'
import { KafkaErrorCode as E } from './error-codes.js'
import type { GroupMembership } from './group-membership.js'
import type { OffsetStore } from './offset-store.js'

/** READ, DELETE and DESCRIBE (AclOperation codes 3, 6, 8): all a group supports, with no authorizer. */
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8)
/** Kafka's "not requested" value for authorizedOperations. */
const OPERATIONS_NOT_REQUESTED = -2147483648
const EMPTY = Buffer.alloc(0)

export interface GroupAdminContext {
  membership: GroupMembership
  store: OffsetStore
  logger: BrokerLogger
}

/** DescribeGroups v0-5: an unknown group is described as Dead, without an error (as Kafka does). */
export function describeGroups(
  ctx: GroupAdminContext,
  req: { groups: string[]; includeAuthorizedOperations?: boolean },
): Record<string, unknown> {
  const authorizedOperations = req.includeAuthorizedOperations === true ? GROUP_AUTHORIZED_OPERATIONS : OPERATIONS_NOT_REQUESTED
  return {
    throttleTimeMs: 0,
    groups: req.groups.map((groupId) => {
      const group = ctx.membership.groups.get(groupId)
      if (group === undefined) {
        return { errorCode: E.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations }
      }
      // Like Kafka, member metadata and assignments are only shown once the group is Stable.
      const stable = group.is('Stable')
      return {
        errorCode: E.NONE,
        groupId,
        groupState: group.state,
        protocolType: group.protocolType ?? '',
        protocolData: stable ? (group.protocolName ?? '') : '',
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: stable ? m.metadataFor(group.protocolName) : EMPTY,
          memberAssignment: stable ? m.assignment : EMPTY,
        })),
        authorizedOperations,
      }
    }),
  }
}

/**
 * ListGroups v0-5; v4's state filter matches state names case-insensitively, and so does v5's type
 * filter (KIP-848): every group here is of type classic.
 */
export function listGroups(ctx: GroupAdminContext, req: { statesFilter?: string[]; typesFilter?: string[] }): Record<string, unknown> {
  const states = new Set((req.statesFilter ?? []).map((s) => s.toLowerCase()))
  const types = new Set((req.typesFilter ?? []).map((s) => s.toLowerCase()))
  if (types.size > 0 && !types.has('classic')) return { throttleTimeMs: 0, errorCode: E.NONE, groups: [] }
  const groups = [...ctx.membership.groups.values()]
    .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()))
    .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: 'classic' }))
  return { throttleTimeMs: 0, errorCode: E.NONE, groups }
}

/** DeleteGroups v0-2: only an Empty group (no members) can be deleted, with its committed offsets. */
export async function deleteGroups(ctx: GroupAdminContext, req: { groupsNames: string[] }): Promise<Record<string, unknown>> {
  const results = await Promise.all(req.groupsNames.map(async (groupId) => ({ groupId, errorCode: await deleteGroup(ctx, groupId) })))
  return { throttleTimeMs: 0, results }
}

async function deleteGroup(ctx: GroupAdminContext, groupId: string): Promise<number> {
  const group = ctx.membership.groups.get(groupId)
  if (group === undefined || group.is('Dead')) return E.GROUP_ID_NOT_FOUND
  if (!group.is('Empty')) return E.NON_EMPTY_GROUP
  ctx.membership.removeGroup(group)
  try {
    await ctx.store.deleteGroup(groupId)
  } catch {
    // The group is gone from memory; only a restart could bring its offsets back.
    ctx.logger.warn('group deleted in memory but its deletion could not be persisted', { groupId })
    return E.COORDINATOR_NOT_AVAILABLE
  }
  return E.NONE
}
