import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../../src/broker/index.js'
import { ApiKey } from '../../../src/broker/protocol/api-keys.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import { batchOf } from '../fixtures/batches.js'
import { RawClient } from '../fixtures/raw-client.js'

type Rec = Record<string, unknown>

const MAX_TIMESTAMP = -3n
const EARLIEST_LOCAL = -4n
const LATEST_TIERED = -5n

describe('ListOffsets v6-9', () => {
  let kafka: EmbeddedKafka
  let c: RawClient

  beforeEach(async () => {
    kafka = await EmbeddedKafka.start({ defaultPartitions: 1 })
    c = await RawClient.connect(kafka.bootstrapServers)
  })

  afterEach(async () => {
    c.close()
    await kafka.close()
  })

  const produce = (records: Buffer): Promise<Rec> =>
    c.request(ApiKey.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'clock', partitionData: [{ index: 0, records }] }] })

  const list = async (version: number, timestamp: bigint, currentLeaderEpoch = -1): Promise<Rec[]> => {
    const partitions = [{ partitionIndex: 0, currentLeaderEpoch, timestamp }]
    const res = await c.request(ApiKey.ListOffsets, version, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'clock', partitions }] })
    return (res.topics as Rec[])[0].partitions as Rec[]
  }

  it('finds the first record with the largest timestamp (v7+), the local log start (v8+) and no tiered offset (v9+)', async () => {
    await produce(batchOf([{ key: 'a', value: '1', timestamp: 1000n }]))
    await produce(batchOf([{ key: 'b', value: '2', timestamp: 5000n }, { key: 'c', value: '3', timestamp: 9000n }, { key: 'd', value: '4', timestamp: 9000n }]))
    await produce(batchOf([{ key: 'e', value: '5', timestamp: 2000n }]))
    expect((await list(9, MAX_TIMESTAMP))[0]).toMatchObject({ errorCode: 0, offset: 2n, timestamp: 9000n, leaderEpoch: 0 })
    expect((await list(9, EARLIEST_LOCAL))[0]).toMatchObject({ errorCode: 0, offset: 0n })
    expect((await list(9, LATEST_TIERED))[0]).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n, leaderEpoch: -1 })
    await c.request(ApiKey.DeleteRecords, 2, { topics: [{ name: 'clock', partitions: [{ partitionIndex: 0, offset: 1n }] }], timeoutMs: 1000 })
    expect((await list(8, EARLIEST_LOCAL))[0]).toMatchObject({ errorCode: 0, offset: 1n })
    expect((await list(9, -1n))[0]).toMatchObject({ errorCode: 0, offset: 5n, leaderEpoch: 0 })
    expect((await list(6, 1500n))[0]).toMatchObject({ errorCode: 0, offset: 1n, timestamp: 5000n })
  })

  it('refuses a special timestamp older than the version that introduced it, as Kafka does', async () => {
    await produce(batchOf([{ key: 'a', value: '1', timestamp: 1000n }]))
    expect((await list(6, MAX_TIMESTAMP))[0].errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION)
    expect((await list(7, EARLIEST_LOCAL))[0].errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION)
    expect((await list(8, LATEST_TIERED))[0].errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION)
    expect((await list(9, -6n))[0].errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION)
  })

  it('answers nothing on an empty log for MAX_TIMESTAMP, and checks the leader epoch (v4+)', async () => {
    await c.request(ApiKey.CreateTopics, 7, { topics: [{ name: 'clock', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false })
    expect((await list(7, MAX_TIMESTAMP))[0]).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n })
    expect((await list(7, -2n))[0]).toMatchObject({ errorCode: 0, offset: 0n })
    expect((await list(4, -1n, 0))[0].errorCode).toBe(0)
    expect((await list(4, -1n, 2))[0].errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH)
  })

  it('refuses a partition asked for twice in one request', async () => {
    await produce(batchOf([{ key: 'a', value: '1' }]))
    const res = await c.request(ApiKey.ListOffsets, 9, {
      replicaId: -1, isolationLevel: 0,
      topics: [{ name: 'clock', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }, { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }],
    })
    expect(((res.topics as Rec[])[0].partitions as Rec[]).map((p) => p.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST])
  })
})
