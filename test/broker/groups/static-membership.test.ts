import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConsumerGroup, GroupMember } from '../../../src/broker/groups/group.js'
import type { GroupCoordinator } from '../../../src/broker/groups/index.js'
import { rejoinStaticMember } from '../../../src/broker/groups/static-membership.js'
import { Api, Harness, client, describe as describeGroup, flush, join, stateOf, track, type JoinArgs, type Response } from './fixtures.js'

type Coordinator = GroupCoordinator
type Members = Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>

const FENCED_INSTANCE_ID = 82
const UNKNOWN_MEMBER_ID = 25
const REBALANCE_IN_PROGRESS = 27

/** A member as the client knows itself. */
interface Member { memberId: string; instanceId: string | null }

const heartbeat = (c: Coordinator, m: Member, generationId: number): Promise<Response> =>
  c.handle(Api.Heartbeat, 4, { groupId: 'dispatch', generationId, memberId: m.memberId, groupInstanceId: m.instanceId }, client())

const sync = (c: Coordinator, m: Member, generationId: number, assignments: Array<{ memberId: string; assignment: Buffer }> = []): Promise<Response> =>
  c.handle(Api.SyncGroup, 4, { groupId: 'dispatch', generationId, memberId: m.memberId, groupInstanceId: m.instanceId, protocolType: 'consumer', protocolName: 'range', assignments }, client())

const commit = (c: Coordinator, m: Member, generationId: number): Promise<Response> =>
  c.handle(Api.OffsetCommit, 8, {
    groupId: 'dispatch', generationIdOrMemberEpoch: generationId, memberId: m.memberId, groupInstanceId: m.instanceId,
    topics: [{ name: 'rides', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null }] }],
  }, client())

const leave = (c: Coordinator, ...members: Member[]): Promise<Response> =>
  c.handle(Api.LeaveGroup, 4, { groupId: 'dispatch', members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.instanceId })) }, client())

const commitError = (res: Response): number => (res.topics as Array<{ partitions: Array<{ errorCode: number }> }>)[0]!.partitions[0]!.errorCode

/** A static member (re)starting: JoinGroup v5 with its instance id and no member id. */
function start(c: Coordinator, instanceId: string, args: JoinArgs = {}): Promise<Response> {
  return join(c, { clientId: instanceId, ...args, groupInstanceId: instanceId, memberId: '', version: 5 })
}

const member = (res: Response, instanceId: string): Member => ({ memberId: res.memberId as string, instanceId })

