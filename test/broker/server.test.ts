import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { ApiKey, supportedApis } from '../../src/broker/protocol/api-keys.js'
import { ErrorCode } from '../../src/broker/protocol/error-codes.js'
import { Reader } from '../../src/broker/protocol/primitives.js'
import { batchOf } from './fixtures/batches.js'
import { RawClient } from './fixtures/raw-client.js'

describe('broker connection handling', () => {
  let kafka: EmbeddedKafka
  const clients: RawClient[] = []
  const client = async (): Promise<RawClient> => {
    const c = await RawClient.connect(kafka.bootstrapServers)
    clients.push(c)
    return c
  }

  beforeEach(async () => {
    kafka = await EmbeddedKafka.start({ maxFrameBytes: 64 * 1024 })
  })

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    await kafka.close()
  })

  it('answers ApiVersions v0-v4 with the advertised ranges', async () => {
    const c = await client()
    for (const version of [0, 1, 2, 3, 4]) {
      const res = await c.request(ApiKey.ApiVersions, version, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' })
      expect(res.errorCode).toBe(0)
      const keys = res.apiKeys as Array<{ apiKey: number; minVersion: number; maxVersion: number }>
      // librdkafka needs both minimums at 0 for consumer groups and idempotence.
      expect(keys.find((k) => k.apiKey === ApiKey.FindCoordinator)).toMatchObject({ minVersion: 0, maxVersion: 6 })
      expect(keys.find((k) => k.apiKey === ApiKey.InitProducerId)).toMatchObject({ minVersion: 0, maxVersion: 5 })
      expect(keys.find((k) => k.apiKey === ApiKey.Fetch)).toMatchObject({ minVersion: 4, maxVersion: 17 })
      expect(keys.find((k) => k.apiKey === ApiKey.Produce)).toMatchObject({ minVersion: 3, maxVersion: 11 })
    }
  })

  it('answers an unknown ApiVersions version in the v0 format with UNSUPPORTED_VERSION', async () => {
    const c = await client()
    const frame = Buffer.alloc(4 + 14)
    frame.writeInt32BE(14, 0)
    frame.writeInt16BE(ApiKey.ApiVersions, 4)
    frame.writeInt16BE(77, 6)
    frame.writeInt32BE(5, 8)
    frame.writeInt16BE(2, 12)
    frame.write('xy', 14)
    frame.writeInt16BE(0, 16) // junk body of a version the broker cannot know
    const response = c.nextFrame()
    c.writeRaw(frame)
    const r = new Reader(await response)
    expect(r.int32()).toBe(5)
    expect(r.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION)
    expect(r.int32()).toBe(supportedApis.length)
    expect([r.int16(), r.int16(), r.int16()]).toEqual([supportedApis[0].key, supportedApis[0].minVersion, supportedApis[0].maxVersion])
  })

  it('closes the connection on an unknown api key, an unsupported version and oversized or negative frames, and keeps serving others', async () => {
    const healthy = await client()
    const frames = [
      Buffer.from([0, 0, 0, 10, 0, 99, 0, 0, 0, 0, 0, 1, 0xff, 0xff]), // api key 99
      Buffer.from([0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xff]), // Produce v1
      Buffer.from([0, 1, 0, 1]), // 65537 bytes > 64 KiB limit
      Buffer.from([0xff, 0xff, 0xff, 0xfe]), // negative size
      Buffer.from([0, 0, 0, 3, 0, 18, 0]), // header cut short
    ]
    for (const frame of frames) {
      const bad = await client()
      bad.writeRaw(frame)
      await bad.whenClosed()
    }
    const res = await healthy.request(ApiKey.Metadata, 9, { topics: [], allowAutoTopicCreation: false })
    expect(res.brokers).toHaveLength(1)
  })

  it('sends no response to acks=0 produce and answers later requests in order', async () => {
    const c = await client()
    await c.request(ApiKey.CreateTopics, 7, { topics: [{ name: 'fire', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 })
    const fireAndForget = { acks: 0, timeoutMs: 1000, topicData: [{ name: 'fire', partitionData: [{ index: 0, records: batchOf([{ key: 'a', value: '1' }]) }] }] }
    c.send(ApiKey.Produce, 7, fireAndForget)
    c.send(ApiKey.Produce, 7, fireAndForget)
    // Had the broker answered a produce, this would read that frame and fail on the correlation id.
    const listed = await c.request(ApiKey.ListOffsets, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'fire', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }] })
    expect(listed.topics).toMatchObject([{ name: 'fire', partitions: [{ partitionIndex: 0, errorCode: 0, offset: 2n }] }])
    // As in Kafka, refused acks=0 records close the connection: the producer's only signal.
    c.send(ApiKey.Produce, 7, { ...fireAndForget, topicData: [{ name: 'fire', partitionData: [{ index: 5, records: batchOf([{ key: 'a', value: '1' }]) }] }] })
    await c.whenClosed()
  })
})
