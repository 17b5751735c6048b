import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../../src/broker/index.js'
import { ApiKey } from '../../../src/broker/protocol/api-keys.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import { rowsOf } from '../fixtures/batches.js'
import { RawClient } from '../fixtures/raw-client.js'
import { identity, producerBatchOf, TxnCalls, type ProducerIdentity } from '../fixtures/txn-client.js'

type Rec = Record<string, unknown>

interface BatchedTxn {
  transactionalId: string
  who: ProducerIdentity
  verifyOnly?: boolean
  topics: Array<{ name: string; partitions: number[] }>
}

/** The transaction APIs at their newest versions: KIP-890's error code and batched AddPartitionsToTxn. */
describe('transactions at InitProducerId 5, AddPartitionsToTxn 4-5, Produce 11, TxnOffsetCommit 4, EndTxn 4', () => {
  const open: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close()
  })

  async function start(): Promise<{ c: RawClient; txn: TxnCalls }> {
    const kafka = await EmbeddedKafka.start({ defaultPartitions: 2 })
    const c = await RawClient.connect(kafka.bootstrapServers)
    open.push(() => kafka.close(), () => c.close())
    await c.request(ApiKey.CreateTopics, 7, { topics: [{ name: 'orders', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false })
    return { c, txn: new TxnCalls(c) }
  }

  /** AddPartitionsToTxn v4+: per transaction, per topic, the partition codes. */
  async function addBatched(c: RawClient, version: number, txns: BatchedTxn[]): Promise<Record<string, Record<string, number[]>>> {
    const res = await c.request(ApiKey.AddPartitionsToTxn, version, {
      transactions: txns.map((t) => ({ transactionalId: t.transactionalId, producerId: t.who.producerId, producerEpoch: t.who.producerEpoch, verifyOnly: t.verifyOnly ?? false, topics: t.topics })),
    })
    expect(res.errorCode).toBe(0)
    const out: Record<string, Record<string, number[]>> = {}
    for (const r of res.resultsByTransaction as Rec[]) {
      out[r.transactionalId as string] = Object.fromEntries((r.topicResults as Rec[]).map((t) => [t.name, (t.resultsByPartition as Rec[]).map((p) => p.partitionErrorCode as number)]))
    }
    return out
  }

  it('adds the partitions of several transactions in one request (v4-5) and verifies without adding', async () => {
    const { c, txn } = await start()
    const a = identity(await txn.init('tx-a', { version: 5 }))
    const b = identity(await txn.init('tx-b', { version: 5 }))
    expect(await addBatched(c, 5, [
      { transactionalId: 'tx-a', who: a, topics: [{ name: 'orders', partitions: [0] }] },
      { transactionalId: 'tx-b', who: { ...b, producerEpoch: 3 }, topics: [{ name: 'orders', partitions: [1] }] },
    ])).toEqual({ 'tx-a': { orders: [0] }, 'tx-b': { orders: [ErrorCode.PRODUCER_FENCED] } })

    // Verification (what Kafka's partition leaders ask) reports and adds nothing.
    const verify = { transactionalId: 'tx-a', who: a, verifyOnly: true, topics: [{ name: 'orders', partitions: [0, 1] }] }
    expect(await addBatched(c, 4, [verify])).toEqual({ 'tx-a': { orders: [ErrorCode.NONE, ErrorCode.TRANSACTION_ABORTABLE] } })
    expect(await addBatched(c, 4, [verify])).toEqual({ 'tx-a': { orders: [ErrorCode.NONE, ErrorCode.TRANSACTION_ABORTABLE] } })
    expect(await addBatched(c, 5, [{ ...verify, who: { ...a, producerEpoch: 9 } }])).toEqual({ 'tx-a': { orders: [ErrorCode.PRODUCER_FENCED, ErrorCode.PRODUCER_FENCED] } })
    expect(await addBatched(c, 5, [{ ...verify, transactionalId: 'nobody' }])).toEqual({ nobody: { orders: [ErrorCode.INVALID_PRODUCER_ID_MAPPING, ErrorCode.INVALID_PRODUCER_ID_MAPPING] } })
    // An unknown partition fails the whole transaction's request, as in v0-3.
    expect(await addBatched(c, 5, [{ transactionalId: 'tx-a', who: a, topics: [{ name: 'orders', partitions: [1, 9] }] }])).toEqual({
      'tx-a': { orders: [ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION] },
    })
    expect(await addBatched(c, 5, [{ ...verify, verifyOnly: false }])).toEqual({ 'tx-a': { orders: [0, 0] } })
    expect(await addBatched(c, 5, [verify])).toEqual({ 'tx-a': { orders: [0, 0] } })
  })

  it('answers transactional data outside the transaction TRANSACTION_ABORTABLE from Produce v11, INVALID_TXN_STATE before', async () => {
    const { c, txn } = await start()
    const who = identity(await txn.init('tx-p', { version: 5 }))
    const batch = (seq: number): Buffer => producerBatchOf([{ key: 'k', value: String(seq) }], who, seq)
    expect((await txn.produce('orders', 0, batch(0), 11)).errorCode).toBe(ErrorCode.TRANSACTION_ABORTABLE)
    expect((await txn.produce('orders', 0, batch(0), 10)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE)
    expect(await addBatched(c, 5, [{ transactionalId: 'tx-p', who, topics: [{ name: 'orders', partitions: [0] }] }])).toEqual({ 'tx-p': { orders: [0] } })
    expect(await txn.produce('orders', 0, batch(0), 11)).toMatchObject({ errorCode: 0, baseOffset: 0n })
    expect((await txn.produce('orders', 1, batch(0), 11)).errorCode).toBe(ErrorCode.TRANSACTION_ABORTABLE)
    // A fenced producer is still told INVALID_PRODUCER_EPOCH.
    expect((await txn.produce('orders', 0, producerBatchOf([{ key: 'k', value: 'z' }], { ...who, producerEpoch: who.producerEpoch - 1 }, 0), 11)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
  })

  it('answers offsets of a group outside the transaction TRANSACTION_ABORTABLE from TxnOffsetCommit v4, and commits at EndTxn v4', async () => {
    const { txn } = await start()
    const who = identity(await txn.init('tx-o', { version: 5 }))
    expect(await txn.addPartitions('tx-o', who, 'orders', [0])).toEqual([0])
    expect(await txn.txnOffsetCommit('tx-o', who, 'dispatch', 'orders', 0, 4n, 4)).toBe(ErrorCode.TRANSACTION_ABORTABLE)
    expect(await txn.txnOffsetCommit('tx-o', who, 'dispatch', 'orders', 0, 4n, 3)).toBe(ErrorCode.INVALID_TXN_STATE)
    expect(await txn.addOffsets('tx-o', who, 'dispatch', 4)).toBe(0)
    expect(await txn.txnOffsetCommit('tx-o', who, 'dispatch', 'orders', 0, 4n, 4)).toBe(0)
    expect(await txn.produce('orders', 0, producerBatchOf([{ key: 'k', value: 'kept' }], who, 0), 11)).toMatchObject({ errorCode: 0 })
    expect(await txn.endTxn('tx-o', { ...who, producerEpoch: 7 }, true, 4)).toBe(ErrorCode.PRODUCER_FENCED)
    expect(await txn.endTxn('tx-o', who, true, 4)).toBe(0)
    expect(await txn.committedOffset('dispatch', 'orders', 0, true)).toEqual({ offset: 4n, errorCode: 0 })
    const fetched = await txn.fetch('orders', 0, 0n, 1)
    expect(rowsOf(fetched.records as Buffer).filter((r) => r[1] === 'k')).toEqual([[0n, 'k', 'kept']])
  })
})