describe('static membership (KIP-345)', () => {
  const h = new Harness()
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  })
  afterEach(async () => {
    await h.cleanup()
    vi.useRealTimers()
  })

  /** Static members driver-1 (the leader) and driver-2, Stable with assignments A and B. */
  async function stableGroup(c: Coordinator, args: JoinArgs = {}): Promise<{ d1: Member; d2: Member; generationId: number }> {
    const first = await start(c, 'driver-1', args)
    const d1 = member(first, 'driver-1')
    await sync(c, d1, 1, [{ memberId: d1.memberId, assignment: Buffer.from('A') }])
    const second = start(c, 'driver-2', args)
    const rejoined = await join(c, { ...args, memberId: d1.memberId, groupInstanceId: 'driver-1', clientId: 'driver-1', version: 5 })
    const d2 = member(await second, 'driver-2')
    const generationId = rejoined.generationId as number
    const assignments = [{ memberId: d1.memberId, assignment: Buffer.from('A') }, { memberId: d2.memberId, assignment: Buffer.from('B') }]
    await Promise.all([sync(c, d1, generationId, assignments), sync(c, d2, generationId)])
    expect(await stateOf(c)).toBe('Stable')
    return { d1, d2, generationId }
  }

  it('joins without MEMBER_ID_REQUIRED, under a member id derived from the instance id', async () => {
    const c = await h.start()
    const res = await start(c, 'driver-7')
    expect(res).toMatchObject({ errorCode: 0, generationId: 1 })
    expect(res.memberId).toMatch(/^driver-7-[0-9a-f-]{36}$/)
    expect((res.members as Members)[0]!.groupInstanceId).toBe('driver-7')
  })

  it('lets a restarted member take its place in a Stable group without a rebalance', async () => {
    const c = await h.start()
    const { d1, d2, generationId } = await stableGroup(c)
    const restarted = await start(c, 'driver-2')
    // The current generation, at once; the leader is named as before, so it is not this member.
    expect(restarted).toMatchObject({ errorCode: 0, generationId, leader: d1.memberId, members: [] })
    expect(restarted.memberId).not.toBe(d2.memberId)
    const d2b = member(restarted, 'driver-2')
    expect(await stateOf(c)).toBe('Stable')
    expect(await sync(c, d2b, generationId)).toMatchObject({ errorCode: 0, assignment: Buffer.from('B') })
    // The other member notices nothing.
    expect((await heartbeat(c, d1, generationId)).errorCode).toBe(0)
    expect((await heartbeat(c, d2b, generationId)).errorCode).toBe(0)
    const group = ((await describeGroup(c)).groups as Array<{ members: Array<{ memberId: string; groupInstanceId: string; memberAssignment: Buffer }> }>)[0]!
    expect(group.members.map((m) => [m.memberId, m.groupInstanceId, m.memberAssignment.toString()]))
      .toEqual([[d1.memberId, 'driver-1', 'A'], [d2b.memberId, 'driver-2', 'B']])
  })

  it('fences the replaced member id on every later request', async () => {
    const c = await h.start()
    const { d1, d2, generationId } = await stableGroup(c)
    const d2b = member(await start(c, 'driver-2'), 'driver-2')
    expect((await heartbeat(c, d2, generationId)).errorCode).toBe(FENCED_INSTANCE_ID)
    expect((await sync(c, d2, generationId)).errorCode).toBe(FENCED_INSTANCE_ID)
    expect(commitError(await commit(c, d2, generationId))).toBe(FENCED_INSTANCE_ID)
    expect((await join(c, { memberId: d2.memberId, groupInstanceId: 'driver-2', version: 5 })).errorCode).toBe(FENCED_INSTANCE_ID)
    const staged = c.stageTxnOffsets({
      groupId: 'dispatch', producerId: 7n, generationId, memberId: d2.memberId, groupInstanceId: 'driver-2',
      topics: [{ name: 'rides', partitions: [{ partitionIndex: 0, committedOffset: 3n, committedMetadata: null }] }],
    })
    expect(staged.errors.map((e) => e.errorCode)).toEqual([FENCED_INSTANCE_ID])
    // As in Kafka, a transactional commit naming a member is checked like a plain one.
    const txnCommit = (memberId: string, gen: number) => c.stageTxnOffsets({
      groupId: 'dispatch', producerId: 7n, generationId: gen, memberId, groupInstanceId: 'driver-2',
      topics: [{ name: 'rides', partitions: [{ partitionIndex: 0, committedOffset: 3n, committedMetadata: null }] }],
    }).errors[0]!.errorCode
    expect(txnCommit(d2b.memberId, generationId)).toBe(0)
    expect(txnCommit(d2b.memberId, -1)).toBe(22)
    expect((await leave(c, d2)).members).toEqual([{ memberId: d2.memberId, groupInstanceId: 'driver-2', errorCode: FENCED_INSTANCE_ID }])
    // None of it disturbed the group or its new member.
    expect(commitError(await commit(c, d2b, generationId))).toBe(0)
    expect((await heartbeat(c, d1, generationId)).errorCode).toBe(0)
    expect(await stateOf(c)).toBe('Stable')
  })

  it('answers a pending request of the old incarnation with FENCED_INSTANCE_ID', async () => {
    const c = await h.start()
    const { d1, d2, generationId } = await stableGroup(c)
    // d2 rejoins with new metadata, which starts a rebalance; d1 has not rejoined yet.
    const oldJoin = join(c, { memberId: d2.memberId, groupInstanceId: 'driver-2', clientId: 'driver-2', version: 5, protocols: [{ name: 'range', metadata: Buffer.from('new') }] })
    await flush()
    expect((await heartbeat(c, d1, generationId)).errorCode).toBe(REBALANCE_IN_PROGRESS)
    // d2 restarts while its previous incarnation waits in the join phase.
    const restarted = track(start(c, 'driver-2'))
    expect((await oldJoin).errorCode).toBe(FENCED_INSTANCE_ID)
    await flush()
    expect(restarted.settled).toBe(false)
    const leaderRes = await join(c, { memberId: d1.memberId, groupInstanceId: 'driver-1', clientId: 'driver-1', version: 5 })
    const d2Res = await restarted.promise
    expect(d2Res).toMatchObject({ errorCode: 0, generationId: generationId + 1, leader: d1.memberId })
    expect((leaderRes.members as Members).map((m) => [m.memberId, m.groupInstanceId])).toEqual([[d1.memberId, 'driver-1'], [d2Res.memberId, 'driver-2']])
  })

  it('rebalances when the restart happens while the leader computes the assignment', async () => {
    const c = await h.start()
    const { d1, d2, generationId } = await stableGroup(c)
    const [r1, r2] = await Promise.all([
      join(c, { memberId: d1.memberId, groupInstanceId: 'driver-1', clientId: 'driver-1', version: 5 }),
      join(c, { memberId: d2.memberId, groupInstanceId: 'driver-2', clientId: 'driver-2', version: 5 }),
    ])
    expect([r1.generationId, r2.generationId]).toEqual([generationId + 1, generationId + 1])
    const oldSync = sync(c, d2, generationId + 1)
    await flush()
    expect(await stateOf(c)).toBe('CompletingRebalance')
    const restarted = start(c, 'driver-2')
    expect((await oldSync).errorCode).toBe(FENCED_INSTANCE_ID)
    expect(await stateOf(c)).toBe('PreparingRebalance')
    const [leader, d2b] = await Promise.all([join(c, { memberId: d1.memberId, groupInstanceId: 'driver-1', clientId: 'driver-1', version: 5 }), restarted])
    expect([leader.generationId, d2b.generationId]).toEqual([generationId + 2, generationId + 2])
  })

  it('rebalances when the restarted member changes the group\'s protocol, but not for changed metadata alone', async () => {
    const c = await h.start()
    const both = [{ name: 'range', metadata: Buffer.from('v1') }, { name: 'roundrobin', metadata: Buffer.from('v1') }]
    const { d1, generationId } = await stableGroup(c, { protocols: both })
    // New metadata (say, a Kafka Streams member's task lags): no rebalance, as in Kafka.
    const same = await start(c, 'driver-2', { protocols: [{ name: 'range', metadata: Buffer.from('v2') }, { name: 'roundrobin', metadata: Buffer.from('v2') }] })
    expect(same).toMatchObject({ errorCode: 0, generationId })
    expect(await stateOf(c)).toBe('Stable')
    // Only roundrobin: the group's protocol would change, so it rebalances.
    const changed = track(start(c, 'driver-2', { protocols: [{ name: 'roundrobin', metadata: Buffer.from('v3') }] }))
    await flush()
    expect(changed.settled).toBe(false)
    expect(await stateOf(c)).toBe('PreparingRebalance')
    const leader = await join(c, { memberId: d1.memberId, groupInstanceId: 'driver-1', clientId: 'driver-1', version: 5, protocols: both })
    expect(leader).toMatchObject({ generationId: generationId + 1, protocolName: 'roundrobin' })
    expect(await changed.promise).toMatchObject({ errorCode: 0, generationId: generationId + 1 })
  })

  it('a restarted leader keeps leading: it is the leader of the next rebalance', async () => {
    const c = await h.start()
    const { d1, d2, generationId } = await stableGroup(c)
    const restarted = await start(c, 'driver-1')
    // Told the old leader id, it syncs as a follower and gets its assignment back.
    expect(restarted).toMatchObject({ generationId, leader: d1.memberId, members: [] })
    const d1b = member(restarted, 'driver-1')
    expect((await sync(c, d1b, generationId)).assignment).toEqual(Buffer.from('A'))
    const [r1, r2] = await Promise.all([
      join(c, { memberId: d1b.memberId, groupInstanceId: 'driver-1', clientId: 'driver-1', version: 5 }),
      join(c, { memberId: d2.memberId, groupInstanceId: 'driver-2', clientId: 'driver-2', version: 5 }),
    ])
    expect(r1).toMatchObject({ generationId: generationId + 1, leader: d1b.memberId })
    expect(r1.members as Members).toHaveLength(2)
    expect(r2.leader).toBe(d1b.memberId)
  })

  it('keeps a static member that misses a rebalance until its session expires', async () => {
    const c = await h.start()
    // Sessions longer than the rebalance timeout, so the rebalance timeout passes first.
    const { d1, d2, generationId } = await stableGroup(c, { sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 20_000 })
    const d1Join = track(join(c, { memberId: d1.memberId, groupInstanceId: 'driver-1', clientId: 'driver-1', version: 5, sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 20_000 }))
    vi.advanceTimersByTime(20_000)
    const res = await d1Join.promise
    // d2 never rejoined but is still a member of the new generation (unlike a dynamic member).
    expect(res.generationId).toBe(generationId + 1)
    expect((res.members as Members).map((m) => m.memberId)).toEqual([d1.memberId, d2.memberId])
    // Restarting within its session while the leader assigns, it takes its place and the group
    // rebalances once more, as Kafka does (the assignment being computed names the old member id).
    const restarted = start(c, 'driver-2', { sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 20_000 })
    await flush()
    expect(await stateOf(c)).toBe('PreparingRebalance')
    const [r1, r2] = await Promise.all([
      join(c, { memberId: d1.memberId, groupInstanceId: 'driver-1', clientId: 'driver-1', version: 5, sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 20_000 }),
      restarted,
    ])
    expect([r1.generationId, r2.generationId]).toEqual([generationId + 2, generationId + 2])
    expect((r1.members as Members).map((m) => m.memberId)).toEqual([d1.memberId, r2.memberId])
  })

  it('removes a static member that never comes back when its session expires', async () => {
    const c = await h.start()
    const { d1, d2, generationId } = await stableGroup(c)
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(3_000)
      expect((await heartbeat(c, d1, generationId)).errorCode).toBe(0)
    }
    // 11 s without a heartbeat from d2 exceeds its 10 s session.
    vi.advanceTimersByTime(2_000)
    expect(await stateOf(c)).toBe('PreparingRebalance')
    // Its instance id is no longer known: the old id is an unknown member, not a fenced one.
    expect((await heartbeat(c, d2, generationId)).errorCode).toBe(UNKNOWN_MEMBER_ID)
    const leader = await join(c, { memberId: d1.memberId, groupInstanceId: 'driver-1', clientId: 'driver-1', version: 5 })
    expect((leader.members as Members).map((m) => m.groupInstanceId)).toEqual(['driver-1'])
    // Coming back later is a plain new member: a rebalance.
    const back = track(start(c, 'driver-2'))
    await flush()
    expect(back.settled).toBe(false)
    expect(await stateOf(c)).toBe('PreparingRebalance')
  })

  it('leaves by instance id, with an error per member', async () => {
    const c = await h.start()
    const { d1, d2 } = await stableGroup(c)
    const res = await leave(c,
      { memberId: '', instanceId: 'driver-2' },
      { memberId: '', instanceId: 'driver-9' },
      { memberId: 'someone-else', instanceId: 'driver-1' },
      { memberId: d1.memberId, instanceId: 'driver-8' })
    expect(res).toEqual({ throttleTimeMs: 0, errorCode: 0, members: [
      { memberId: '', groupInstanceId: 'driver-2', errorCode: 0 },
      { memberId: '', groupInstanceId: 'driver-9', errorCode: UNKNOWN_MEMBER_ID },
      { memberId: 'someone-else', groupInstanceId: 'driver-1', errorCode: FENCED_INSTANCE_ID },
      { memberId: d1.memberId, groupInstanceId: 'driver-8', errorCode: UNKNOWN_MEMBER_ID },
    ] })
    expect((await heartbeat(c, d2, 2)).errorCode).toBe(UNKNOWN_MEMBER_ID)
    expect(await stateOf(c)).toBe('PreparingRebalance')
    expect((await leave(c, d1)).members).toEqual([{ memberId: d1.memberId, groupInstanceId: 'driver-1', errorCode: 0 }])
    expect(await stateOf(c)).toBe('Empty')
  })

  it('keeps the instance id mappings across a coordinator restart', async () => {
    const first = await h.start()
    const dataDir = h.dataDirs[0]!
    const { d1, d2, generationId } = await stableGroup(first)
    const d2b = member(await start(first, 'driver-2'), 'driver-2')
    await first.close()

    const second = await h.start({}, dataDir)
    expect((await heartbeat(second, d2b, generationId)).errorCode).toBe(0)
    expect((await heartbeat(second, d2, generationId)).errorCode).toBe(FENCED_INSTANCE_ID)
    expect((await sync(second, d2b, generationId)).assignment).toEqual(Buffer.from('B'))
    // A restart after the broker's restart still resumes without a rebalance.
    const d1b = await start(second, 'driver-1')
    expect(d1b).toMatchObject({ errorCode: 0, generationId })
    expect((await heartbeat(second, d1, generationId)).errorCode).toBe(FENCED_INSTANCE_ID)
    expect(await stateOf(second)).toBe('Stable')
  })

  it('gives the place back to the old member id when the new one cannot be made durable', async () => {
    const group = new ConsumerGroup('dispatch', () => Date.now())
    const old = new GroupMember('driver-1-old', 'driver-1', 'driver-1', '/10.0.0.1', 30_000, 10_000, 'consumer', [{ name: 'range', metadata: Buffer.from('v1') }])
    old.assignment = Buffer.from('A')
    group.add(old)
    group.state = 'Stable'
    group.generationId = 4
    group.protocolName = 'range'
    const touched: string[] = []
    const res = await rejoinStaticMember(group, 'driver-1-old', 'driver-1-new', {
      groupId: 'dispatch', sessionTimeoutMs: 20_000, rebalanceTimeoutMs: 30_000, memberId: '', groupInstanceId: 'driver-1',
      protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('v2') }], requireKnownMemberId: true, clientId: 'driver-1', clientHost: '/10.0.0.2',
    }, {
      touch: (_, m) => touched.push(m.memberId),
      rebalance: () => expect.unreachable('no rebalance for an unchanged protocol'),
      save: () => Promise.reject(new Error('disk full')),
    })
    expect(res).toMatchObject({ errorCode: 15, memberId: '', generationId: 4 })
    expect(group.validateMember('driver-1-old', 'driver-1')).toBe(0)
    expect(group.validateMember('driver-1-new', 'driver-1')).toBe(FENCED_INSTANCE_ID)
    expect(group.leaderId).toBe('driver-1-old')
    expect({ session: old.sessionTimeoutMs, host: old.clientHost, metadata: old.metadataFor('range').toString(), assignment: old.assignment.toString() })
      .toEqual({ session: 10_000, host: '/10.0.0.1', metadata: 'v1', assignment: 'A' })
    expect(touched).toEqual(['driver-1-new', 'driver-1-old'])
  })
})
