import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Api, Harness, client, describe as describeGroup, flush, heartbeat, join, joinNew, stateOf, sync, track } from './fixtures.js'

type Members = Array<{ memberId: string; metadata: Buffer }>

describe('classic group membership', () => {
  const h = new Harness()
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  })
  afterEach(async () => {
    await h.cleanup()
    vi.useRealTimers()
  })

  /** Adds members one by one, each time completing the rebalance (join, then sync) to Stable. */
  async function stableGroup(c: Awaited<ReturnType<Harness['start']>>, clientIds: string[]) {
    const ids: string[] = []
    let generationId = 0
    let leader = ''
    for (const clientId of clientIds) {
      const newcomer = await joinNew(c, { clientId })
      // Existing members rejoin, as they would after a heartbeat says REBALANCE_IN_PROGRESS.
      const rejoins = ids.map((memberId, i) => join(c, { memberId, clientId: clientIds[i] }))
      ids.push(newcomer.memberId)
      const responses = await Promise.all([...rejoins, newcomer.joined])
      generationId = responses[0]!.generationId as number
      leader = responses[0]!.leader as string
      const assignments = ids.map((m) => ({ memberId: m, assignment: Buffer.from(`parts-of-${m}`) }))
      await Promise.all(ids.map((id) => sync(c, id, generationId, id === leader ? assignments : [])))
    }
    return { ids, generationId, leader }
  }

  it('takes one member through join, sync and heartbeat to Stable', async () => {
    const c = await h.start()
    const { memberId, joined } = await joinNew(c, { clientId: 'driver-1' })
    expect(memberId).toMatch(/^driver-1-[0-9a-f-]{36}$/)
    const res = await joined
    expect(res).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leader: memberId, memberId })
    expect((res.members as Members).map((m) => m.memberId)).toEqual([memberId])
    expect(await stateOf(c)).toBe('CompletingRebalance')
    const synced = await sync(c, memberId, 1, [{ memberId, assignment: Buffer.from('rides-0,1,2') }])
    expect(synced).toMatchObject({ errorCode: 0, assignment: Buffer.from('rides-0,1,2') })
    expect(await stateOf(c)).toBe('Stable')
    expect(await heartbeat(c, memberId, 1)).toMatchObject({ errorCode: 0 })
  })

  it('rebalances when a second member joins; the leader alone gets the members and hands out assignments', async () => {
    const c = await h.start()
    const { ids: [a] } = await stableGroup(c, ['driver-1'])
    const b = await joinNew(c, { clientId: 'driver-2' })
    const bJoin = track(b.joined)
    await flush()
    expect(bJoin.settled).toBe(false)
    expect(await stateOf(c)).toBe('PreparingRebalance')
    expect((await heartbeat(c, a!, 1)).errorCode).toBe(27)
    const aJoin = await join(c, { memberId: a!, clientId: 'driver-1' })
    const bRes = await b.joined
    expect(aJoin).toMatchObject({ errorCode: 0, generationId: 2, leader: a })
    expect((aJoin.members as Members).map((m) => [m.memberId, m.metadata.toString()])).toEqual([[a, 'driver-1'], [b.memberId, 'driver-2']])
    expect(bRes).toMatchObject({ errorCode: 0, generationId: 2, leader: a, members: [] })
    // The follower waits for the leader's assignment.
    const bSync = track(sync(c, b.memberId, 2))
    await flush()
    expect(bSync.settled).toBe(false)
    const aSync = await sync(c, a!, 2, [{ memberId: a!, assignment: Buffer.from('A') }, { memberId: b.memberId, assignment: Buffer.from('B') }])
    expect(aSync.assignment).toEqual(Buffer.from('A'))
    expect((await bSync.promise).assignment).toEqual(Buffer.from('B'))
    expect(await stateOf(c)).toBe('Stable')
    // A heartbeat from the previous generation is refused.
    expect((await heartbeat(c, b.memberId, 1)).errorCode).toBe(22)
    expect((await heartbeat(c, b.memberId, 2)).errorCode).toBe(0)
  })

  it('runs three members and rebalances the remaining two when one leaves', async () => {
    const c = await h.start()
    const { ids, generationId } = await stableGroup(c, ['d1', 'd2', 'd3'])
    expect(generationId).toBe(3)
    const described = await describeGroup(c)
    const group = (described.groups as Array<Record<string, unknown>>)[0]!
    expect(group).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' })
    expect((group.members as Array<{ memberAssignment: Buffer; clientId: string; clientHost: string }>).map((m) => [m.clientId, m.clientHost, m.memberAssignment.toString()]))
      .toEqual(ids.map((id, i) => [`d${i + 1}`, '/127.0.0.1', `parts-of-${id}`]))

    const left = await c.handle(Api.LeaveGroup, 3, { groupId: 'dispatch', members: [{ memberId: ids[2], groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }] }, client())
    expect(left).toEqual({ throttleTimeMs: 0, errorCode: 0, members: [
      { memberId: ids[2], groupInstanceId: null, errorCode: 0 },
      { memberId: 'ghost', groupInstanceId: null, errorCode: 25 },
    ] })
    expect(await stateOf(c)).toBe('PreparingRebalance')
    const [r1, r2] = await Promise.all([join(c, { memberId: ids[0]! }), join(c, { memberId: ids[1]! })])
    expect(r1).toMatchObject({ generationId: 4, leader: ids[0] })
    expect((r1.members as Members)).toHaveLength(2)
    expect(r2.generationId).toBe(4)
  })

  it('LeaveGroup v0-2 reports the single member error at the top level', async () => {
    const c = await h.start()
    const { ids } = await stableGroup(c, ['d1'])
    expect(await c.handle(Api.LeaveGroup, 1, { groupId: 'dispatch', memberId: 'ghost' }, client())).toEqual({ throttleTimeMs: 0, errorCode: 25 })
    expect(await c.handle(Api.LeaveGroup, 1, { groupId: 'dispatch', memberId: ids[0] }, client())).toEqual({ throttleTimeMs: 0, errorCode: 0 })
    // The last member leaving empties the group and bumps the generation.
    expect(await stateOf(c)).toBe('Empty')
  })

  it('evicts a member whose session expires and rebalances the others', async () => {
    const c = await h.start()
    const { ids: [a, b] } = await stableGroup(c, ['d1', 'd2'])
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(3_000)
      expect((await heartbeat(c, a!, 2)).errorCode).toBe(0)
    }
    expect(await stateOf(c)).toBe('Stable')
    // 12 s without a heartbeat from b exceeds its 10 s session.
    vi.advanceTimersByTime(3_000)
    expect(await stateOf(c)).toBe('PreparingRebalance')
    expect((await heartbeat(c, b!, 2)).errorCode).toBe(25)
    expect((await heartbeat(c, a!, 2)).errorCode).toBe(27)
    const rejoined = await join(c, { memberId: a! })
    expect(rejoined).toMatchObject({ errorCode: 0, generationId: 3, leader: a })
    expect((rejoined.members as Members).map((m) => m.memberId)).toEqual([a])
  })

  it('drops a member that does not rejoin within the rebalance timeout', async () => {
    const c = await h.start()
    const { ids: [a, b] } = await stableGroup(c, ['d1', 'd2'])
    const newcomer = await joinNew(c, { clientId: 'd3' })
    const aJoin = track(join(c, { memberId: a! }))
    // b keeps heartbeating (so its session stays alive) but never rejoins.
    for (let i = 0; i < 9; i++) {
      vi.advanceTimersByTime(3_000)
      expect((await heartbeat(c, b!, 2)).errorCode).toBe(27)
      expect((await heartbeat(c, a!, 2)).errorCode).toBe(27)
    }
    expect(aJoin.settled).toBe(false)
    vi.advanceTimersByTime(3_000) // 30 s: the rebalance timeout
    const [aRes, cRes] = await Promise.all([aJoin.promise, newcomer.joined])
    expect(aRes).toMatchObject({ errorCode: 0, generationId: 3, leader: a })
    expect((aRes.members as Members).map((m) => m.memberId)).toEqual([a, newcomer.memberId])
    expect(cRes.generationId).toBe(3)
    expect((await heartbeat(c, b!, 3)).errorCode).toBe(25)
  })

  it('requires a member id from JoinGroup v4 on, and not before', async () => {
    const c = await h.start()
    const first = await join(c, { version: 4, clientId: 'kcat' })
    expect(first).toMatchObject({ errorCode: 79, generationId: -1, leader: '', members: [] })
    expect(first.memberId).toMatch(/^kcat-/)
    const legacy = await join(c, { version: 3, groupId: 'legacy', clientId: 'old' })
    expect(legacy).toMatchObject({ errorCode: 0, generationId: 1 })
    expect(legacy.memberId).toMatch(/^old-/)
  })

  it('holds a join phase for a member that was handed an id, until that id expires', async () => {
    const c = await h.start()
    const { ids: [a] } = await stableGroup(c, ['d1'])
    const pending = await join(c, { clientId: 'd2' })
    expect(pending.errorCode).toBe(79)
    expect(await stateOf(c)).toBe('Stable')
    // The leader rejoins (a rebalance); the phase waits for the member that got an id.
    const aJoin = track(join(c, { memberId: a!, sessionTimeoutMs: 30_000 }))
    await flush()
    expect(aJoin.settled).toBe(false)
    vi.advanceTimersByTime(10_000) // the pending member's session timeout
    const res = await aJoin.promise
    expect(res).toMatchObject({ errorCode: 0, generationId: 2 })
    expect((res.members as Members).map((m) => m.memberId)).toEqual([a])
    // The expired id is not a member.
    expect((await join(c, { memberId: pending.memberId as string })).errorCode).toBe(25)
  })

  it('answers generation, member and state errors as Kafka does', async () => {
    const c = await h.start()
    expect((await join(c, { groupId: '' })).errorCode).toBe(24)
    expect((await join(c, { sessionTimeoutMs: 1_000 })).errorCode).toBe(26)
    expect((await join(c, { groupId: 'nobody-here', memberId: 'ghost' })).errorCode).toBe(25)
    expect((await heartbeat(c, 'ghost', 1, 'nobody-here')).errorCode).toBe(25)
    expect((await sync(c, 'ghost', 1, [], 'nobody-here')).errorCode).toBe(25)
    const { ids: [a, b], generationId } = await stableGroup(c, ['d1', 'd2'])
    expect((await sync(c, a!, generationId + 1)).errorCode).toBe(22)
    expect((await heartbeat(c, 'ghost', generationId)).errorCode).toBe(25)
    expect((await join(c, { memberId: 'ghost' })).errorCode).toBe(25)
    // A follower with unchanged metadata rejoining a Stable group just gets the current generation.
    expect(await join(c, { memberId: b!, clientId: 'd2' })).toMatchObject({ errorCode: 0, generationId, members: [] })
    expect(await stateOf(c)).toBe('Stable')
    // Changed metadata starts a rebalance; SyncGroup during it is refused.
    const bRejoin = join(c, { memberId: b!, protocols: [{ name: 'range', metadata: Buffer.from('new topics') }] })
    expect((await sync(c, a!, generationId)).errorCode).toBe(27)
    await join(c, { memberId: a!, clientId: 'd1' })
    expect((await bRejoin).generationId).toBe(generationId + 1)
  })

  it('rebalances again when a member joins while the leader computes the assignment', async () => {
    const c = await h.start()
    const { memberId: a, joined } = await joinNew(c, { clientId: 'd1' })
    await joined
    const aSync = track(sync(c, a, 1))
    const b = await joinNew(c, { clientId: 'd2' })
    // The pending sync is told to rejoin.
    expect((await aSync.promise).errorCode).toBe(27)
    const [aRes, bRes] = await Promise.all([join(c, { memberId: a, clientId: 'd1' }), b.joined])
    expect([aRes.generationId, bRes.generationId]).toEqual([2, 2])
  })

  it('waits the initial rebalance delay so members starting together share a first generation', async () => {
    const c = await h.start({ initialRebalanceDelayMs: 3_000 })
    const a = await joinNew(c, { clientId: 'd1' })
    const aJoin = track(a.joined)
    vi.advanceTimersByTime(2_000)
    const b = await joinNew(c, { clientId: 'd2' })
    await flush()
    expect(aJoin.settled).toBe(false)
    // b's arrival extends the wait by another delay.
    vi.advanceTimersByTime(1_000)
    await flush()
    expect(aJoin.settled).toBe(false)
    vi.advanceTimersByTime(3_000)
    const [aRes, bRes] = await Promise.all([a.joined, b.joined])
    expect([aRes.generationId, bRes.generationId]).toEqual([1, 1])
    expect(aRes.members as Members).toHaveLength(2)
  })

  it('removes a member that never sends SyncGroup within the rebalance timeout', async () => {
    const c = await h.start()
    const { ids: [a] } = await stableGroup(c, ['d1'])
    const b = await joinNew(c, { clientId: 'd2' })
    const [aRes] = await Promise.all([join(c, { memberId: a!, clientId: 'd1' }), b.joined])
    const gen = aRes.generationId as number
    await sync(c, a!, gen, [{ memberId: a!, assignment: Buffer.from('A') }, { memberId: b.memberId, assignment: Buffer.from('B') }])
    // b stays alive (heartbeats) but never syncs.
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(3_000)
      await heartbeat(c, a!, gen)
      await heartbeat(c, b.memberId, gen)
    }
    expect(await stateOf(c)).toBe('PreparingRebalance')
    expect((await heartbeat(c, b.memberId, gen)).errorCode).toBe(25)
  })

  it('checks the protocol type and name a SyncGroup names, and tells a waiting follower to rejoin when the leader leaves', async () => {
    const c = await h.start()
    const { ids: [a] } = await stableGroup(c, ['d1'])
    const b = await joinNew(c, { clientId: 'd2' })
    const [aRes] = await Promise.all([join(c, { memberId: a!, clientId: 'd1' }), b.joined])
    const gen = aRes.generationId as number
    const wrongType = await c.handle(Api.SyncGroup, 5, { groupId: 'dispatch', generationId: gen, memberId: b.memberId, groupInstanceId: null, protocolType: 'connect', protocolName: 'range', assignments: [] }, client())
    expect(wrongType.errorCode).toBe(23)
    const wrongName = await c.handle(Api.SyncGroup, 5, { groupId: 'dispatch', generationId: gen, memberId: b.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'sticky', assignments: [] }, client())
    expect(wrongName.errorCode).toBe(23)
    const bSync = c.handle(Api.SyncGroup, 5, { groupId: 'dispatch', generationId: gen, memberId: b.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] }, client())
    await c.handle(Api.LeaveGroup, 4, { groupId: 'dispatch', members: [{ memberId: a!, groupInstanceId: null }] }, client())
    expect((await bSync).errorCode).toBe(27)
    const alone = await join(c, { memberId: b.memberId, clientId: 'd2' })
    expect(alone).toMatchObject({ errorCode: 0, generationId: gen + 1, leader: b.memberId })
  })

  it('answers waiting joins with NOT_COORDINATOR on close', async () => {
    const c = await h.start()
    await stableGroup(c, ['d1'])
    const b = await joinNew(c, { clientId: 'd2' })
    await c.close()
    expect((await b.joined).errorCode).toBe(16)
    expect((await heartbeat(c, 'x', 1)).errorCode).toBe(16)
  })
})
