import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../../src/broker/index.js'
import { ApiKey } from '../../../src/broker/protocol/api-keys.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import { batchOf, rowsOf } from '../fixtures/batches.js'
import { RawClient } from '../fixtures/raw-client.js'

type Rec = Record<string, unknown>

interface FetchOptions {
  version?: number
  topic?: string
  topicId?: string
  offset?: bigint
  currentLeaderEpoch?: number
  lastFetchedEpoch?: number
  sessionEpoch?: number
  maxWaitMs?: number
  minBytes?: number
}

describe('Fetch v12-17', () => {
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

  const produce = async (topic: string, records: Buffer, version = 11): Promise<Rec> => {
    const res = await c.request(ApiKey.Produce, version, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] })
    return ((res.responses as Rec[])[0].partitionResponses as Rec[])[0]
  }

  const topicId = async (name: string): Promise<string> => {
    const res = await c.request(ApiKey.Metadata, 12, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false })
    return (res.topics as Rec[])[0].topicId as string
  }

  const fetch = (o: FetchOptions, client = c): Promise<Rec> =>
    client.request(ApiKey.Fetch, o.version ?? 17, {
      maxWaitMs: o.maxWaitMs ?? 0,
      minBytes: o.minBytes ?? 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: o.sessionEpoch ?? -1,
      topics: [{
        topic: o.topic,
        topicId: o.topicId,
        partitions: [{ partition: 0, currentLeaderEpoch: o.currentLeaderEpoch ?? -1, fetchOffset: o.offset ?? 0n, lastFetchedEpoch: o.lastFetchedEpoch ?? -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }],
      }],
      forgottenTopicsData: [],
      rackId: '',
    })

  const partitionOf = (res: Rec): Rec => ((res.responses as Rec[])[0].partitions as Rec[])[0]

  it('names topics by id from v13, and an id that is not a live topic is UNKNOWN_TOPIC_ID', async () => {
    expect(await produce('trips', batchOf([{ key: 'a', value: '1' }]))).toMatchObject({ errorCode: 0, baseOffset: 0n })
    const id = await topicId('trips')
    for (const version of [13, 15, 16, 17]) {
      const res = await fetch({ version, topicId: id })
      expect((res.responses as Rec[])[0].topicId).toBe(id)
      expect(rowsOf(partitionOf(res).records as Buffer)).toEqual([[0n, 'a', '1']])
    }
    // Deleted and created again under the same name: a new id, and the old one is unknown.
    await c.request(ApiKey.DeleteTopics, 6, { topics: [{ name: 'trips', topicId: '00000000-0000-0000-0000-000000000000' }], timeoutMs: 1000 })
    await produce('trips', batchOf([{ key: 'b', value: '2' }]))
    const newId = await topicId('trips')
    expect(newId).not.toBe(id)
    const stale = await fetch({ topicId: id })
    expect((stale.responses as Rec[])[0].topicId).toBe(id)
    expect(partitionOf(stale)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, highWatermark: -1n })
    expect(rowsOf(partitionOf(await fetch({ topicId: newId })).records as Buffer)).toEqual([[0n, 'b', '2']])
    // v12 still names topics.
    expect(rowsOf(partitionOf(await fetch({ version: 12, topic: 'trips' })).records as Buffer)).toEqual([[0n, 'b', '2']])
  })

  it('wakes a long poll by topic id when a produce arrives', async () => {
    await produce('waiting', batchOf([{ key: 'k', value: 'first' }]))
    const id = await topicId('waiting')
    const other = await RawClient.connect(kafka.bootstrapServers)
    try {
      const pending = fetch({ topicId: id, offset: 1n, maxWaitMs: 120_000, minBytes: 1 }, other)
      await new Promise((resolve) => setTimeout(resolve, 50))
      await produce('waiting', batchOf([{ key: 'k', value: 'woken' }]))
      expect(rowsOf(partitionOf(await pending).records as Buffer)).toEqual([[1n, 'k', 'woken']])
    } finally {
      other.close()
    }
  }, 20_000)

  it('keeps no fetch sessions: an incremental fetch is FETCH_SESSION_ID_NOT_FOUND, a full one gets session 0', async () => {
    await produce('sessions', batchOf([{ key: 'k', value: 'v' }]))
    const incremental = await fetch({ topic: 'sessions', version: 12, sessionEpoch: 1 })
    expect(incremental).toMatchObject({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] })
    const opening = await fetch({ topic: 'sessions', version: 12, sessionEpoch: 0 })
    expect(opening).toMatchObject({ errorCode: 0, sessionId: 0 })
    expect(rowsOf(partitionOf(opening).records as Buffer)).toEqual([[0n, 'k', 'v']])
  })

  it('checks the leader epoch the client names (KIP-320): the broker has led every partition at epoch 0', async () => {
    await produce('epochs', batchOf([{ key: 'k', value: 'v' }]))
    expect(partitionOf(await fetch({ topic: 'epochs', version: 12, currentLeaderEpoch: 0 })).errorCode).toBe(0)
    expect(partitionOf(await fetch({ topic: 'epochs', version: 12, currentLeaderEpoch: 1 })).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH)
    expect(partitionOf(await fetch({ topic: 'epochs', version: 9, currentLeaderEpoch: 3 })).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH)
  })

  it('answers a last fetched epoch (v12+) as Kafka: a diverging epoch past the log end, out of range for an unknown epoch', async () => {
    await produce('diverge', batchOf([{ key: 'a', value: '1' }, { key: 'b', value: '2' }]))
    const inRange = partitionOf(await fetch({ topic: 'diverge', version: 12, offset: 1n, lastFetchedEpoch: 0 }))
    expect(rowsOf(inRange.records as Buffer).map((r) => r[0])).toEqual([0n, 1n])
    expect(inRange.divergingEpoch).toBeUndefined()
    // The client read up to offset 5 in epoch 0, but epoch 0 ends at 2 here: it must truncate.
    const past = partitionOf(await fetch({ topic: 'diverge', version: 12, offset: 5n, lastFetchedEpoch: 0 }))
    expect(past).toMatchObject({ errorCode: 0, highWatermark: 2n, divergingEpoch: { epoch: 0, endOffset: 2n } })
    expect(past.records).toEqual(Buffer.alloc(0))
    expect(partitionOf(await fetch({ topic: 'diverge', version: 12, offset: 1n, lastFetchedEpoch: 4 })).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    // Without a last fetched epoch an offset past the end is out of range, as before v12.
    expect(partitionOf(await fetch({ topic: 'diverge', version: 12, offset: 5n })).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
  })

  it('stamps the leader epoch into every appended batch, as Kafka does', async () => {
    const batch = batchOf([{ key: 'k', value: 'v' }])
    batch.writeInt32BE(7, 12) // whatever the producer wrote; it is outside the CRC
    expect((await produce('stamped', batch)).errorCode).toBe(0)
    const records = partitionOf(await fetch({ topic: 'stamped', version: 12 })).records as Buffer
    expect(records.readInt32BE(12)).toBe(0)
    expect(rowsOf(records)).toEqual([[0n, 'k', 'v']])
  })
})
