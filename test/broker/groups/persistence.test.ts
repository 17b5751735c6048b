import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join as joinPath } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseFrames } from '../../../src/broker/groups/coordinator-log.js'
import { Api, Harness, client, commit, describe as describeGroups, fetchV7, heartbeat, join, joinNew, stateOf, sync, type Response } from './fixtures.js'

type Topics = Array<{ name: string; partitions: Array<{ partitionIndex: number; committedOffset: bigint; metadata: string }> }>

const logPath = (dataDir: string) => joinPath(dataDir, '__consumer_offsets', 'coordinator.log')
const offsetsOf = (res: Response) =>
  (res.topics as Topics).flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}@${p.committedOffset}`))

describe('coordinator persistence', () => {
  const h = new Harness()
  afterEach(async () => {
    await h.cleanup()
    vi.useRealTimers()
  })

  it('has a commit on disk once it is acknowledged, without a clean shutdown', async () => {
    const first = await h.start()
    const dataDir = h.dataDirs[0]!
    await commit(first, [['rides', 0, 41n], ['payments', 1, 9n]])
    await commit(first, [['rides', 0, 42n]])
    // The first instance is never closed before the second reads the directory, as after a SIGKILL.
    const second = await h.start({}, dataDir)
    expect(offsetsOf(await fetchV7(second, 'billing', null))).toEqual(['rides-0@42', 'payments-1@9'])
    expect((await fetchV7(second, 'billing', null)).topics).toMatchObject([{ partitions: [{ metadata: 'shift-42' }] }, {}])
  })

  it('restores a Stable group with its generation, members and assignments; absent members then expire', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const first = await h.start()
    const dataDir = h.dataDirs[0]!
    const a = await joinNew(first, { clientId: 'd1' })
    await a.joined
    const b = await joinNew(first, { clientId: 'd2' })
    const [aRes] = await Promise.all([join(first, { memberId: a.memberId, clientId: 'd1' }), b.joined])
    const gen = aRes.generationId as number
    const assignments = [{ memberId: a.memberId, assignment: Buffer.from('rides-0') }, { memberId: b.memberId, assignment: Buffer.from('rides-1') }]
    await Promise.all([sync(first, a.memberId, gen, assignments), sync(first, b.memberId, gen)])
    await first.close()

    const second = await h.start({}, dataDir)
    const group = ((await describeGroups(second)).groups as Array<Record<string, unknown>>)[0]!
    expect(group).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' })
    expect((group.members as Array<{ memberId: string; memberAssignment: Buffer; memberMetadata: Buffer }>).map((m) => [m.memberId, m.memberAssignment.toString(), m.memberMetadata.toString()]))
      .toEqual([[a.memberId, 'rides-0', 'd1'], [b.memberId, 'rides-1', 'd2']])
    // The clients carry on where they were.
    expect((await heartbeat(second, a.memberId, gen)).errorCode).toBe(0)
    expect((await sync(second, b.memberId, gen)).assignment).toEqual(Buffer.from('rides-1'))
    expect((await commit(second, [['rides', 1, 5n]], { groupId: 'dispatch', generationId: gen, memberId: b.memberId })).topics)
      .toMatchObject([{ partitions: [{ errorCode: 0 }] }])
    // Only a keeps heartbeating: b's 10 s session expires and the group rebalances without it;
    // a never rejoins, and its own session ends 10 s after its last heartbeat.
    vi.advanceTimersByTime(5_000)
    expect((await heartbeat(second, a.memberId, gen)).errorCode).toBe(0)
    vi.advanceTimersByTime(5_001)
    expect(await stateOf(second)).toBe('PreparingRebalance')
    expect((await heartbeat(second, b.memberId, gen)).errorCode).toBe(25)
    vi.advanceTimersByTime(5_000)
    expect(await stateOf(second)).toBe('Empty')
  })

  it('remembers groups emptied, deleted, and topics deleted', async () => {
    const first = await h.start()
    const dataDir = h.dataDirs[0]!
    const a = await joinNew(first, { groupId: 'emptied' })
    await a.joined
    await first.handle(Api.LeaveGroup, 4, { groupId: 'emptied', members: [{ memberId: a.memberId, groupInstanceId: null }] }, client())
    await commit(first, [['rides', 0, 1n]], { groupId: 'doomed' })
    await commit(first, [['rides', 2, 3n], ['payments', 0, 4n]], { groupId: 'kept' })
    expect((await first.handle(Api.DeleteGroups, 2, { groupsNames: ['doomed'] }, client())).results).toEqual([{ groupId: 'doomed', errorCode: 0 }])
    first.onTopicDeleted('payments')
    await first.close()

    const second = await h.start({}, dataDir)
    const listed = await second.handle(Api.ListGroups, 4, { statesFilter: [] }, client())
    expect((listed.groups as Array<{ groupId: string; groupState: string }>).map((g) => [g.groupId, g.groupState]).sort())
      .toEqual([['emptied', 'Empty'], ['kept', 'Empty']])
    expect(offsetsOf(await fetchV7(second, 'kept', null))).toEqual(['rides-2@3'])
    expect(offsetsOf(await fetchV7(second, 'doomed', null))).toEqual([])
    // The emptied group kept its generation: the next one is 2.
    const again = await joinNew(second, { groupId: 'emptied' })
    expect((await again.joined).generationId).toBe(3)
  })

  it('coalesces concurrent commits and applies them in the order they arrived', async () => {
    const first = await h.start()
    const dataDir = h.dataDirs[0]!
    const commits = Array.from({ length: 50 }, (_, i) => commit(first, [['rides', i % 3, BigInt(i)]]))
    const responses = await Promise.all(commits)
    expect(responses.every((r) => (r.topics as Topics)[0]!.partitions.every((p) => (p as unknown as { errorCode: number }).errorCode === 0))).toBe(true)
    expect(offsetsOf(await fetchV7(first, 'billing', null))).toEqual(['rides-0@48', 'rides-1@49', 'rides-2@47'])
    const second = await h.start({}, dataDir)
    expect(offsetsOf(await fetchV7(second, 'billing', null))).toEqual(['rides-0@48', 'rides-1@49', 'rides-2@47'])
  })

  it('ignores a torn last record and keeps appending after the last intact one', async () => {
    const first = await h.start()
    const dataDir = h.dataDirs[0]!
    await commit(first, [['rides', 0, 1n]])
    await commit(first, [['rides', 1, 2n]])
    await commit(first, [['rides', 2, 3n]])
    await first.close()
    // A crash in the middle of the last write.
    truncateSync(logPath(dataDir), statSync(logPath(dataDir)).size - 5)

    const second = await h.start({}, dataDir)
    expect(offsetsOf(await fetchV7(second, 'billing', null))).toEqual(['rides-0@1', 'rides-1@2'])
    await commit(second, [['payments', 0, 7n]])
    await second.close()

    const third = await h.start({}, dataDir)
    expect(offsetsOf(await fetchV7(third, 'billing', null))).toEqual(['rides-0@1', 'rides-1@2', 'payments-0@7'])
  })

  it('stops at a record whose checksum fails and drops garbage after it', async () => {
    const first = await h.start()
    const dataDir = h.dataDirs[0]!
    await commit(first, [['rides', 0, 1n]])
    await commit(first, [['rides', 1, 2n]])
    await first.close()
    const bytes = readFileSync(logPath(dataDir))
    const { payloads } = parseFrames(bytes)
    expect(payloads).toHaveLength(2)
    // Flip a byte inside the second record's payload, then add random garbage.
    const corrupt = Buffer.from(bytes)
    corrupt[corrupt.length - 3] ^= 0xff
    truncateSync(logPath(dataDir), 0)
    appendFileSync(logPath(dataDir), Buffer.concat([corrupt, Buffer.from([0, 0, 0, 9, 1, 2, 3])]))

    const second = await h.start({}, dataDir)
    expect(offsetsOf(await fetchV7(second, 'billing', null))).toEqual(['rides-0@1'])
    expect(statSync(logPath(dataDir)).size).toBe(bytes.length - payloads[1]!.length - 8)
  })

  it('compacts the log to the latest offset per partition', async () => {
    const first = await h.start({ compactAfterRecords: 20 })
    const dataDir = h.dataDirs[0]!
    for (let i = 1; i <= 100; i++) await commit(first, [['rides', i % 2, BigInt(i)]])
    await first.close()
    const { payloads } = parseFrames(readFileSync(logPath(dataDir)))
    expect(payloads.length).toBeLessThan(25)

    // A compaction interrupted before its rename leaves a temporary file that load discards.
    writeFileSync(logPath(dataDir) + '.tmp', 'half-written snapshot')
    const second = await h.start({}, dataDir)
    expect(offsetsOf(await fetchV7(second, 'billing', null))).toEqual(['rides-0@100', 'rides-1@99'])
    expect(existsSync(logPath(dataDir) + '.tmp')).toBe(false)
  })
})
