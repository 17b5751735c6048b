import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka, LOG_SYNC_CHANNEL, isBrokerError, type EmbeddedKafkaOptions } from '../../src/broker/index.js'
import { ApiKey } from '../../src/broker/protocol/api-keys.js'
import { ErrorCode } from '../../src/broker/protocol/error-codes.js'
import { batchOf, rowsOf } from './fixtures/batches.js'
import { startBrokerChild, stopBrokerChild } from './fixtures/broker-child.js'
import { compileBroker } from './fixtures/compile-broker.js'
import { watchLogSyncs } from './fixtures/log-syncs.js'
import { RawClient } from './fixtures/raw-client.js'
import { TxnCalls, producerBatchOf, type ProducerIdentity } from './fixtures/txn-client.js'
import { waitFor } from './fixtures/wait-for.js'

type Rec = Record<string, unknown>

const KAFKA_NEVER = '9223372036854775807'

describe('broker durability: fsync, flushMessages, flushMs', () => {
  const cleanup: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  async function start(options: EmbeddedKafkaOptions = {}) {
    const kafka = await EmbeddedKafka.start({ defaultPartitions: 1, ...options })
    cleanup.push(() => kafka.close())
    const syncs = watchLogSyncs(kafka.dataDir)
    cleanup.push(() => syncs.stop())
    const client = await RawClient.connect(kafka.bootstrapServers)
    cleanup.push(() => client.close())
    return { kafka, syncs, client, txn: new TxnCalls(client) }
  }

  const produce = async (client: RawClient, topic: string, records: Buffer, acks = -1): Promise<Rec> => {
    const res = await client.request(ApiKey.Produce, 7, { acks, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] })
    return ((res.responses as Rec[])[0].partitionResponses as Rec[])[0]
  }

  /** A standalone commit (generation -1, no member), as admin tools send it. */
  const commitOffset = async (client: RawClient, groupId: string, topic: string, offset: bigint): Promise<number> => {
    const res = await client.request(ApiKey.OffsetCommit, 2, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      retentionTimeMs: -1n,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: offset, committedMetadata: null }] }],
    })
    return ((res.topics as Rec[])[0].partitions as Rec[])[0].errorCode as number
  }

  /** A committed transaction of one record to partition 0 of `topic`, with its offsets for `groupId`. */
  const commitTransaction = async (txn: TxnCalls, topic: string, groupId: string): Promise<number> => {
    const init = await txn.init('ledger-tx')
    const who: ProducerIdentity = { producerId: init.producerId as bigint, producerEpoch: init.producerEpoch as number }
    expect(await txn.addPartitions('ledger-tx', who, topic, [0])).toEqual([ErrorCode.NONE])
    expect((await txn.produce(topic, 0, producerBatchOf([{ key: 'tx', value: '1' }], who, 0))).errorCode).toBe(ErrorCode.NONE)
    expect(await txn.addOffsets('ledger-tx', who, groupId)).toBe(ErrorCode.NONE)
    expect(await txn.txnOffsetCommit('ledger-tx', who, groupId, topic, 0, 1n)).toBe(ErrorCode.NONE)
    return txn.endTxn('ledger-tx', who, true)
  }

  const createTopic = async (client: RawClient, name: string, configs: Array<{ name: string; value: string }>): Promise<Rec> => {
    const res = await client.request(ApiKey.CreateTopics, 7, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs }], timeoutMs: 1000, validateOnly: false })
    return (res.topics as Rec[])[0]
  }

  const describeFlushConfigs = async (client: RawClient, topic: string): Promise<unknown[]> => {
    const res = await client.request(ApiKey.DescribeConfigs, 4, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['flush.messages', 'flush.ms'] }], includeSynonyms: false, includeDocumentation: false })
    return ((res.results as Rec[])[0].configs as Rec[]).map((c) => [c.name, c.value, c.configSource])
  }

  it('answers acks=-1 produces, offset commits and transactions without an fdatasync by default, and syncs them all on close', async () => {
    const { kafka, syncs, client, txn } = await start()
    expect(kafka.durability).toEqual({ fsync: 'interval', flushMessages: Infinity, flushMs: Infinity })
    for (let i = 0; i < 5; i++) expect((await produce(client, 'rides', batchOf([{ key: `r${i}`, value: 'x' }]))).errorCode).toBe(ErrorCode.NONE)
    expect(await commitOffset(client, 'billing', 'rides', 3n)).toBe(ErrorCode.NONE)
    expect(await commitTransaction(txn, 'rides', 'billing')).toBe(ErrorCode.NONE)
    expect(syncs.paths).toEqual([])
    expect(await describeFlushConfigs(client, 'rides')).toEqual([
      ['flush.messages', KAFKA_NEVER, 5],
      ['flush.ms', KAFKA_NEVER, 5],
    ])

    await kafka.close()
    expect(syncs.of('rides-0')).toBeGreaterThan(0)
    expect(syncs.of('coordinator.log')).toBeGreaterThan(0)
    expect(syncs.of('transactions.log')).toBeGreaterThan(0)
  })

  it("with fsync 'always', syncs before answering an acks=-1 produce, an offset commit and a transaction's end", async () => {
    const { kafka, syncs, client, txn } = await start({ fsync: 'always' })
    expect(kafka.durability.fsync).toBe('always')
    expect((await produce(client, 'rides', batchOf([{ key: 'r', value: 'x' }]), 1)).errorCode).toBe(ErrorCode.NONE)
    expect(syncs.of('rides-0')).toBe(0) // acks=1 is answered once written, as in Kafka
    expect((await produce(client, 'rides', batchOf([{ key: 'r', value: 'y' }]))).errorCode).toBe(ErrorCode.NONE)
    expect(syncs.of('rides-0')).toBe(1)

    expect(await commitOffset(client, 'billing', 'rides', 1n)).toBe(ErrorCode.NONE)
    expect(syncs.of('coordinator.log')).toBe(1)

    const partitionSyncs = syncs.of('rides-0')
    expect(await commitTransaction(txn, 'rides', 'billing')).toBe(ErrorCode.NONE)
    expect(syncs.of('rides-0')).toBeGreaterThan(partitionSyncs + 1) // the transactional record (acks=-1), then the marker
    expect(syncs.of('transactions.log')).toBeGreaterThan(0)
  })

  it('with flushMessages, syncs a partition once that many messages were appended; a topic overrides it with flush.messages', async () => {
    const { syncs, client } = await start({ flushMessages: 3 })
    for (let i = 0; i < 2; i++) await produce(client, 'rides', batchOf([{ key: `r${i}`, value: 'x' }]), 1)
    expect(syncs.of('rides-0')).toBe(0)
    await produce(client, 'rides', batchOf([{ key: 'r2', value: 'x' }]), 1)
    expect(syncs.of('rides-0')).toBe(1) // answered after the sync its append made due, as Kafka
    expect(await describeFlushConfigs(client, 'rides')).toEqual([
      ['flush.messages', '3', 4], // STATIC_BROKER_CONFIG: set by the broker's options
      ['flush.ms', KAFKA_NEVER, 5],
    ])

    expect(await createTopic(client, 'payments', [{ name: 'flush.messages', value: '1' }])).toMatchObject({ errorCode: ErrorCode.NONE })
    await produce(client, 'payments', batchOf([{ key: 'p0', value: 'x' }]), 1)
    await produce(client, 'payments', batchOf([{ key: 'p1', value: 'x' }]), 1)
    expect(syncs.of('payments-0')).toBe(2)
    expect(await describeFlushConfigs(client, 'payments')).toEqual([
      ['flush.messages', '1', 1],
      ['flush.ms', KAFKA_NEVER, 5],
    ])

    expect(await createTopic(client, 'bad-count', [{ name: 'flush.messages', value: '0' }])).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Invalid value 0 for configuration flush.messages: Value must be at least 1.' })
    expect(await createTopic(client, 'bad-time', [{ name: 'flush.ms', value: '-1' }])).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG })
  })

  it('with flushMs, syncs logs holding unsynced messages once the interval passed; by default they stay unsynced', async () => {
    const quiet = await start()
    await produce(quiet.client, 'rides', batchOf([{ key: 'r', value: 'x' }]))
    expect(await commitOffset(quiet.client, 'billing', 'rides', 1n)).toBe(ErrorCode.NONE)

    const timed = await start({ flushMs: 20 })
    await produce(timed.client, 'rides', batchOf([{ key: 'r', value: 'x' }]))
    expect(await commitOffset(timed.client, 'billing', 'rides', 1n)).toBe(ErrorCode.NONE)
    await waitFor('the partition log synced by flush.ms', () => timed.syncs.of('rides-0') === 1)
    await waitFor('the offsets log synced by flush.ms', () => timed.syncs.of('coordinator.log') === 1)
    expect(await describeFlushConfigs(timed.client, 'rides')).toEqual([
      ['flush.messages', KAFKA_NEVER, 5],
      ['flush.ms', '20', 4],
    ])

    expect(quiet.syncs.paths).toEqual([]) // the same wait, with the default
  })

  it('refuses bad durability options with a BrokerError naming the option', async () => {
    const cases: Array<[EmbeddedKafkaOptions, RegExp]> = [
      [{ fsync: 'sometimes' as never }, /fsync must be 'always' or 'interval', got "sometimes"/],
      [{ flushMessages: 0 }, /flushMessages must be an integer >= 1/],
      [{ flushMessages: 2.5 }, /flushMessages must be an integer >= 1/],
      [{ flushMs: -1 }, /flushMs must be an integer >= 0/],
    ]
    for (const [options, message] of cases) {
      const error = await EmbeddedKafka.start(options).catch((e: unknown) => e)
      expect(isBrokerError(error)).toBe(true)
      expect(String(error)).toMatch(message)
    }
  })

  it('answers acks=-1 without an fdatasync by default, and a SIGKILLed broker process still has every acknowledged record', async () => {
    const work = mkdtempSync(join(tmpdir(), 'tributary-durability-'))
    cleanup.push(() => rmSync(work, { recursive: true, force: true }))
    const entry = compileBroker(join(work, 'broker'))
    const script = join(work, 'main.mjs')
    // The broker with its defaults, printing every log sync it makes.
    writeFileSync(script, `
import diagnostics from 'node:diagnostics_channel'
import { EmbeddedKafka } from ${JSON.stringify(entry)}
diagnostics.subscribe(${JSON.stringify(LOG_SYNC_CHANNEL)}, ({ path }) => process.stdout.write('SYNC ' + path + '\\n'))
const kafka = await EmbeddedKafka.start({ dataDir: process.argv[2], port: Number(process.argv[3] ?? 0), defaultPartitions: 1 })
process.stdout.write('LISTENING ' + kafka.bootstrapServers + '\\n')
`)
    const dataDir = join(work, 'data')

    const first = await startBrokerChild(script, dataDir)
    cleanup.push(() => stopBrokerChild(first.child))
    let output = ''
    first.child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
    const client = await RawClient.connect(first.bootstrap)
    const acked: string[] = []
    for (let i = 0; i < 20; i++) {
      const records = Array.from({ length: 10 }, (_, j) => ({ key: `p${i * 10 + j}`, value: `amount-${i * 10 + j}` }))
      expect((await produce(client, 'payments', batchOf(records))).errorCode).toBe(ErrorCode.NONE)
      acked.push(...records.map((r) => r.key))
    }
    client.close()
    await stopBrokerChild(first.child) // SIGKILL: no clean close, no sync on the way out
    expect(output).not.toContain('SYNC')

    const second = await startBrokerChild(script, dataDir)
    cleanup.push(() => stopBrokerChild(second.child))
    const reader = await RawClient.connect(second.bootstrap)
    cleanup.push(() => reader.close())
    const res = await reader.request(ApiKey.Fetch, 12, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'payments', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    })
    const partition = ((res.responses as Rec[])[0].partitions as Rec[])[0]
    expect(partition.errorCode).toBe(ErrorCode.NONE)
    expect(rowsOf(partition.records as Buffer).map((r) => r[1])).toEqual(acked)
  })
})
