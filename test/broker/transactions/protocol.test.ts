import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../../src/broker/index.js'
import { ApiKey } from '../../../src/broker/protocol/api-keys.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import { encodeMarker } from '../../../src/broker/log/control-batch.js'
import { silentLogger } from '../../../src/broker/logger.js'
import { TxnStore } from '../../../src/broker/transactions/txn-store.js'
import { batchOf } from '../fixtures/batches.js'
import { RawClient } from '../fixtures/raw-client.js'
import { identity, producerBatchOf, TxnCalls, type ProducerIdentity } from '../fixtures/txn-client.js'

type Rec = Record<string, unknown>

/** Base offsets of the batches in a fetched buffer, with whether each is a control batch. */
function batchesIn(records: Buffer): Array<{ base: number; control: boolean }> {
  const out: Array<{ base: number; control: boolean }> = []
  for (let pos = 0; pos < records.length; pos += 12 + records.readInt32BE(pos + 8)) {
    out.push({ base: Number(records.readBigInt64BE(pos)), control: (records.readInt16BE(pos + 21) & 0x20) !== 0 })
  }
  return out
}

describe('transactions at the protocol level', () => {
  const open: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close()
  })

  async function start(options: { dataDir?: string; transactionTimeoutCheckIntervalMs?: number } = {}): Promise<{ kafka: EmbeddedKafka; c: RawClient; txn: TxnCalls }> {
    const kafka = await EmbeddedKafka.start({ defaultPartitions: 2, ...options })
    const c = await RawClient.connect(kafka.bootstrapServers)
    open.push(() => kafka.close(), () => c.close())
    await c.request(ApiKey.CreateTopics, 7, { topics: [{ name: 'orders', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false })
    return { kafka, c, txn: new TxnCalls(c) }
  }

  it('gives transactional ids a producer id and bumps the epoch on every init, refusing stale producers', async () => {
    const { txn } = await start()
    const first = await txn.init('payments-1')
    expect(first).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 })
    // 0/0 is producer id 0 asking for a bump, as Apache Kafka reads it (KIP-360): fenced.
    expect((await txn.init('payments-1', { producerId: 0n, producerEpoch: 0 })).errorCode).toBe(ErrorCode.PRODUCER_FENCED)
    const second = await txn.init('payments-1', { producerId: -1n, producerEpoch: -1 })
    expect(second).toMatchObject({ errorCode: ErrorCode.NONE, producerId: first.producerId, producerEpoch: 1 })
    // Presenting an outdated epoch: PRODUCER_FENCED from v4, INVALID_PRODUCER_EPOCH before.
    expect((await txn.init('payments-1', { producerId: first.producerId as bigint, producerEpoch: 0 })).errorCode).toBe(ErrorCode.PRODUCER_FENCED)
    expect((await txn.init('payments-1', { version: 3, producerId: first.producerId as bigint, producerEpoch: 0 })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    const third = await txn.init('payments-1', { producerId: first.producerId as bigint, producerEpoch: 1 })
    expect(third).toMatchObject({ errorCode: ErrorCode.NONE, producerId: first.producerId, producerEpoch: 2 })
    // A transactional id the coordinator has never seen takes whatever identity is presented.
    const other = await txn.init('payments-2', { producerId: 0n, producerEpoch: 0 })
    expect(other).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 })
    expect(other.producerId).not.toBe(first.producerId)
    expect((await txn.init('')).errorCode).toBe(ErrorCode.INVALID_REQUEST)
    expect((await txn.init('payments-3', { timeoutMs: 0 })).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT)
    expect((await txn.init('payments-3', { timeoutMs: 900_001 })).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT)
  })

  it('enforces the transaction state machine with Kafka error codes', async () => {
    const { txn } = await start()
    const who = identity(await txn.init('orders-tx'))
    expect(await txn.endTxn('orders-tx', who, true)).toBe(ErrorCode.INVALID_TXN_STATE)
    expect(await txn.addPartitions('orders-tx', { producerId: who.producerId + 1n, producerEpoch: 0 }, 'orders', [0])).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING])
    expect(await txn.addPartitions('nobody', who, 'orders', [0])).toEqual([ErrorCode.INVALID_PRODUCER_ID_MAPPING])
    expect(await txn.addPartitions('orders-tx', { ...who, producerEpoch: 5 }, 'orders', [0])).toEqual([ErrorCode.PRODUCER_FENCED])
    expect(await txn.addPartitions('orders-tx', { ...who, producerEpoch: 5 }, 'orders', [0], 1)).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH])
    expect(await txn.addPartitions('orders-tx', who, 'orders', [0, 7])).toEqual([ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])

    // Transactional data only into partitions of the open transaction.
    expect((await txn.produce('orders', 0, producerBatchOf([{ key: 'k', value: 'v' }], who, 0))).errorCode).toBe(ErrorCode.INVALID_TXN_STATE)
    expect(await txn.addPartitions('orders-tx', who, 'orders', [0])).toEqual([ErrorCode.NONE])
    expect((await txn.produce('orders', 1, producerBatchOf([{ key: 'k', value: 'v' }], who, 0))).errorCode).toBe(ErrorCode.INVALID_TXN_STATE)
    expect((await txn.produce('orders', 0, producerBatchOf([{ key: 'k', value: 'v' }], who, 0)))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n })
    const stranger = { producerId: 123n, producerEpoch: 0 }
    expect((await txn.produce('orders', 0, producerBatchOf([{ key: 'k', value: 'v' }], stranger, 0))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    // Markers come from the coordinator only.
    const forged = encodeMarker({ producerId: who.producerId, producerEpoch: who.producerEpoch, type: 1, coordinatorEpoch: 0, timestamp: Date.now() })
    expect((await txn.produce('orders', 0, forged)).errorCode).toBe(ErrorCode.INVALID_RECORD)

    expect(await txn.endTxn('orders-tx', { ...who, producerEpoch: 9 }, true)).toBe(ErrorCode.PRODUCER_FENCED)
    expect(await txn.endTxn('orders-tx', { ...who, producerEpoch: 9 }, true, 1)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    expect(await txn.endTxn('orders-tx', who, true)).toBe(ErrorCode.NONE)
    expect(await txn.endTxn('orders-tx', who, true)).toBe(ErrorCode.NONE) // a retried commit
    expect(await txn.endTxn('orders-tx', who, false)).toBe(ErrorCode.INVALID_TXN_STATE)
    // After the commit the partition is no longer in a transaction.
    expect((await txn.produce('orders', 0, producerBatchOf([{ key: 'k', value: 'v' }], who, 1))).errorCode).toBe(ErrorCode.INVALID_TXN_STATE)
  })

  it('serves read_committed up to the last stable offset, with the aborted transactions to skip', async () => {
    const { txn } = await start()
    expect((await txn.produce('orders', 0, batchOf([{ key: 'plain', value: '0', timestamp: 1000n }]))).errorCode).toBe(ErrorCode.NONE)
    const who = identity(await txn.init('lso-tx'))
    await txn.addPartitions('lso-tx', who, 'orders', [0])
    await txn.produce('orders', 0, producerBatchOf([{ key: 'a', value: '1', timestamp: 2000n }, { key: 'b', value: '2', timestamp: 2000n }], who, 0)) // offsets 1-2
    // Lookups by time do not reveal offsets above the LSO to read_committed either.
    expect(await txn.latestOffset('orders', 0, 0, 1500n)).toBe(1n)
    expect(await txn.latestOffset('orders', 0, 1, 1500n)).toBe(-1n)

    let committed = await txn.fetch('orders', 0, 0n, 1)
    expect(committed).toMatchObject({ highWatermark: 3n, lastStableOffset: 1n, abortedTransactions: [] })
    expect(batchesIn(committed.records as Buffer)).toEqual([{ base: 0, control: false }])
    expect(await txn.latestOffset('orders', 0, 1)).toBe(1n)
    expect(await txn.latestOffset('orders', 0, 0)).toBe(3n)
    const uncommitted = await txn.fetch('orders', 0, 0n, 0)
    expect(uncommitted.abortedTransactions).toBeNull()
    expect(batchesIn(uncommitted.records as Buffer).map((b) => b.base)).toEqual([0, 1])

    expect(await txn.endTxn('lso-tx', who, false)).toBe(ErrorCode.NONE) // abort marker at 3
    committed = await txn.fetch('orders', 0, 0n, 1)
    expect(committed).toMatchObject({ highWatermark: 4n, lastStableOffset: 4n })
    expect(committed.abortedTransactions).toEqual([{ producerId: who.producerId, firstOffset: 1n }])
    expect(batchesIn(committed.records as Buffer)).toEqual([{ base: 0, control: false }, { base: 1, control: false }, { base: 3, control: true }])

    await txn.addPartitions('lso-tx', who, 'orders', [0])
    await txn.produce('orders', 0, producerBatchOf([{ key: 'c', value: '3' }], who, 2)) // offset 4
    expect(await txn.endTxn('lso-tx', who, true)).toBe(ErrorCode.NONE) // commit marker at 5
    const later = await txn.fetch('orders', 0, 4n, 1)
    expect(later).toMatchObject({ highWatermark: 6n, lastStableOffset: 6n, abortedTransactions: [] })
    expect(batchesIn(later.records as Buffer)).toEqual([{ base: 4, control: false }, { base: 5, control: true }])
  })

  it('returns at most one aborted transaction per producer in a read_committed response', async () => {
    const { txn } = await start()
    const who = identity(await txn.init('twice-tx'))
    let seq = 0
    for (const outcome of [false, true, false]) {
      await txn.addPartitions('twice-tx', who, 'orders', [0])
      await txn.produce('orders', 0, producerBatchOf([{ key: 'k', value: String(seq) }], who, seq++))
      expect(await txn.endTxn('twice-tx', who, outcome)).toBe(ErrorCode.NONE)
    }
    // Offsets: aborted data 0 + marker 1, committed 2 + 3, aborted 4 + marker 5.
    const first = await txn.fetch('orders', 0, 0n, 1)
    expect(batchesIn(first.records as Buffer).map((b) => b.base)).toEqual([0, 1, 2, 3])
    expect(first.abortedTransactions).toEqual([{ producerId: who.producerId, firstOffset: 0n }])
    const rest = await txn.fetch('orders', 0, 4n, 1)
    expect(batchesIn(rest.records as Buffer).map((b) => b.base)).toEqual([4, 5])
    expect(rest.abortedTransactions).toEqual([{ producerId: who.producerId, firstOffset: 4n }])
  })

  it('never returns an aborted transaction cut off from its marker by the size limit', async () => {
    const { txn } = await start()
    await txn.produce('orders', 0, batchOf([{ key: 'plain', value: 'x'.repeat(100) }])) // 0
    const who = identity(await txn.init('cut-tx'))
    await txn.addPartitions('cut-tx', who, 'orders', [0])
    await txn.produce('orders', 0, producerBatchOf([{ key: 'a', value: 'y'.repeat(100) }], who, 0)) // 1
    await txn.produce('orders', 0, producerBatchOf([{ key: 'b', value: 'y'.repeat(100) }], who, 1)) // 2
    await txn.endTxn('cut-tx', who, false) // marker 3
    const batchBytes = batchOf([{ key: 'plain', value: 'x'.repeat(100) }]).length
    // Room for two batches: the second would be aborted data whose marker does not fit.
    const limited = await txn.fetch('orders', 0, 0n, 1, batchBytes * 2 + 10)
    expect(batchesIn(limited.records as Buffer).map((b) => b.base)).toEqual([0])
    expect(limited.abortedTransactions).toEqual([])
    const whole = await txn.fetch('orders', 0, 0n, 1)
    expect(batchesIn(whole.records as Buffer).map((b) => b.base)).toEqual([0, 1, 2, 3])
  })

  it('completes a commit that was decided but not carried out when the broker stopped', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-txn-prepare-'))
    open.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const first = await start({ dataDir })
    const who = identity(await first.txn.init('prep-tx'))
    await first.txn.addPartitions('prep-tx', who, 'orders', [0, 1])
    await first.txn.addOffsets('prep-tx', who, 'billing')
    await first.txn.produce('orders', 0, producerBatchOf([{ key: 'p', value: 'prepared' }], who, 0))
    expect(await first.txn.txnOffsetCommit('prep-tx', who, 'billing', 'orders', 0, 11n)).toBe(ErrorCode.NONE)
    await first.kafka.close()
    // What a crash right after persisting PrepareCommit leaves behind.
    const store = new TxnStore(dataDir, silentLogger)
    const meta = (await store.load()).find((m) => m.transactionalId === 'prep-tx')
    expect(meta?.state).toBe('Ongoing')
    await store.write({ ...meta!, state: 'PrepareCommit' })
    await store.close()

    const second = await start({ dataDir })
    expect(await second.txn.latestOffset('orders', 0, 1)).toBe(2n) // data + commit marker
    expect(await second.txn.latestOffset('orders', 1, 1)).toBe(1n) // commit marker only
    expect((await second.txn.fetch('orders', 0, 0n, 1)).abortedTransactions).toEqual([])
    expect(await second.txn.committedOffset('billing', 'orders', 0, true)).toEqual({ offset: 11n, errorCode: ErrorCode.NONE })
    // The producer keeps its epoch: the decision was its own commit.
    expect(await second.txn.endTxn('prep-tx', who, true)).toBe(ErrorCode.NONE)
  })

  it('fences the previous producer of a transactional id and aborts its open transaction', async () => {
    const { txn } = await start()
    const zombie = identity(await txn.init('fence-tx'))
    await txn.addPartitions('fence-tx', zombie, 'orders', [1])
    await txn.produce('orders', 1, producerBatchOf([{ key: 'z', value: 'zombie' }], zombie, 0))
    expect(await txn.latestOffset('orders', 1, 1)).toBe(0n)

    const successor = identity(await txn.init('fence-tx'))
    expect(successor).toEqual({ producerId: zombie.producerId, producerEpoch: 2 })
    // The zombie's transaction was aborted (marker with the fencing epoch): the LSO moved on.
    expect(await txn.latestOffset('orders', 1, 1)).toBe(2n)
    expect((await txn.fetch('orders', 1, 0n, 1)).abortedTransactions).toEqual([{ producerId: zombie.producerId, firstOffset: 0n }])
    expect((await txn.produce('orders', 1, producerBatchOf([{ key: 'z', value: 'late' }], zombie, 1))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    expect(await txn.endTxn('fence-tx', zombie, true)).toBe(ErrorCode.PRODUCER_FENCED)
    expect(await txn.addOffsets('fence-tx', zombie, 'g', 1)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)

    await txn.addPartitions('fence-tx', successor, 'orders', [1])
    expect((await txn.produce('orders', 1, producerBatchOf([{ key: 's', value: 'ok' }], successor, 0))).errorCode).toBe(ErrorCode.NONE)
    expect(await txn.endTxn('fence-tx', successor, true)).toBe(ErrorCode.NONE)
  })

  it('applies transactional offset commits only on commit, and reports them unstable while pending', async () => {
    const { txn } = await start()
    const who = identity(await txn.init('eos-tx'))
    expect(await txn.addOffsets('eos-tx', who, 'billing')).toBe(ErrorCode.NONE)
    expect(await txn.txnOffsetCommit('eos-tx', who, 'other-group', 'orders', 0, 7n)).toBe(ErrorCode.INVALID_TXN_STATE)
    expect(await txn.txnOffsetCommit('eos-tx', who, 'billing', 'orders', 0, 42n)).toBe(ErrorCode.NONE)
    expect(await txn.txnOffsetCommit('eos-tx', { ...who, producerEpoch: 3 }, 'billing', 'orders', 0, 1n)).toBe(ErrorCode.PRODUCER_FENCED)
    expect(await txn.txnOffsetCommit('eos-tx', { ...who, producerEpoch: 3 }, 'billing', 'orders', 0, 1n, 2)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    expect(await txn.committedOffset('billing', 'orders', 0, true)).toEqual({ offset: -1n, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT })
    expect(await txn.committedOffset('billing', 'orders', 0, false)).toEqual({ offset: -1n, errorCode: ErrorCode.NONE })
    expect(await txn.endTxn('eos-tx', who, true)).toBe(ErrorCode.NONE)
    expect(await txn.committedOffset('billing', 'orders', 0, true)).toEqual({ offset: 42n, errorCode: ErrorCode.NONE })

    expect(await txn.addOffsets('eos-tx', who, 'billing')).toBe(ErrorCode.NONE)
    expect(await txn.txnOffsetCommit('eos-tx', who, 'billing', 'orders', 0, 50n)).toBe(ErrorCode.NONE)
    expect(await txn.endTxn('eos-tx', who, false)).toBe(ErrorCode.NONE)
    expect(await txn.committedOffset('billing', 'orders', 0, true)).toEqual({ offset: 42n, errorCode: ErrorCode.NONE })
  })

  it('aborts a transaction open longer than its timeout and fences its producer', async () => {
    const { txn } = await start({ transactionTimeoutCheckIntervalMs: 20 })
    const who = identity(await txn.init('slow-tx', { timeoutMs: 100 }))
    await txn.addPartitions('slow-tx', who, 'orders', [0])
    await txn.produce('orders', 0, producerBatchOf([{ key: 'slow', value: '1' }], who, 0))
    expect(await txn.latestOffset('orders', 0, 1)).toBe(0n)
    for (let i = 0; i < 250 && (await txn.latestOffset('orders', 0, 1)) === 0n; i++) await new Promise((r) => setTimeout(r, 20))
    expect(await txn.latestOffset('orders', 0, 1)).toBe(2n)
    expect(await txn.endTxn('slow-tx', who, true)).toBe(ErrorCode.PRODUCER_FENCED)
    expect((await txn.produce('orders', 0, producerBatchOf([{ key: 'slow', value: '2' }], who, 1))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
  })

  /** A broker on `dataDir` with, for `id`, one committed transaction and one left open that wrote and committed offsets. */
  async function brokerLeftWithAnOpenTransaction(id: string, timeoutMs = 60_000): Promise<{ dataDir: string; who: ProducerIdentity }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-txn-'))
    open.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const first = await start({ dataDir })
    const who = identity(await first.txn.init(id, { timeoutMs }))
    await first.txn.addPartitions(id, who, 'orders', [0])
    await first.txn.addOffsets(id, who, 'billing')
    await first.txn.produce('orders', 0, producerBatchOf([{ key: 'a', value: 'committed' }], who, 0)) // offset 0
    expect(await first.txn.txnOffsetCommit(id, who, 'billing', 'orders', 1, 1n)).toBe(ErrorCode.NONE)
    expect(await first.txn.endTxn(id, who, true)).toBe(ErrorCode.NONE) // marker at 1
    expect(await first.txn.addPartitions(id, who, 'orders', [0])).toEqual([ErrorCode.NONE])
    expect(await first.txn.addOffsets(id, who, 'billing')).toBe(ErrorCode.NONE)
    expect(await first.txn.produce('orders', 0, producerBatchOf([{ key: 'b', value: 'open' }], who, 1))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n })
    expect(await first.txn.txnOffsetCommit(id, who, 'billing', 'orders', 1, 99n)).toBe(ErrorCode.NONE)
    expect(await first.txn.latestOffset('orders', 0, 1)).toBe(2n)
    await first.kafka.close()
    return { dataDir, who }
  }

  it('keeps a transaction open across a restart: its producer writes on with the same epoch and sequence numbers and commits it', async () => {
    const { dataDir, who } = await brokerLeftWithAnOpenTransaction('restart-tx')
    const { txn } = await start({ dataDir })
    // Still open: the last stable offset waits at its first record, its offsets are pending.
    expect(await txn.latestOffset('orders', 0, 1)).toBe(2n)
    expect(await txn.committedOffset('billing', 'orders', 1, true)).toEqual({ offset: -1n, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT })
    expect(await txn.committedOffset('billing', 'orders', 1, false)).toEqual({ offset: 1n, errorCode: ErrorCode.NONE })
    // A retry of the batch written before the restart is recognised; the next sequence number follows it.
    expect(await txn.produce('orders', 0, producerBatchOf([{ key: 'b', value: 'open' }], who, 1))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n })
    expect(await txn.produce('orders', 0, producerBatchOf([{ key: 'c', value: 'after restart' }], who, 2))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n })
    expect(await txn.produce('orders', 0, producerBatchOf([{ key: 'x', value: 'gap' }], who, 9))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER })
    expect(await txn.addPartitions('restart-tx', who, 'orders', [1])).toEqual([ErrorCode.NONE])
    expect(await txn.produce('orders', 1, producerBatchOf([{ key: 'd', value: 'after restart' }], who, 0))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n })
    expect(await txn.endTxn('restart-tx', who, true)).toBe(ErrorCode.NONE)

    const partition0 = await txn.fetch('orders', 0, 0n, 1)
    expect(partition0).toMatchObject({ highWatermark: 5n, lastStableOffset: 5n, abortedTransactions: [] })
    expect(batchesIn(partition0.records as Buffer)).toEqual([
      { base: 0, control: false }, { base: 1, control: true }, { base: 2, control: false }, { base: 3, control: false }, { base: 4, control: true },
    ])
    expect(await txn.fetch('orders', 1, 0n, 1)).toMatchObject({ highWatermark: 2n, lastStableOffset: 2n, abortedTransactions: [] })
    expect(await txn.committedOffset('billing', 'orders', 1, true)).toEqual({ offset: 99n, errorCode: ErrorCode.NONE })
    // Not fenced: the same producer runs its next transaction.
    expect(await txn.addPartitions('restart-tx', who, 'orders', [0])).toEqual([ErrorCode.NONE])
    expect(await txn.produce('orders', 0, producerBatchOf([{ key: 'e', value: 'next' }], who, 3))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 5n })
    expect(await txn.endTxn('restart-tx', who, true)).toBe(ErrorCode.NONE)
  })

  it('aborts a transaction open across a restart when its producer ends it with an abort', async () => {
    const { dataDir, who } = await brokerLeftWithAnOpenTransaction('abort-tx')
    const { txn } = await start({ dataDir })
    expect(await txn.produce('orders', 0, producerBatchOf([{ key: 'c', value: 'after restart' }], who, 2))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n })
    expect(await txn.endTxn('abort-tx', who, false)).toBe(ErrorCode.NONE) // marker at 4
    const fetched = await txn.fetch('orders', 0, 0n, 1)
    expect(fetched).toMatchObject({ highWatermark: 5n, lastStableOffset: 5n, abortedTransactions: [{ producerId: who.producerId, firstOffset: 2n }] })
    expect(await txn.committedOffset('billing', 'orders', 1, true)).toEqual({ offset: 1n, errorCode: ErrorCode.NONE })
    expect(await txn.endTxn('abort-tx', who, false)).toBe(ErrorCode.NONE) // a retried abort
  })

  it('aborts a transaction open across a restart once its timeout passes, and fences its producer', async () => {
    const { dataDir, who } = await brokerLeftWithAnOpenTransaction('late-tx', 2_000)
    const { txn } = await start({ dataDir, transactionTimeoutCheckIntervalMs: 20 })
    expect(await txn.latestOffset('orders', 0, 1)).toBe(2n)
    for (let i = 0; i < 300 && (await txn.latestOffset('orders', 0, 1)) === 2n; i++) await new Promise((r) => setTimeout(r, 20))
    expect(await txn.fetch('orders', 0, 0n, 1)).toMatchObject({ highWatermark: 4n, lastStableOffset: 4n, abortedTransactions: [{ producerId: who.producerId, firstOffset: 2n }] })
    expect(await txn.committedOffset('billing', 'orders', 1, true)).toEqual({ offset: 1n, errorCode: ErrorCode.NONE })
    expect(await txn.endTxn('late-tx', who, true)).toBe(ErrorCode.PRODUCER_FENCED)
    expect((await txn.produce('orders', 0, producerBatchOf([{ key: 'late', value: '1' }], who, 2))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
  })

  it('keeps an idempotent producer\'s sequence numbers across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-txn-'))
    open.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const first = await start({ dataDir })
    const idem = identity(await first.txn.init(null))
    const idemBatch = producerBatchOf([{ key: 'i', value: '1' }], idem, 0, false)
    expect(await first.txn.produce('orders', 1, Buffer.from(idemBatch))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n })
    await first.kafka.close()

    const second = await start({ dataDir })
    // The retry is recognised after the restart and stored once.
    expect(await second.txn.produce('orders', 1, Buffer.from(idemBatch))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n })
    expect(await second.txn.latestOffset('orders', 1, 0)).toBe(1n)
  })

  it('answers FindCoordinator for transactional ids', async () => {
    const { c, kafka } = await start()
    const res = await c.request(ApiKey.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['a-tx'] })
    expect((res.coordinators as Rec[])[0]).toMatchObject({ key: 'a-tx', nodeId: 0, port: kafka.port, errorCode: ErrorCode.NONE })
    const v1 = await c.request(ApiKey.FindCoordinator, 1, { key: 'a-tx', keyType: 1 })
    expect(v1).toMatchObject({ nodeId: 0, errorCode: ErrorCode.NONE })
    const bad = await c.request(ApiKey.FindCoordinator, 4, { keyType: 7, coordinatorKeys: ['x'] })
    expect((bad.coordinators as Rec[])[0].errorCode).toBe(ErrorCode.INVALID_REQUEST)
  })
})
