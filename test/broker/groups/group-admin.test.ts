import { afterEach, describe, expect, it } from 'vitest'
import { GroupCoordinator } from '../../../src/broker/groups/index.js'
import { Api, Harness, client, commit, fetchV7, joinNew, sync } from './fixtures.js'

describe('group administration', () => {
  const h = new Harness()
  afterEach(() => h.cleanup())

  it('describes unknown groups as Dead and hides member metadata until the group is Stable', async () => {
    const c = await h.start()
    const a = await joinNew(c, { clientId: 'd1', protocols: [{ name: 'range', metadata: Buffer.from('subscription') }] })
    await a.joined
    const res = await c.handle(Api.DescribeGroups, 5, { groups: ['dispatch', 'nobody'], includeAuthorizedOperations: true }, client())
    expect(res).toEqual({ throttleTimeMs: 0, groups: [
      { errorCode: 0, groupId: 'dispatch', groupState: 'CompletingRebalance', protocolType: 'consumer', protocolData: '', authorizedOperations: 328,
        members: [{ memberId: a.memberId, groupInstanceId: null, clientId: 'd1', clientHost: '/127.0.0.1', memberMetadata: Buffer.alloc(0), memberAssignment: Buffer.alloc(0) }] },
      { errorCode: 0, groupId: 'nobody', groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: 328 },
    ] })
    await sync(c, a.memberId, 1, [{ memberId: a.memberId, assignment: Buffer.from('rides-0') }])
    const stable = await c.handle(Api.DescribeGroups, 0, { groups: ['dispatch'] }, client())
    expect(stable.groups).toMatchObject([{ groupState: 'Stable', protocolData: 'range', authorizedOperations: -2147483648,
      members: [{ memberMetadata: Buffer.from('subscription'), memberAssignment: Buffer.from('rides-0') }] }])
  })

  it('lists groups with their state and filters by state from v4', async () => {
    const c = await h.start()
    const a = await joinNew(c, { groupId: 'dispatch' })
    await a.joined
    await commit(c, [['rides', 0, 1n]], { groupId: 'billing' })
    const all = await c.handle(Api.ListGroups, 3, {}, client())
    expect(all.errorCode).toBe(0)
    expect((all.groups as Array<Record<string, string>>).map((g) => [g.groupId, g.protocolType, g.groupState]).sort()).toEqual([
      ['billing', '', 'Empty'],
      ['dispatch', 'consumer', 'CompletingRebalance'],
    ])
    const filtered = await c.handle(Api.ListGroups, 4, { statesFilter: ['completingrebalance', 'Stable'] }, client())
    expect((filtered.groups as Array<{ groupId: string }>).map((g) => g.groupId)).toEqual(['dispatch'])
  })

  it('deletes only Empty groups, with their offsets', async () => {
    const c = await h.start()
    const a = await joinNew(c, { groupId: 'dispatch' })
    await a.joined
    await commit(c, [['rides', 0, 1n], ['payments', 1, 2n]], { groupId: 'billing' })
    const res = await c.handle(Api.DeleteGroups, 2, { groupsNames: ['billing', 'dispatch', 'nobody'] }, client())
    expect(res).toEqual({ throttleTimeMs: 0, results: [
      { groupId: 'billing', errorCode: 0 },
      { groupId: 'dispatch', errorCode: 68 },
      { groupId: 'nobody', errorCode: 69 },
    ] })
    const fetched = await fetchV7(c, 'billing', null)
    expect(fetched.topics).toEqual([])
    const described = await c.handle(Api.DescribeGroups, 5, { groups: ['billing'], includeAuthorizedOperations: false }, client())
    expect(described.groups).toMatchObject([{ groupState: 'Dead' }])
    // Deleting twice: the group is gone.
    expect((await c.handle(Api.DeleteGroups, 0, { groupsNames: ['billing'] }, client())).results).toEqual([{ groupId: 'billing', errorCode: 69 }])
    // After the last member leaves, the group can be deleted.
    await c.handle(Api.LeaveGroup, 3, { groupId: 'dispatch', members: [{ memberId: a.memberId, groupInstanceId: null }] }, client())
    expect((await c.handle(Api.DeleteGroups, 1, { groupsNames: ['dispatch'] }, client())).results).toEqual([{ groupId: 'dispatch', errorCode: 0 }])
  })

  it('refuses requests while loading and after close with retriable coordinator errors', async () => {
    const c = await h.start()
    const notLoaded = new GroupCoordinator({ dataDir: h.dataDirs[0]!, partitionExists: () => true })
    const loading = await notLoaded.handle(Api.OffsetFetch, 8, { groups: [{ groupId: 'g', topics: null }] }, client())
    expect(loading).toEqual({ throttleTimeMs: 0, groups: [{ groupId: 'g', topics: [], errorCode: 14 }] })
    await c.close()
    const closed = await c.handle(Api.OffsetCommit, 8, { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 'rides', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }] }, client())
    expect(closed).toEqual({ throttleTimeMs: 0, topics: [{ name: 'rides', partitions: [{ partitionIndex: 0, errorCode: 16 }] }] })
    expect(c.handles(Api.JoinGroup)).toBe(true)
    expect(c.handles(0)).toBe(false)
  })
})
