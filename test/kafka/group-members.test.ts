import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buf, startKafka, waitFor, type KafkaFixture } from './fixtures.js'

const fast = { isolationLevel: 'read_uncommitted', heartbeatIntervalMs: 100, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000 } as const
const noop = { onAssigned: () => undefined, onRevoked: () => undefined }

describe('KafkaAdmin.describeGroupMembers', () => {
  let kafka: KafkaFixture

  beforeEach(async () => {
    kafka = await startKafka('fleet')
    await kafka.track(kafka.clients.admin()).createTopics([{ name: 'rides', partitions: 4 }])
  })

  afterEach(async () => {
    await kafka.close()
  })

  it("returns each member's subscription user data and the partitions it was assigned", async () => {
    const admin = kafka.track(kafka.clients.admin())
    expect(await admin.describeGroupMembers('fleet')).toBeUndefined() // no such group yet
    const a = kafka.track(kafka.clients.consumer({ ...fast, userData: buf('member-a') }))
    const b = kafka.track(kafka.clients.consumer({ ...fast, userData: buf('member-b') }))
    await a.subscribe(['rides'], noop)
    await b.subscribe(['rides'], noop)
    // a learns of the rebalance b's join caused on its next polls.
    let described: Awaited<ReturnType<typeof admin.describeGroupMembers>>
    await waitFor('both members in a stable group', async () => {
      await Promise.all([a.poll(10, 20), b.poll(10, 20)])
      described = await admin.describeGroupMembers('fleet')
      return described?.length === 2 && described.every((m) => m.assignment.length === 2)
    })
    const byData = new Map(described!.map((m) => [m.userData?.toString(), m]))
    expect([...byData.keys()].sort()).toEqual(['member-a', 'member-b'])
    expect(byData.get('member-a')?.memberId).toBe(a.groupMetadata().memberId)
    const sorted = (ps: readonly { topic: string; partition: number }[] | undefined) => [...(ps ?? [])].sort((x, y) => x.partition - y.partition)
    expect(sorted(byData.get('member-a')?.assignment)).toEqual(sorted(a.assignment()))
    expect(sorted(byData.get('member-b')?.assignment)).toEqual(sorted(b.assignment()))
    const all = described!.flatMap((m) => m.assignment.map((p) => `${p.topic}-${p.partition}`)).sort()
    expect(all).toEqual(['rides-0', 'rides-1', 'rides-2', 'rides-3'])
  })
})
