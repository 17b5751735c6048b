import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PartitionLog } from '../../../src/broker/log/partition-log.js'
import { logConfigFrom } from '../../../src/broker/log/topic-config.js'
import { silentLogger } from '../../../src/broker/logger.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import { FetchWaiters } from '../../../src/broker/server/fetch-waiters.js'
import type { TopicRegistry } from '../../../src/broker/topics.js'
import { TransactionCoordinator } from '../../../src/broker/transactions/transaction-coordinator.js'
import { producerBatchOf } from '../fixtures/txn-client.js'

describe('transaction coordinator', () => {
  let dir: string
  let log: PartitionLog
  let clock: number
  let nextId: bigint
  let coordinator: TransactionCoordinator

  const create = (): TransactionCoordinator => {
    // One topic "rides" with one partition; the coordinator only looks partitions up.
    const topics = { partition: (t: string, p: number) => (t === 'rides' && p === 0 ? log : undefined), all: () => [{ name: 'rides', partitions: [log] }] }
    return new TransactionCoordinator({
      dataDir: dir,
      topics: topics as unknown as TopicRegistry,
      groups: () => null,
      fetchWaiters: new FetchWaiters(),
      logger: silentLogger,
      now: () => clock,
      allocateProducerId: () => nextId++,
      timeoutCheckIntervalMs: 60_000,
    })
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-txn-coord-'))
    log = new PartitionLog(join(dir, 'rides-0'), logConfigFrom({}), silentLogger, 0)
    clock = 1_000_000
    nextId = 500n
    coordinator = create()
    await coordinator.load()
  })

  afterEach(async () => {
    await coordinator.close()
    log.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const rides0 = [{ topic: 'rides', partition: 0 }]

  it('aborts timed-out transactions with a fencing epoch, leaving fresh ones alone', async () => {
    const slow = await coordinator.initProducerId('slow', 1000, -1n, -1)
    const fresh = await coordinator.initProducerId('fresh', 60_000, -1n, -1)
    expect(await coordinator.addPartitions('slow', slow.producerId, 0, rides0)).toBe(ErrorCode.NONE)
    expect(await coordinator.addPartitions('fresh', fresh.producerId, 0, rides0)).toBe(ErrorCode.NONE)
    clock += 999
    expect(await coordinator.abortTimedOut()).toBe(0)
    clock += 2
    expect(await coordinator.abortTimedOut()).toBe(1)
    expect(coordinator.describe('slow')).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1, partitions: [] })
    expect(coordinator.describe('fresh')).toMatchObject({ state: 'Ongoing', producerEpoch: 0 })
    expect(log.nextOffset).toBe(1) // the abort marker
    expect(await coordinator.endTxn('slow', slow.producerId, 0, true)).toBe(ErrorCode.PRODUCER_FENCED)
  })

  it('retries a decided transaction whose markers could not be written', async () => {
    const who = await coordinator.initProducerId('flaky', 60_000, -1n, -1)
    await coordinator.addPartitions('flaky', who.producerId, 0, rides0)
    const appendMarker = log.appendMarker.bind(log)
    let failures = 1
    log.appendMarker = (spec, now) => {
      if (failures-- > 0) throw new Error('disk full')
      return appendMarker(spec, now)
    }
    expect(await coordinator.endTxn('flaky', who.producerId, 0, true)).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    expect(coordinator.describe('flaky')?.state).toBe('PrepareCommit')
    expect(await coordinator.addPartitions('flaky', who.producerId, 0, rides0)).toBe(ErrorCode.CONCURRENT_TRANSACTIONS)
    expect(await coordinator.endTxn('flaky', who.producerId, 0, false)).toBe(ErrorCode.INVALID_TXN_STATE)
    expect(await coordinator.endTxn('flaky', who.producerId, 0, true)).toBe(ErrorCode.NONE)
    expect(coordinator.describe('flaky')?.state).toBe('CompleteCommit')
    expect(log.nextOffset).toBe(1)
  })

  it('keeps its state in the transaction log across restarts', async () => {
    const who = await coordinator.initProducerId('durable', 60_000, -1n, -1)
    await coordinator.addPartitions('durable', who.producerId, 0, rides0)
    expect(await coordinator.endTxn('durable', who.producerId, 0, true)).toBe(ErrorCode.NONE)
    await coordinator.close()
    coordinator = create()
    await coordinator.load()
    expect(coordinator.describe('durable')).toMatchObject({ producerId: who.producerId, producerEpoch: 0, state: 'CompleteCommit' })
    expect(await coordinator.initProducerId('durable', 60_000, -1n, -1)).toEqual({ errorCode: ErrorCode.NONE, producerId: who.producerId, producerEpoch: 1 })
  })

  /** Closes the coordinator and the partition, as a stopped broker does, and loads both again from the data directory. */
  async function restart(): Promise<void> {
    await coordinator.close()
    log.close()
    log = new PartitionLog(join(dir, 'rides-0'), logConfigFrom({}), silentLogger, clock)
    coordinator = create()
    await coordinator.load()
  }

  it('keeps a transaction open across a restart, for its producer to go on with, until its timeout aborts it with fencing', async () => {
    const who = await coordinator.initProducerId('open', 10_000, -1n, -1)
    const producer = { producerId: who.producerId, producerEpoch: 0 }
    await coordinator.addPartitions('open', who.producerId, 0, rides0)
    expect(log.append(producerBatchOf([{ key: 'k', value: 'before' }], producer, 0), clock).errorCode).toBe(ErrorCode.NONE)
    clock += 5_000
    await restart()
    expect(coordinator.describe('open')).toMatchObject({ state: 'Ongoing', producerEpoch: 0, partitions: rides0 })
    expect(log.lastStableOffset).toBe(0)
    expect(coordinator.verifyProduce('rides', 0, producerBatchOf([{ key: 'k', value: 'after' }], producer, 1))).toBe(ErrorCode.NONE)
    expect(log.append(producerBatchOf([{ key: 'k', value: 'after' }], producer, 1), clock).errorCode).toBe(ErrorCode.NONE)
    // The timeout counts from the start of the transaction, not from the restart.
    clock += 5_001
    expect(await coordinator.abortTimedOut()).toBe(1)
    expect(coordinator.describe('open')).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1, partitions: [] })
    expect(log.lastStableOffset).toBe(log.nextOffset)
    expect(await coordinator.endTxn('open', who.producerId, 0, true)).toBe(ErrorCode.PRODUCER_FENCED)
  })

  it('aborts on load, with fencing, a transaction whose timeout ran out while the broker was down', async () => {
    const who = await coordinator.initProducerId('expired', 10_000, -1n, -1)
    await coordinator.addPartitions('expired', who.producerId, 0, rides0)
    expect(log.append(producerBatchOf([{ key: 'k', value: 'v' }], { producerId: who.producerId, producerEpoch: 0 }, 0), clock).errorCode).toBe(ErrorCode.NONE)
    clock += 10_001
    await restart()
    expect(coordinator.describe('expired')).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1 })
    expect(log.lastStableOffset).toBe(2) // the data and the abort marker
    expect(log.transactions.isAborted(who.producerId, 0)).toBe(true)
    expect(await coordinator.endTxn('expired', who.producerId, 0, false)).toBe(ErrorCode.PRODUCER_FENCED)
  })

  it('fences a producer that presents another producer id, even (0, 0), and bumps the epoch of one that presents its own (KIP-360)', async () => {
    const first = await coordinator.initProducerId('billing', 60_000, -1n, -1)
    expect(first).toEqual({ errorCode: ErrorCode.NONE, producerId: 500n, producerEpoch: 0 })
    // Apache Kafka reads (0, 0) as producer id 0 asking for a bump, not as "no identity".
    expect(await coordinator.initProducerId('billing', 60_000, 0n, 0)).toEqual({ errorCode: ErrorCode.PRODUCER_FENCED, producerId: -1n, producerEpoch: -1 })
    expect(await coordinator.initProducerId('billing', 60_000, 500n, 0)).toEqual({ errorCode: ErrorCode.NONE, producerId: 500n, producerEpoch: 1 })
    expect(await coordinator.initProducerId('billing', 60_000, -1n, -1)).toEqual({ errorCode: ErrorCode.NONE, producerId: 500n, producerEpoch: 2 })
  })
})
