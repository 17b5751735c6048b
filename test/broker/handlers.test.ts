import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { ApiKey } from '../../src/broker/protocol/api-keys.js'
import { ErrorCode } from '../../src/broker/protocol/error-codes.js'
import { batchOf, rowsOf } from './fixtures/batches.js'
import { RawClient } from './fixtures/raw-client.js'

type Rec = Record<string, unknown>

describe('broker request handlers', () => {
  let kafka: EmbeddedKafka
  let c: RawClient

  beforeEach(async () => {
    kafka = await EmbeddedKafka.start({ defaultPartitions: 2 })
    c = await RawClient.connect(kafka.bootstrapServers)
  })

  afterEach(async () => {
    c.close()
    await kafka.close()
  })

  const createTopic = (name: string, numPartitions: number, configs: Array<{ name: string; value: string }> = [], replicationFactor = 1) =>
    c.request(ApiKey.CreateTopics, 7, { topics: [{ name, numPartitions, replicationFactor, assignments: [], configs }], timeoutMs: 1000, validateOnly: false })

  const produce = async (topic: string, partition: number, records: Buffer, acks = -1): Promise<Rec> => {
    const res = await c.request(ApiKey.Produce, 7, { acks, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] })
    return ((res.responses as Rec[])[0].partitionResponses as Rec[])[0]
  }

  const fetch = async (client: RawClient, topic: string, partition: number, offset: bigint, opts: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; partitionMaxBytes?: number } = {}): Promise<Rec> => {
    const res = await client.request(ApiKey.Fetch, 12, {
      replicaId: -1,
      maxWaitMs: opts.maxWaitMs ?? 0,
      minBytes: opts.minBytes ?? 0,
      maxBytes: opts.maxBytes ?? 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: opts.partitionMaxBytes ?? 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: '',
    })
    expect(res.sessionId).toBe(0)
    return ((res.responses as Rec[])[0].partitions as Rec[])[0]
  }

  it('creates topics and reports Kafka errors for duplicates, bad replication, bad configs and bad names', async () => {
    const ok = await createTopic('drivers', 3, [{ name: 'cleanup.policy', value: 'compact' }])
    expect((ok.topics as Rec[])[0]).toMatchObject({ name: 'drivers', errorCode: 0, numPartitions: 3, replicationFactor: 1 })
    expect(((await createTopic('drivers', 3)).topics as Rec[])[0].errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS)
    expect(((await createTopic('r3', 1, [], 3)).topics as Rec[])[0].errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR)
    expect(((await createTopic('badcfg', 1, [{ name: 'retention.ms', value: 'soon' }])).topics as Rec[])[0].errorCode).toBe(ErrorCode.INVALID_CONFIG)
    expect(((await createTopic('bad/name', 1)).topics as Rec[])[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION)
    expect(((await createTopic('zero', 0)).topics as Rec[])[0].errorCode).toBe(ErrorCode.INVALID_PARTITIONS)

    const described = await c.request(ApiKey.DescribeConfigs, 2, { resources: [{ resourceType: 2, resourceName: 'drivers', configurationKeys: ['cleanup.policy', 'retention.ms'] }], includeSynonyms: false })
    expect(((described.results as Rec[])[0].configs as Rec[]).map((x) => [x.name, x.value, x.configSource])).toEqual([
      ['cleanup.policy', 'compact', 1],
      ['retention.ms', '604800000', 5],
    ])

    const grown = await c.request(ApiKey.CreatePartitions, 3, { topics: [{ name: 'drivers', count: 5, assignments: null }], timeoutMs: 1000, validateOnly: false })
    expect((grown.results as Rec[])[0].errorCode).toBe(0)
    const shrink = await c.request(ApiKey.CreatePartitions, 3, { topics: [{ name: 'drivers', count: 2, assignments: null }], timeoutMs: 1000, validateOnly: false })
    expect((shrink.results as Rec[])[0].errorCode).toBe(ErrorCode.INVALID_PARTITIONS)

    const deleted = await c.request(ApiKey.DeleteTopics, 6, { topics: [{ name: 'drivers' }, { name: 'ghost' }], timeoutMs: 1000 })
    expect((deleted.responses as Rec[]).map((r) => r.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
  })

  it('auto-creates on Metadata unless the request forbids it, and lists all topics for v0 and v1+', async () => {
    const forbidden = await c.request(ApiKey.Metadata, 9, { topics: [{ name: 'quiet' }], allowAutoTopicCreation: false })
    expect((forbidden.topics as Rec[])[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const created = await c.request(ApiKey.Metadata, 9, { topics: [{ name: 'auto' }], allowAutoTopicCreation: true })
    expect((created.topics as Rec[])[0]).toMatchObject({ name: 'auto', errorCode: 0 })
    expect(((created.topics as Rec[])[0].partitions as Rec[]).length).toBe(2)
    const v0 = await c.request(ApiKey.Metadata, 0, { topics: [] })
    expect((v0.topics as Rec[]).map((t) => t.name)).toEqual(['auto'])
    const v1 = await c.request(ApiKey.Metadata, 1, { topics: null })
    expect((v1.topics as Rec[]).map((t) => t.name)).toEqual(['auto'])
  })

  it('assigns offsets on produce, rejects corrupt batches, and serves fetch with limits', async () => {
    await createTopic('rides', 1)
    expect(await produce('rides', 0, batchOf([{ key: 'a', value: '1' }, { key: 'b', value: '2' }]))).toMatchObject({ errorCode: 0, baseOffset: 0n })
    expect(await produce('rides', 0, batchOf([{ key: 'c', value: '3' }]))).toMatchObject({ errorCode: 0, baseOffset: 2n })
    const corrupt = batchOf([{ key: 'x', value: 'y' }])
    corrupt[corrupt.length - 1] ^= 0xff
    expect((await produce('rides', 0, corrupt)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE)
    expect((await produce('rides', 7, batchOf([{ key: 'x', value: 'y' }]))).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)

    const all = await fetch(c, 'rides', 0, 0n)
    expect(all).toMatchObject({ errorCode: 0, highWatermark: 3n, lastStableOffset: 3n, logStartOffset: 0n })
    expect(rowsOf(all.records as Buffer)).toEqual([[0n, 'a', '1'], [1n, 'b', '2'], [2n, 'c', '3']])
    // A limit smaller than one batch still returns that first batch whole (KIP-74), and only it.
    const limited = await fetch(c, 'rides', 0, 0n, { partitionMaxBytes: 10 })
    expect(rowsOf(limited.records as Buffer).map((r) => r[0])).toEqual([0n, 1n])
    expect(rowsOf((await fetch(c, 'rides', 0, 2n)).records as Buffer)).toEqual([[2n, 'c', '3']])
    expect((await fetch(c, 'rides', 0, 3n)).records).toEqual(Buffer.alloc(0))
    expect((await fetch(c, 'rides', 0, 9n)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
  })

  it('wakes a long-polling fetch when a produce arrives', async () => {
    await createTopic('waiting', 1)
    const other = await RawClient.connect(kafka.bootstrapServers)
    try {
      // The wait is longer than this test's timeout: only the produce can end it in time.
      const pending = fetch(other, 'waiting', 0, 0n, { maxWaitMs: 120_000, minBytes: 1 })
      await new Promise((resolve) => setTimeout(resolve, 50))
      await produce('waiting', 0, batchOf([{ key: 'k', value: 'woken' }]))
      expect(rowsOf((await pending).records as Buffer)).toEqual([[0n, 'k', 'woken']])
    } finally {
      other.close()
    }
  }, 20_000)

  it('lists offsets by earliest, latest and timestamp, and moves the log start with DeleteRecords', async () => {
    await createTopic('clock', 1)
    await produce('clock', 0, batchOf([{ key: 'a', value: '1', timestamp: 1000n }]))
    await produce('clock', 0, batchOf([{ key: 'b', value: '2', timestamp: 2000n }]))
    await produce('clock', 0, batchOf([{ key: 'c', value: '3', timestamp: 3000n }]))
    const list = async (timestamp: bigint): Promise<Rec> => {
      const res = await c.request(ApiKey.ListOffsets, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'clock', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }] })
      return ((res.topics as Rec[])[0].partitions as Rec[])[0]
    }
    expect((await list(-2n)).offset).toBe(0n)
    expect((await list(-1n)).offset).toBe(3n)
    expect(await list(1500n)).toMatchObject({ offset: 1n, timestamp: 2000n })
    expect((await list(9999n)).offset).toBe(-1n)
    // Inside one batch the record-level timestamps decide.
    await produce('clock', 0, batchOf([{ key: 'd', value: '4', timestamp: 5000n }, { key: 'e', value: '5', timestamp: 6000n }]))
    expect(await list(5500n)).toMatchObject({ offset: 4n, timestamp: 6000n })

    const deleted = await c.request(ApiKey.DeleteRecords, 2, { topics: [{ name: 'clock', partitions: [{ partitionIndex: 0, offset: 2n }] }], timeoutMs: 1000 })
    expect((((deleted.topics as Rec[])[0].partitions as Rec[])[0])).toMatchObject({ lowWatermark: 2n, errorCode: 0 })
    expect((await list(-2n)).offset).toBe(2n)
    expect((await fetch(c, 'clock', 0, 0n)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    expect(rowsOf((await fetch(c, 'clock', 0, 2n)).records as Buffer)).toEqual([[2n, 'c', '3'], [3n, 'd', '4'], [4n, 'e', '5']])
  })

  it('hands out producer ids and serves FindCoordinator for groups, one key or batched', async () => {
    const a = await c.request(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 1000, producerId: -1n, producerEpoch: -1 })
    const b = await c.request(ApiKey.InitProducerId, 0, { transactionalId: null, transactionTimeoutMs: 1000 })
    expect(a.errorCode).toBe(0)
    expect(b.producerId).not.toBe(a.producerId)
    // Without a transactional id Kafka always hands out a new id, even when one is presented.
    const again = await c.request(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 1000, producerId: a.producerId, producerEpoch: 0 })
    expect(again.errorCode).toBe(0)
    expect(again.producerEpoch).toBe(0)
    expect(again.producerId).not.toBe(a.producerId)
    const half = await c.request(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 1000, producerId: -1n, producerEpoch: 3 })
    expect(half.errorCode).toBe(ErrorCode.INVALID_REQUEST)
    const v0 = await c.request(ApiKey.FindCoordinator, 0, { key: 'g' })
    expect(v0).toMatchObject({ errorCode: 0, nodeId: 0, port: kafka.port })
    const v4 = await c.request(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['g1', 'g2'] })
    expect((v4.coordinators as Rec[]).map((x) => [x.key, x.errorCode])).toEqual([['g1', 0], ['g2', 0]])
  })
})
