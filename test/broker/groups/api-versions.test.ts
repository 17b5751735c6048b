import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { GroupCoordinator } from '../../../src/broker/groups/index.js'
import { Api, Harness, client, commit, flush, join, stateOf, type Response } from './fixtures.js'

type Members = Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>

const GROUP_ID_NOT_FOUND = 69
const ILLEGAL_GENERATION = 22

const syncV5 = (c: GroupCoordinator, memberId: string, instanceId: string, generationId: number, assignments: Array<{ memberId: string; assignment: Buffer }> = []): Promise<Response> =>
  c.handle(Api.SyncGroup, 5, { groupId: 'dispatch', generationId, memberId, groupInstanceId: instanceId, protocolType: 'consumer', protocolName: 'range', assignments }, client())

/** A static member (re)starting with JoinGroup v9 and a reason (KIP-800). */
const startV9 = (c: GroupCoordinator, instanceId: string): Promise<Response> =>
  c.handle(Api.JoinGroup, 9, {
    groupId: 'dispatch', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: '', groupInstanceId: instanceId,
    protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from(instanceId) }], reason: 'starting',
  }, client(instanceId))

describe('group APIs at their newest versions', () => {
  const h = new Harness()
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  })
  afterEach(async () => {
    await h.cleanup()
    vi.useRealTimers()
  })

  /** Static members driver-1 (leader, assignment A) and driver-2 (B), Stable. */
  async function stableGroup(c: GroupCoordinator): Promise<{ leader: string; follower: string; generationId: number }> {
    const first = await startV9(c, 'driver-1')
    const leader = first.memberId as string
    await syncV5(c, leader, 'driver-1', 1, [{ memberId: leader, assignment: Buffer.from('A') }])
    const second = startV9(c, 'driver-2')
    await flush()
    const rejoined = await c.handle(Api.JoinGroup, 9, {
      groupId: 'dispatch', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: leader, groupInstanceId: 'driver-1',
      protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('driver-1') }], reason: 'rebalance',
    }, client('driver-1'))
    const follower = (await second).memberId as string
    const generationId = rejoined.generationId as number
    const assignments = [{ memberId: leader, assignment: Buffer.from('A') }, { memberId: follower, assignment: Buffer.from('B') }]
    await Promise.all([syncV5(c, leader, 'driver-1', generationId, assignments), syncV5(c, follower, 'driver-2', generationId)])
    expect(await stateOf(c)).toBe('Stable')
    return { leader, follower, generationId }
  }

  it('JoinGroup v9: a restarted static leader of a Stable group is told it leads and to skip the assignment (KIP-814)', async () => {
    const c = await h.start()
    const { follower, generationId } = await stableGroup(c)
    const restarted = await startV9(c, 'driver-1')
    const newLeader = restarted.memberId as string
    expect(restarted).toMatchObject({ errorCode: 0, generationId, leader: newLeader, skipAssignment: true, protocolName: 'range' })
    const members = (restarted.members as Members).map((m) => [m.groupInstanceId, m.memberId, m.metadata.toString()]).sort()
    expect(members).toEqual([['driver-1', newLeader, 'driver-1'], ['driver-2', follower, 'driver-2']])
    // It syncs without assigning and gets its assignment back; the group never rebalanced.
    expect(await syncV5(c, newLeader, 'driver-1', generationId)).toMatchObject({ errorCode: 0, assignment: Buffer.from('A'), protocolName: 'range' })
    expect(await stateOf(c)).toBe('Stable')

    // A restarted follower is told the leader, with no members and nothing to skip.
    const restartedFollower = await startV9(c, 'driver-2')
    expect(restartedFollower).toMatchObject({ errorCode: 0, generationId, leader: newLeader, skipAssignment: false, members: [] })
    expect(await syncV5(c, restartedFollower.memberId as string, 'driver-2', generationId)).toMatchObject({ errorCode: 0, assignment: Buffer.from('B') })
  })

  it('JoinGroup v8 and older: a restarted leader is told the previous leader id and syncs as a follower', async () => {
    const c = await h.start()
    const { leader, generationId } = await stableGroup(c)
    const restarted = await join(c, { groupInstanceId: 'driver-1', clientId: 'driver-1', version: 8 })
    expect(restarted).toMatchObject({ errorCode: 0, generationId, leader, skipAssignment: false, members: [] })
  })

  it('OffsetCommit v9: a commit with a generation to a group that does not exist is GROUP_ID_NOT_FOUND', async () => {
    const c = await h.start()
    const errorOf = (res: Response): number => (res.topics as Array<{ partitions: Array<{ errorCode: number }> }>)[0]!.partitions[0]!.errorCode
    expect(errorOf(await commit(c, [['rides', 0, 5n]], { groupId: 'ghost', generationId: 3, memberId: 'm', version: 9 }))).toBe(GROUP_ID_NOT_FOUND)
    expect(errorOf(await commit(c, [['rides', 0, 5n]], { groupId: 'ghost', generationId: 3, memberId: 'm', version: 8 }))).toBe(ILLEGAL_GENERATION)
    // Without a generation it is a simple group's commit, as before.
    expect(errorOf(await commit(c, [['rides', 0, 5n]], { groupId: 'simple', version: 9 }))).toBe(0)
    // OffsetFetch v9's member id and epoch are for KIP-848 groups; a classic group ignores them.
    const fetched = await c.handle(Api.OffsetFetch, 9, {
      groups: [{ groupId: 'simple', memberId: 'someone', memberEpoch: 12, topics: [{ name: 'rides', partitionIndexes: [0] }] }], requireStable: true,
    }, client())
    const group = (fetched.groups as Array<{ errorCode: number; topics: Array<{ partitions: Array<{ committedOffset: bigint; errorCode: number }> }> }>)[0]!
    expect(group.errorCode).toBe(0)
    expect(group.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 5n, errorCode: 0 })
  })

  it('ListGroups v5 filters by type (every group is classic), LeaveGroup v5 takes reasons', async () => {
    const c = await h.start()
    const { leader, follower } = await stableGroup(c)
    const list = async (typesFilter: string[]): Promise<string[]> =>
      ((await c.handle(Api.ListGroups, 5, { statesFilter: [], typesFilter }, client())).groups as Array<{ groupId: string; groupType: string }>).map((g) => `${g.groupId}:${g.groupType}`)
    expect(await list([])).toEqual(['dispatch:classic'])
    expect(await list(['Classic'])).toEqual(['dispatch:classic'])
    expect(await list(['consumer'])).toEqual([])
    const left = await c.handle(Api.LeaveGroup, 5, {
      groupId: 'dispatch', members: [{ memberId: leader, groupInstanceId: 'driver-1', reason: 'shutting down' }, { memberId: follower, groupInstanceId: 'driver-2', reason: 'shutting down' }],
    }, client())
    expect(left.members).toEqual([{ memberId: leader, groupInstanceId: 'driver-1', errorCode: 0 }, { memberId: follower, groupInstanceId: 'driver-2', errorCode: 0 }])
    expect(await stateOf(c)).toBe('Empty')
  })
})
