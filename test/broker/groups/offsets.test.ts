import { afterEach, describe, expect, it } from 'vitest'
import { Api, Harness, client, commit, fetchV7, join, joinNew, sync, type Response } from './fixtures.js'

interface Part { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; metadata: string; errorCode: number }
type Topics = Array<{ name: string; partitions: Part[] }>

const codes = (res: Response) => (res.topics as Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>)
  .flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}:${p.errorCode}`))

describe('committed offsets', () => {
  const h = new Harness()
  afterEach(() => h.cleanup())

  it('commits without group management and fetches in the v1-7 shape, -1 where nothing was committed', async () => {
    const c = await h.start()
    const res = await commit(c, [['rides', 0, 100n], ['rides', 2, 7n], ['payments', 1, 3n]], { version: 2 })
    expect(res).toEqual({ throttleTimeMs: 0, topics: [
      { name: 'rides', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 2, errorCode: 0 }] },
      { name: 'payments', partitions: [{ partitionIndex: 1, errorCode: 0 }] },
    ] })
    const fetched = await fetchV7(c, 'billing', [{ name: 'rides', partitionIndexes: [0, 1] }], 1)
    expect(fetched).toEqual({ throttleTimeMs: 0, errorCode: 0, topics: [{ name: 'rides', partitions: [
      { partitionIndex: 0, committedOffset: 100n, committedLeaderEpoch: 4, metadata: 'shift-42', errorCode: 0 },
      { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
    ] }] })
    // null topics: everything the group committed.
    const all = await fetchV7(c, 'billing', null)
    expect((all.topics as Topics).map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])]))
      .toEqual([['rides', [[0, 100n], [2, 7n]]], ['payments', [[1, 3n]]]])
    // A group nobody committed for answers -1, not an error.
    const unknown = await fetchV7(c, 'nobody', [{ name: 'rides', partitionIndexes: [0] }])
    expect((unknown.topics as Topics)[0]!.partitions[0]).toMatchObject({ committedOffset: -1n, errorCode: 0 })
  })

  it('batches groups in OffsetFetch v8', async () => {
    const c = await h.start()
    await commit(c, [['rides', 1, 11n]], { groupId: 'billing' })
    await commit(c, [['payments', 0, 22n]], { groupId: 'fraud', metadata: null })
    const res = await c.handle(Api.OffsetFetch, 8, { groups: [
      { groupId: 'billing', topics: [{ name: 'rides', partitionIndexes: [1, 2] }] },
      { groupId: 'fraud', topics: null },
      { groupId: 'nobody', topics: null },
    ], requireStable: true }, client())
    expect(res).toEqual({ throttleTimeMs: 0, groups: [
      { groupId: 'billing', errorCode: 0, topics: [{ name: 'rides', partitions: [
        { partitionIndex: 1, committedOffset: 11n, committedLeaderEpoch: 4, metadata: 'shift-42', errorCode: 0 },
        { partitionIndex: 2, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
      ] }] },
      { groupId: 'fraud', errorCode: 0, topics: [{ name: 'payments', partitions: [
        { partitionIndex: 0, committedOffset: 22n, committedLeaderEpoch: 4, metadata: '', errorCode: 0 },
      ] }] },
      { groupId: 'nobody', errorCode: 0, topics: [] },
    ] })
  })

  it('refuses unknown partitions and oversized metadata per partition and commits the rest', async () => {
    const c = await h.start()
    const res = await commit(c, [['rides', 0, 5n], ['rides', 9, 5n], ['ghost-topic', 0, 5n]])
    expect(codes(res)).toEqual(['rides-0:0', 'rides-9:3', 'ghost-topic-0:3'])
    const big = await commit(c, [['rides', 1, 5n]], { metadata: 'x'.repeat(4097) })
    expect(codes(big)).toEqual(['rides-1:12'])
    const fetched = await fetchV7(c, 'billing', null)
    expect((fetched.topics as Topics).flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}`))).toEqual(['rides-0'])
  })

  it('checks generation and member of a managed group as Kafka does', async () => {
    const c = await h.start()
    const a = await joinNew(c, { groupId: 'billing' })
    const joined = await a.joined
    const gen = joined.generationId as number
    // The member has no assignment yet.
    expect(codes(await commit(c, [['rides', 0, 1n]], { generationId: gen, memberId: a.memberId }))).toEqual(['rides-0:27'])
    await sync(c, a.memberId, gen, [{ memberId: a.memberId, assignment: Buffer.from('all') }], 'billing')
    expect(codes(await commit(c, [['rides', 0, 1n]], { generationId: gen, memberId: a.memberId }))).toEqual(['rides-0:0'])
    expect(codes(await commit(c, [['rides', 0, 2n]], { generationId: gen + 1, memberId: a.memberId }))).toEqual(['rides-0:22'])
    expect(codes(await commit(c, [['rides', 0, 2n]], { generationId: gen, memberId: 'ghost' }))).toEqual(['rides-0:25'])
    // A simple commit into a group that has members is refused.
    expect(codes(await commit(c, [['rides', 0, 2n]]))).toEqual(['rides-0:25'])
    // A generation for a group that does not exist is stale by definition.
    expect(codes(await commit(c, [['rides', 0, 2n]], { groupId: 'other', generationId: 3, memberId: 'm' }))).toEqual(['rides-0:22'])
    const fetched = await fetchV7(c, 'billing', [{ name: 'rides', partitionIndexes: [0] }])
    expect((fetched.topics as Topics)[0]!.partitions[0]!.committedOffset).toBe(1n)
  })

  it('drops the offsets of a deleted topic', async () => {
    const c = await h.start()
    await commit(c, [['rides', 0, 5n], ['payments', 0, 6n]])
    c.onTopicDeleted('rides')
    const after = await fetchV7(c, 'billing', null)
    expect((after.topics as Topics).map((t) => t.name)).toEqual(['payments'])
  })

  it('keeps ids, epochs and generation checks for JoinGroup v0-era clients committing with OffsetCommit v2', async () => {
    const c = await h.start()
    const first = await join(c, { version: 0, groupId: 'billing', clientId: 'legacy' })
    expect(first.errorCode).toBe(0)
    const memberId = first.memberId as string
    await sync(c, memberId, 1, [{ memberId, assignment: Buffer.from('a') }], 'billing', 0)
    expect(codes(await commit(c, [['payments', 1, 9n]], { version: 2, generationId: 1, memberId }))).toEqual(['payments-1:0'])
  })
})
