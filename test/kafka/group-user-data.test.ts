import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assignmentUserData, replaceAssignmentUserData, replaceSubscriptionUserData } from '../../src/kafka/group-user-data.js'
import type { AssignmentListener, GroupAssignor } from '../../src/kafka/index.js'
import { buf, startKafka, waitFor, type KafkaFixture } from './fixtures.js'

/** ConsumerProtocolSubscription v1 as the client writes it: version, topics, user data, then owned partitions. */
function subscription(topics: string[], userData: Buffer, tail = Buffer.alloc(0)): Buffer {
  const parts = [Buffer.from([0, 1]), int32(topics.length)]
  for (const topic of topics) parts.push(int16(topic.length), Buffer.from(topic))
  parts.push(int32(userData.length), userData, tail)
  return Buffer.concat(parts)
}

/** ConsumerProtocolAssignment v0 as the client writes it: empty user data. */
function assignment(byTopic: [string, number[]][]): Buffer {
  const parts = [Buffer.from([0, 0]), int32(byTopic.length)]
  for (const [topic, partitions] of byTopic) parts.push(int16(topic.length), Buffer.from(topic), int32(partitions.length), ...partitions.map(int32))
  parts.push(int32(0))
  return Buffer.concat(parts)
}

const int16 = (n: number) => Buffer.from([n >> 8, n & 0xff])
function int32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}

describe('group protocol user data', () => {
  it('replaces the user data of a subscription and keeps the fields after it', () => {
    const tail = Buffer.concat([int32(0)]) // no owned partitions
    const replaced = replaceSubscriptionUserData(subscription(['rides', 'drivers'], buf('old')), buf('{"v":2}'))
    expect(replaced).toEqual(subscription(['rides', 'drivers'], buf('{"v":2}')))
    expect(replaceSubscriptionUserData(subscription(['rides'], buf(''), tail), buf('new'))).toEqual(subscription(['rides'], buf('new'), tail))
  })

  it("writes an assignment's user data and reads it back; none reads as undefined", () => {
    const plain = assignment([['rides', [0, 2]], ['drivers', [0, 2]]])
    expect(assignmentUserData(plain)).toBeUndefined()
    const withData = replaceAssignmentUserData(plain, buf('standbys'))
    expect(withData.subarray(0, plain.length - 4)).toEqual(plain.subarray(0, plain.length - 4))
    expect(assignmentUserData(withData)?.toString()).toBe('standbys')
    expect(assignmentUserData(Buffer.alloc(0))).toBeUndefined()
  })

  it('leaves data it cannot parse as it is', () => {
    const garbage = Buffer.from([0, 0, 0, 0, 0, 9])
    expect(replaceAssignmentUserData(garbage, buf('x'))).toBe(garbage)
  })
})

describe('KafkaConsumer with an assignor and user data', () => {
  let kafka: KafkaFixture
  const fast = { isolationLevel: 'read_uncommitted', heartbeatIntervalMs: 100, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000 } as const

  beforeEach(async () => {
    kafka = await startKafka('fleet')
    await kafka.track(kafka.clients.admin()).createTopics([{ name: 'rides', partitions: 4 }])
  })

  afterEach(async () => {
    await kafka.close()
  })

  it("hands each member the user data the leader's assignor attached, and asks for fresh subscription data at every join", async () => {
    const seen = new Map<string, string[]>()
    // Every partition to the member whose subscription says "hungry"; the user data says who got what.
    const assignor: GroupAssignor = (members, topics) => {
      for (const m of members) seen.set(m.memberId, [...(seen.get(m.memberId) ?? []), m.userData?.toString() ?? ''])
      const hungry = members.find((m) => m.userData?.toString().startsWith('hungry')) ?? members[0]
      const all = topics.flatMap((t) => Array.from({ length: t.partitions }, (_, partition) => ({ topic: t.name, partition })))
      return new Map(members.map((m) => [m.memberId, { partitions: m === hungry ? all : [], userData: buf(m === hungry ? 'you got all' : 'you got none') }]))
    }
    const received = { a: [] as (string | undefined)[], b: [] as (string | undefined)[] }
    const listener = (into: (string | undefined)[]): AssignmentListener => ({
      onAssigned: () => undefined,
      onRevoked: () => undefined,
      onAssignmentUserData: (data) => void into.push(data?.toString()),
    })
    let joinsOfB = 0
    const a = kafka.track(kafka.clients.consumer({ ...fast, assignor, userData: () => buf('modest') }))
    const b = kafka.track(kafka.clients.consumer({ ...fast, assignor, userData: () => buf(`hungry-${++joinsOfB}`) }))
    await a.subscribe(['rides'], listener(received.a))
    // Alone, the client assigns everything itself: no assignor, no user data.
    expect(received.a).toEqual([undefined])
    expect(a.assignment()).toHaveLength(4)
    await b.subscribe(['rides'], listener(received.b))
    await waitFor('the rebalance seen by both', async () => {
      await Promise.all([a.poll(10, 20), b.poll(10, 20)])
      return received.a.length === 2 && received.b.length >= 1
    })
    expect(received.a.at(-1)).toBe('you got none')
    expect(received.b.at(-1)).toBe('you got all')
    expect(a.assignment()).toHaveLength(0)
    expect(b.assignment()).toHaveLength(4)
    // The leader saw b's subscription as written at the join it answered.
    expect([...seen.values()].flat()).toContain(`hungry-${joinsOfB}`)
    expect([...seen.values()].flat()).toContain('modest')
    // The same data is what describeGroupMembers reports.
    const described = await kafka.track(kafka.clients.admin()).describeGroupMembers('fleet')
    expect(described?.map((m) => m.userData?.toString()).sort()).toEqual([`hungry-${joinsOfB}`, 'modest'])
  })
})
