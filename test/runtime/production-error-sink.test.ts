import { describe, expect, it } from 'vitest'
import { KafkaError } from '../../src/core/errors.js'
import type { OutgoingRecord, RecordAck } from '../../src/kafka/types.js'
import { KafkaRecordWriter, type RecordSink } from '../../src/runtime/kafka-services.js'
import { ProductionErrorSink } from '../../src/runtime/production-error-sink.js'

/** A client error as the adapter wraps it: the broker's error name sits on the cause. */
function brokerError(apiId: string): KafkaError {
  return new KafkaError(`Producing failed (${apiId})`, { cause: Object.assign(new Error(apiId), { apiId }) })
}

/**
 * A "cluster" that appends records per partition (explicit, else 0) and rejects any send holding a
 * value longer than `maxBytes` as a whole, like a produce request with one oversized record.
 */
class FakeCluster implements RecordSink {
  readonly logs = new Map<string, OutgoingRecord[]>()
  sends = 0

  constructor(
    private readonly maxBytes: number,
    private readonly failure: (record: OutgoingRecord) => Error | undefined = (record) =>
      (record.value?.length ?? 0) > this.maxBytes ? brokerError('MESSAGE_TOO_LARGE') : undefined,
  ) {}

  async send(records: readonly OutgoingRecord[]): Promise<RecordAck[]> {
    this.sends++
    for (const record of records) {
      const error = this.failure(record)
      if (error !== undefined) throw error
    }
    const acks = new Map<string, RecordAck>()
    for (const record of records) {
      const partition = record.partition ?? 0
      const key = `${record.topic}/${partition}`
      const log = this.logs.get(key) ?? []
      this.logs.set(key, log)
      if (!acks.has(key)) acks.set(key, { topic: record.topic, partition, offset: BigInt(log.length) })
      log.push(record)
    }
    return [...acks.values()]
  }

  async flush(): Promise<void> {}

  values(topic: string, partition = 0): string[] {
    return (this.logs.get(`${topic}/${partition}`) ?? []).map((r) => r.value?.toString() ?? '')
  }
}

const record = (topic: string, value: string, partition?: number): OutgoingRecord => ({
  topic,
  key: Buffer.from('k'),
  value: Buffer.from(value),
  ...(partition === undefined ? {} : { partition }),
})

describe('ProductionErrorSink', () => {
  it('passes sends through while the cluster accepts them', async () => {
    const cluster = new FakeCluster(10)
    const sink = new ProductionErrorSink(cluster)
    expect(await sink.send([record('out', 'a'), record('out', 'b')])).toEqual([{ topic: 'out', partition: 0, offset: 0n }])
    expect(cluster.sends).toBe(1)
    expect(sink.dropped()).toBe(0)
  })

  it('drops and reports records the cluster rejects for good, and sends the others', async () => {
    const cluster = new FakeCluster(5)
    const dropped: string[] = []
    const sink = new ProductionErrorSink(cluster, (r, error) => dropped.push(`${r.value?.toString()}: ${(error as Error).message}`))
    await sink.send([record('out', 'a'), record('out', 'far too large'), record('out', 'b')])
    expect(cluster.values('out')).toEqual(['a', 'b'])
    expect(sink.dropped()).toBe(1)
    expect(dropped).toEqual(['far too large: Producing failed (MESSAGE_TOO_LARGE)'])
  })

  it('answers with acks from which the collector checkpoints the last changelog offset', async () => {
    const cluster = new FakeCluster(5)
    const collector = new KafkaRecordWriter(new ProductionErrorSink(cluster))
    const changelog = (value: string) => ({ topic: 'app-store-changelog', partition: 2, key: Buffer.from('k'), value: Buffer.from(value), timestamp: 1, headers: {} })
    collector.send(changelog('x'))
    collector.send({ topic: 'out', key: null, value: Buffer.from('oversized!'), timestamp: 1, headers: {} })
    collector.send(changelog('y'))
    collector.send(changelog('z'))
    await collector.flush()
    expect(cluster.values('app-store-changelog', 2)).toEqual(['x', 'y', 'z'])
    expect(collector.lastAckedOffset('app-store-changelog', 2)).toBe(2n)
  })

  it('never drops a changelog record: a store whose changelog misses a write would restore wrong', async () => {
    const sink = new ProductionErrorSink(new FakeCluster(5))
    await expect(sink.send([record('out', 'a'), record('app-store-changelog', 'oversized!', 0)])).rejects.toThrow(/MESSAGE_TOO_LARGE/)
    expect(sink.dropped()).toBe(0)
  })

  it('fails on errors that are not about the record (the cluster is unreachable)', async () => {
    const cluster = new FakeCluster(5, () => brokerError('NOT_LEADER_OR_FOLLOWER'))
    const sink = new ProductionErrorSink(cluster)
    await expect(sink.send([record('out', 'a')])).rejects.toThrow(/NOT_LEADER_OR_FOLLOWER/)
    expect(cluster.sends).toBe(1)
  })
})
