import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Api, Harness, client, commit, fetchV7, heartbeat, join, joinNew, sync } from './fixtures.js'
import type { GroupCoordinator } from '../../../src/broker/groups/index.js'

type Topics = Array<{ partitions: Array<{ committedOffset: bigint }> }>

const committed = async (c: GroupCoordinator, groupId: string) =>
  ((await fetchV7(c, groupId, [{ name: 'rides', partitionIndexes: [0] }])).topics as Topics)[0]!.partitions[0]!.committedOffset

const listed = async (c: GroupCoordinator) =>
  ((await c.handle(Api.ListGroups, 4, { statesFilter: [] }, client())).groups as Array<{ groupId: string }>).map((g) => g.groupId)

/** Waits for the expiry pass's file writes, yielding to real I/O (only timeouts are faked). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  // performance.now() is not faked: give the disk up to 5 s of real time.
  const deadline = performance.now() + 5_000
  while (performance.now() < deadline) {
    if (await check()) return
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  throw new Error('condition not reached')
}

/**
 * The coordinator log applies records in order: once a commit made now is durable, any
 * expiration an earlier check enqueued has been applied too.
 */
async function barrier(c: GroupCoordinator): Promise<void> {
  await commit(c, [['payments', 0, 1n]], { groupId: 'barrier' })
}

describe('offset retention', () => {
  const h = new Harness()
  const retention = { offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 }
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
  })
  afterEach(async () => {
    await h.cleanup()
    vi.useRealTimers()
  })

  it('expires a simple group offsets a retention period after their commit, then drops the group', async () => {
    const c = await h.start(retention)
    await commit(c, [['rides', 0, 5n]], { groupId: 'billing' })
    await vi.advanceTimersByTimeAsync(50_000)
    await barrier(c)
    expect(await committed(c, 'billing')).toBe(5n)
    await vi.advanceTimersByTimeAsync(20_000)
    await eventually(async () => (await committed(c, 'billing')) === -1n)
    await eventually(async () => !(await listed(c)).includes('billing'))
  })

  it('counts a consumer group retention from when it became Empty, not from the commit', async () => {
    const c = await h.start(retention)
    const a = await joinNew(c, { groupId: 'fleet' })
    const gen = (await a.joined).generationId as number
    await sync(c, a.memberId, gen, [{ memberId: a.memberId, assignment: Buffer.from('all') }], 'fleet')
    await commit(c, [['rides', 0, 9n]], { groupId: 'fleet', generationId: gen, memberId: a.memberId })
    for (let t = 0; t < 50_000; t += 5_000) {
      await vi.advanceTimersByTimeAsync(5_000)
      expect((await heartbeat(c, a.memberId, gen, 'fleet')).errorCode).toBe(0)
    }
    await c.handle(Api.LeaveGroup, 4, { groupId: 'fleet', members: [{ memberId: a.memberId, groupInstanceId: null }] }, client())
    // 70 s after the commit but only 20 s Empty: kept.
    await vi.advanceTimersByTimeAsync(20_000)
    await barrier(c)
    expect(await committed(c, 'fleet')).toBe(9n)
    await vi.advanceTimersByTimeAsync(50_000)
    await eventually(async () => (await committed(c, 'fleet')) === -1n)
  })

  it('removes an Empty group that never had offsets, such as one left by an abandoned join', async () => {
    const c = await h.start(retention)
    expect((await join(c, { groupId: 'abandoned' })).errorCode).toBe(79)
    expect(await listed(c)).toEqual(['abandoned'])
    await vi.advanceTimersByTimeAsync(10_000)
    await eventually(async () => (await listed(c)).length === 0)
  })
})
