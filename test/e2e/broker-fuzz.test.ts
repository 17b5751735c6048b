import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { ApiKey, supportedApis } from '../../src/broker/protocol/api-keys.js'
import { Writer } from '../../src/broker/protocol/primitives.js'
import { codecFor } from '../../src/broker/protocol/schema-codec.js'
import { batchOf, rowsOf } from '../broker/fixtures/batches.js'
import { RawClient } from '../broker/fixtures/raw-client.js'

/** Small deterministic PRNG (mulberry32) so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Valid request frames of several APIs, as seeds to truncate and corrupt. */
function seedFrames(): Buffer[] {
  const frame = (apiKey: number, version: number, body: Record<string, unknown>): Buffer => {
    const spec = supportedApis.find((a) => a.key === apiKey)
    if (spec === undefined) throw new Error(`no api ${apiKey}`)
    const codec = codecFor(`${spec.name}Request`)
    const w = new Writer()
    w.int32(0).int16(apiKey).int16(version).int32(1).string('fuzz', false)
    if (codec.isFlexible(version)) w.uvarint(0)
    codec.encode(w, version, body)
    const out = w.toBuffer()
    out.writeInt32BE(out.length - 4, 0)
    return out
  }
  return [
    frame(ApiKey.ApiVersions, 3, { clientSoftwareName: 'f', clientSoftwareVersion: '1' }),
    frame(ApiKey.Metadata, 9, { topics: [{ name: 'fuzzed' }], allowAutoTopicCreation: true }),
    frame(ApiKey.Produce, 7, { acks: 1, timeoutMs: 100, topicData: [{ name: 'fuzzed', partitionData: [{ index: 0, records: batchOf([{ key: 'k', value: 'v' }]) }] }] }),
    frame(ApiKey.Fetch, 12, { maxWaitMs: 0, minBytes: 0, maxBytes: 1000, topics: [{ topic: 'fuzzed', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1000 }] }] }),
    frame(ApiKey.CreateTopics, 7, { topics: [{ name: 'fz', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 100 }),
    frame(ApiKey.ListOffsets, 5, { replicaId: -1, topics: [{ name: 'fuzzed', partitions: [{ partitionIndex: 0, timestamp: -1n }] }] }),
    frame(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['g'] }),
    frame(ApiKey.Heartbeat, 4, { groupId: 'g', generationId: 1, memberId: 'm' }),
    frame(ApiKey.InitProducerId, 4, { transactionalId: 'tx', transactionTimeoutMs: 1000, producerId: -1n, producerEpoch: -1 }),
    frame(ApiKey.AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: 'tx', v3AndBelowProducerId: 1n, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [{ name: 'fuzzed', partitions: [0] }] }),
    frame(ApiKey.AddOffsetsToTxn, 3, { transactionalId: 'tx', producerId: 1n, producerEpoch: 0, groupId: 'g' }),
    frame(ApiKey.TxnOffsetCommit, 3, { transactionalId: 'tx', groupId: 'g', producerId: 1n, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'fuzzed', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }] }),
    frame(ApiKey.EndTxn, 3, { transactionalId: 'tx', producerId: 1n, producerEpoch: 0, committed: true }),
    frame(ApiKey.Fetch, 12, { maxWaitMs: 0, minBytes: 0, maxBytes: 1000, isolationLevel: 1, topics: [{ topic: 'fuzzed', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1000 }] }] }),
  ]
}

function mutate(seed: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(seed)
  switch (Math.floor(rand() * 4)) {
    case 0: // truncate the body but keep the declared size consistent
      return fixSize(out.subarray(0, 4 + Math.floor(rand() * (out.length - 4))))
    case 1: // flip bytes after the size
      for (let i = 0; i < 1 + rand() * 6; i++) out[4 + Math.floor(rand() * (out.length - 4))] ^= 1 + Math.floor(rand() * 255)
      return out
    case 2: // random garbage with a plausible size
      return fixSize(Buffer.concat([Buffer.alloc(4), Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)))]))
    default: // declared size disagrees with the bytes sent
      out.writeInt32BE(Math.floor(rand() * 0x7fffffff) - 0x3fffffff, 0)
      return out
  }
}

function fixSize(frame: Buffer): Buffer {
  frame.writeInt32BE(frame.length - 4, 0)
  return frame
}

/** Sends one frame on a fresh connection and gives the broker a moment to answer or hang up. */
function throwFrame(bootstrap: string, frame: Buffer): Promise<void> {
  const [host, port] = bootstrap.split(':')
  return new Promise((resolve) => {
    const socket = connect(Number(port), host, () => socket.write(frame))
    const done = (): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve()
    }
    const timer = setTimeout(done, 20)
    socket.on('close', done)
    socket.on('error', done)
  })
}

describe('fuzzing the broker with malformed frames', () => {
  let kafka: EmbeddedKafka
  let wellBehaved: RawClient

  beforeAll(async () => {
    kafka = await EmbeddedKafka.start({ defaultPartitions: 1, maxFrameBytes: 1 << 20 })
    wellBehaved = await RawClient.connect(kafka.bootstrapServers)
  })

  afterAll(async () => {
    wellBehaved.close()
    await kafka.close()
  })

  it('survives random, truncated and corrupted frames and keeps serving a good client', async () => {
    const rand = prng(20261121)
    const seeds = seedFrames()
    for (let i = 0; i < 300; i++) {
      const seed = seeds[Math.floor(rand() * seeds.length)]
      await throwFrame(kafka.bootstrapServers, mutate(seed, rand))
      if (i % 50 === 49) {
        const res = await wellBehaved.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'ok', clientSoftwareVersion: '1' })
        expect(res.errorCode).toBe(0)
      }
    }
    const produced = await wellBehaved.request(ApiKey.Produce, 7, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'after-fuzz', partitionData: [{ index: 0, records: batchOf([{ key: 'still', value: 'alive' }]) }] }] })
    expect((((produced.responses as Array<Record<string, unknown>>)[0].partitionResponses as Array<Record<string, unknown>>)[0]).errorCode).toBe(0)
    const fetched = await wellBehaved.request(ApiKey.Fetch, 12, { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, topics: [{ topic: 'after-fuzz', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }] })
    const partition = ((fetched.responses as Array<Record<string, unknown>>)[0].partitions as Array<Record<string, unknown>>)[0]
    expect(rowsOf(partition.records as Buffer)).toEqual([[0n, 'still', 'alive']])
  })
})
