import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AssignmentListener, TopicPartition } from '../../src/kafka/index.js'
import { buf, pollUntil, startKafka, str, waitFor, type KafkaFixture } from './fixtures.js'

const fast = { isolationLevel: 'read_committed', heartbeatIntervalMs: 100, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000 } as const
const name = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`

/** An assignment listener that records what it was told. */
function recorder(): AssignmentListener & { assigned: string[][]; revoked: string[][] } {
  const assigned: string[][] = []
  const revoked: string[][] = []
  return {
    assigned,
    revoked,
    onAssigned: async (partitions) => {
      // Awaited: the consumer must not hand out records before this resolves.
      await new Promise((resolve) => setTimeout(resolve, 10))
      assigned.push(partitions.map(name).sort())
    },
    onRevoked: (partitions) => void revoked.push(partitions.map(name).sort()),
  }
}

describe('KafkaConsumer (group member)', () => {
  let kafka: KafkaFixture

  beforeEach(async () => {
    kafka = await startKafka('fleet')
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: 'rides', partitions: 4 },
      { name: 'drivers', partitions: 4 },
    ])
    const producer = kafka.track(kafka.clients.producer())
    for (const topic of ['rides', 'drivers']) {
      for (let p = 0; p < 4; p++) {
        await producer.send(Array.from({ length: 10 }, (_, i) => ({ topic, partition: p, key: buf(`${p}`), value: buf(`${topic}-${p}-${i}`) })))
      }
    }
  })
  afterEach(async () => {
    await kafka.close()
  })

  it('shares co-partitioned partitions between two members, with callbacks, and resumes from commits', async () => {
    // Two co-partition groups of different sizes: a plain round-robin would split trips-p from fares-p.
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: 'trips', partitions: 3 },
      { name: 'fares', partitions: 3 },
    ])
    const topics = ['rides', 'drivers', 'trips', 'fares']
    const groups = { ...fast, coPartitionGroups: [['rides', 'drivers'], ['trips', 'fares']] }
    const a = kafka.track(kafka.clients.consumer(groups))
    const listenerA = recorder()
    await a.subscribe(topics, listenerA)
    expect(listenerA.assigned).toHaveLength(1)
    expect(listenerA.assigned[0]).toHaveLength(14)
    expect(a.assignment()).toHaveLength(14)

    const consumed = await pollUntil(a, 80)
    expect(new Set(consumed.map((r) => str(r.value))).size).toBe(80)
    // Commit only half of each partition, so the next owner must resume in the middle.
    await a.commit(a.assignment().map((tp) => ({ ...tp, offset: tp.topic === 'rides' || tp.topic === 'drivers' ? 5n : 0n })))

    const b = kafka.track(kafka.clients.consumer(groups))
    const listenerB = recorder()
    const joining = b.subscribe(topics, listenerB)
    // A learns about the rebalance from its heartbeats and hands over inside poll().
    await waitFor('member A to give up some of its partitions', async () => {
      await a.poll(10, 20)
      return a.assignment().length < 14
    })
    await joining

    expect(listenerA.revoked).toHaveLength(1)
    expect(listenerA.revoked[0]).toHaveLength(14 - a.assignment().length)
    expect(listenerB.assigned).toEqual(listenerA.revoked)
    // 7 units of work (4 rides/drivers pairs, 3 trips/fares pairs) split 4/3.
    expect([a.assignment().length, b.assignment().length].sort()).toEqual([6, 8])
    const ownerA = new Set(a.assignment().map(name))
    const ownerB = new Set(b.assignment().map(name))
    for (const [left, right, count] of [['rides', 'drivers', 4], ['trips', 'fares', 3]] as const) {
      for (let p = 0; p < count; p++) {
        expect(ownerA.has(`${left}-${p}`) !== ownerB.has(`${left}-${p}`)).toBe(true)
        const owner = ownerA.has(`${left}-${p}`) ? ownerA : ownerB
        expect(owner.has(`${right}-${p}`), `${left}-${p} and ${right}-${p} together`).toBe(true)
      }
    }

    const withRecords = b.assignment().filter((tp) => tp.topic === 'rides' || tp.topic === 'drivers')
    for (const tp of b.assignment()) expect(b.position(tp)).toBe(withRecords.includes(tp) ? 5n : 0n)
    const resumed = await pollUntil(b, withRecords.length * 5)
    expect(resumed.every((r) => r.offset >= 5n)).toBe(true)
    expect(resumed).toHaveLength(withRecords.length * 5)
    expect(b.groupMetadata()).toMatchObject({ groupId: 'fleet' })
    expect(b.groupMetadata().generationId).toBe(a.groupMetadata().generationId)
  })

  it('bounds the buffer by a share per partition, so paused partitions never starve the others (backpressure)', async () => {
    // 4 partitions share a bound of 8: a partition holding 2 or more buffered records is not fetched.
    const consumer = kafka.track(kafka.clients.consumer({ ...fast, maxBufferedRecords: 8 }))
    await consumer.subscribe(['rides'], recorder())
    const first = await pollUntil(consumer, 2, [], 2)
    expect(first).toHaveLength(2)
    expect(consumer.bufferedRecords()).toBe(38)

    // Hold partitions 1-3 back with their 30 buffered records, far above the bound.
    const others = [1, 2, 3].map((partition) => ({ topic: 'rides', partition }))
    consumer.pause(others)
    const producer = kafka.track(kafka.clients.producer())
    const p0 = { topic: 'rides', partition: 0 }
    await producer.send([{ topic: 'rides', partition: 0, key: null, value: buf('new-1') }])

    const drained = await consumer.poll(100, 50)
    expect(drained.every((r) => r.partition === 0 && String(str(r.value)).startsWith('rides-0-'))).toBe(true)
    expect(consumer.bufferedRecords()).toBe(30)
    // Partition 0 is below its share: it is fetched although the paused ones hold 30.
    const fresh = await pollUntil(consumer, 1)
    expect(fresh.map((r) => str(r.value))).toEqual(['new-1'])
    expect(consumer.currentLag(p0)).toBe(0n)

    // Partition 0 over its share is not fetched again until it drains: one record at a time.
    await producer.send(Array.from({ length: 5 }, (_, i) => ({ topic: 'rides', partition: 0, key: null, value: buf(`more-${i}`) })))
    await pollUntil(consumer, 1, [], 1)
    expect(consumer.bufferedRecords()).toBe(30 + 4)
    await producer.send([{ topic: 'rides', partition: 0, key: null, value: buf('later') }])
    for (let i = 0; i < 2; i++) await consumer.poll(1, 20)
    expect(consumer.bufferedRecords()).toBe(30 + 2)
    // Lag is as of the latest fetch: the 2 buffered records count, 'later' is not known yet.
    expect(consumer.currentLag(p0)).toBe(2n)

    consumer.resume(others)
    const rest = await pollUntil(consumer, 33)
    expect(rest.filter((r) => str(r.value) === 'later')).toHaveLength(1)
    expect(consumer.bufferedRecords()).toBe(0)
    for (let partition = 0; partition < 4; partition++) expect(consumer.currentLag({ topic: 'rides', partition })).toBe(0n)
  })

  it('knows no lag before a partition was fetched, then the records on the broker past its position', async () => {
    const consumer = kafka.track(kafka.clients.consumer(fast))
    await consumer.subscribe(['rides'], recorder())
    const p1 = { topic: 'rides', partition: 1 }
    expect(consumer.currentLag(p1)).toBeUndefined()
    consumer.pause([0, 2, 3].map((partition) => ({ topic: 'rides', partition })))
    const records = await consumer.poll(4, 100)
    expect(records.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n])
    expect(consumer.currentLag(p1)).toBe(6n)
    await pollUntil(consumer, 6)
    expect(consumer.currentLag(p1)).toBe(0n)
    // Paused and never fetched: still unknown.
    expect(consumer.currentLag({ topic: 'rides', partition: 2 })).toBeUndefined()
  })

  it('pauses, resumes and seeks partitions, tracking positions', async () => {
    const consumer = kafka.track(kafka.clients.consumer(fast))
    await consumer.subscribe(['rides'], recorder())
    const p0 = { topic: 'rides', partition: 0 }
    consumer.pause([{ topic: 'rides', partition: 1 }, { topic: 'rides', partition: 2 }, { topic: 'rides', partition: 3 }])
    const records = await pollUntil(consumer, 10)
    expect(records.every((r) => r.partition === 0)).toBe(true)
    expect(consumer.position(p0)).toBe(10n)

    consumer.seek(p0, 7n)
    expect(consumer.position(p0)).toBe(7n)
    const again = await pollUntil(consumer, 3)
    expect(again.map((r) => r.offset)).toEqual([7n, 8n, 9n])

    consumer.pause([p0])
    consumer.resume([{ topic: 'rides', partition: 3 }])
    const three = await pollUntil(consumer, 10)
    expect(three.map((r) => `${r.partition}:${r.offset}`)).toEqual(Array.from({ length: 10 }, (_, i) => `3:${i}`))
    expect(await consumer.committed([p0])).toEqual([])
  })

  it('starts from the earliest offset when its committed offset was deleted', async () => {
    const first = kafka.track(kafka.clients.consumer(fast))
    await first.subscribe(['rides'], recorder())
    await first.commit([{ topic: 'rides', partition: 0, offset: 2n }])
    expect(await first.committed([{ topic: 'rides', partition: 0 }, { topic: 'rides', partition: 1 }])).toEqual([
      { topic: 'rides', partition: 0, offset: 2n },
    ])
    await first.close()
    await kafka.track(kafka.clients.admin()).deleteRecords('rides', 0, 6n)

    const second = kafka.track(kafka.clients.consumer(fast))
    await second.subscribe(['rides'], recorder())
    const p0 = { topic: 'rides', partition: 0 }
    expect(second.position(p0)).toBe(2n)
    second.pause([1, 2, 3].map((partition) => ({ topic: 'rides', partition })))
    const records = await pollUntil(second, 4)
    expect(records.map((r) => r.offset)).toEqual([6n, 7n, 8n, 9n])
    expect(second.position(p0)).toBe(10n)
  })

  it("starts a 'latest' topic's partitions without a committed offset at their end, the others at their start", async () => {
    const consumer = kafka.track(kafka.clients.consumer({ ...fast, offsetResetPolicy: (topic) => (topic === 'rides' ? 'latest' : 'earliest') }))
    await consumer.subscribe(['rides', 'drivers'], recorder())
    expect(consumer.position({ topic: 'rides', partition: 0 })).toBe(10n)
    expect(consumer.position({ topic: 'drivers', partition: 0 })).toBe(0n)
    await kafka.track(kafka.clients.producer()).send([{ topic: 'rides', partition: 2, key: buf('2'), value: buf('rides-2-new') }])
    const records = await pollUntil(consumer, 41)
    expect(records.filter((r) => r.topic === 'rides').map((r) => str(r.value))).toEqual(['rides-2-new'])
    expect(records.filter((r) => r.topic === 'drivers')).toHaveLength(40)
  })

  it('rejoins the group when asked, keeping its partitions and telling the listener of the new generation', async () => {
    const consumer = kafka.track(kafka.clients.consumer(fast))
    let rejoined = 0
    const listener = { ...recorder(), onRejoined: () => void rejoined++ }
    await consumer.subscribe(['rides'], listener)
    const before = consumer.groupMetadata()
    await pollUntil(consumer, 40)

    consumer.rejoinGroup()
    await consumer.poll(10, 20)
    // The only member is the group's leader: its rejoin makes a new generation with the same assignment.
    expect(rejoined).toBe(1)
    expect(consumer.groupMetadata().memberId).toBe(before.memberId)
    expect(consumer.groupMetadata().generationId).toBeGreaterThan(before.generationId)
    expect(listener.assigned).toHaveLength(1)
    expect(listener.revoked).toHaveLength(0)
    expect(consumer.assignment()).toHaveLength(4)
  })
})
