import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OffsetOutOfRangeError } from '../../src/kafka/index.js'
import { buf, readAll, startKafka, str, type KafkaFixture } from './fixtures.js'

describe('KafkaProducer and KafkaReader', () => {
  let kafka: KafkaFixture

  beforeEach(async () => {
    kafka = await startKafka()
    await kafka.track(kafka.clients.admin()).createTopics([{ name: 'locations', partitions: 2 }])
  })
  afterEach(async () => {
    await kafka.close()
  })

  it('acknowledges sends with the offsets written, keeping keys, nulls, timestamps and headers', async () => {
    const producer = kafka.track(kafka.clients.producer())
    const first = await producer.send([
      { topic: 'locations', partition: 0, key: buf('d1'), value: buf('a'), timestamp: 1_000, headers: [['source', buf('gps')]] },
      { topic: 'locations', partition: 0, key: null, value: null, timestamp: 2_000 },
    ])
    expect(first).toEqual([{ topic: 'locations', partition: 0, offset: 0n }])
    const second = await producer.send([{ topic: 'locations', partition: 0, key: buf('d2'), value: buf('b') }])
    expect(second).toEqual([{ topic: 'locations', partition: 0, offset: 2n }])
    await producer.flush()

    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' }))
    const records = await readAll(reader, 'locations', 0)
    expect(records.map((r) => [r.offset, str(r.key), str(r.value)])).toEqual([
      [0n, 'd1', 'a'],
      [1n, null, null],
      [2n, 'd2', 'b'],
    ])
    expect(records[0]?.timestamp).toBe(1_000)
    expect(records[1]?.timestamp).toBe(2_000)
    expect(records[0]?.headers.map(([k, v]) => [k, str(v)])).toEqual([['source', 'gps']])
  })

  it('writes a send larger than a broker takes in one batch (max.message.bytes), in order, acknowledged from its first offset', async () => {
    const producer = kafka.track(kafka.clients.producer())
    const value = Buffer.alloc(10 * 1024, 'x')
    // 3 MiB for one partition: one batch of it would get MESSAGE_TOO_LARGE from either broker.
    const records = Array.from({ length: 300 }, (_, i) => ({ topic: 'locations', partition: 1, key: buf(`k${i}`), value }))
    expect(await producer.send(records)).toEqual([{ topic: 'locations', partition: 1, offset: 0n }])
    const written = await readAll(kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' })), 'locations', 1)
    expect(written.map((r) => str(r.key))).toEqual(records.map((r) => str(r.key)))
  })

  it('reads a partition from an offset up to the end offset in several batches, then stops', async () => {
    const producer = kafka.track(kafka.clients.producer())
    // Separate sends make separate batches on the broker, so a small fetch returns part of them.
    for (let i = 0; i < 20; i++) {
      await producer.send([{ topic: 'locations', partition: 1, key: buf(`k${i}`), value: buf('x'.repeat(200)) }])
    }
    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_committed', maxBytesPerFetch: 1_000 }))
    const end = await reader.endOffset({ topic: 'locations', partition: 1 })
    expect(end).toBe(20n)
    const batches: bigint[][] = []
    const next = await reader.readRange({ topic: 'locations', partition: 1 }, 5n, end, (records) => {
      batches.push(records.map((r) => r.offset))
    })
    expect(next).toBe(20n)
    expect(batches.length).toBeGreaterThan(1)
    expect(batches.flat()).toEqual(Array.from({ length: 15 }, (_, i) => BigInt(i + 5)))

    // Records written after the end offset was taken are not read.
    await producer.send([{ topic: 'locations', partition: 1, key: buf('late'), value: buf('late') }])
    const seen: bigint[] = []
    expect(await reader.readRange({ topic: 'locations', partition: 1 }, 18n, end, (r) => void seen.push(...r.map((x) => x.offset)))).toBe(20n)
    expect(seen).toEqual([18n, 19n])
  })

  it('stops at the real end when asked for a range beyond the log', async () => {
    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted', maxWaitMs: 20 }))
    const seen: bigint[] = []
    expect(await reader.readRange({ topic: 'locations', partition: 0 }, 0n, 10n, (r) => void seen.push(...r.map((x) => x.offset)))).toBe(0n)
    expect(seen).toEqual([])
  })

  it('fails with OffsetOutOfRangeError when asked to read below the log start', async () => {
    const producer = kafka.track(kafka.clients.producer())
    await producer.send(Array.from({ length: 5 }, (_, i) => ({ topic: 'locations', partition: 0, key: null, value: buf(`${i}`) })))
    await kafka.track(kafka.clients.admin()).deleteRecords('locations', 0, 3n)
    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' }))
    const error = await reader.readRange({ topic: 'locations', partition: 0 }, 1n, 5n, () => undefined).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OffsetOutOfRangeError)
    expect(error).toMatchObject({ code: 'TRIBUTARY_KAFKA', topic: 'locations', partition: 0, offset: 1n })
    const rest: bigint[] = []
    await reader.readRange({ topic: 'locations', partition: 0 }, 3n, 5n, (r) => void rest.push(...r.map((x) => x.offset)))
    expect(rest).toEqual([3n, 4n])
  })
})
