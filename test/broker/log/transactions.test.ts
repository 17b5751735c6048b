import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { compactLog } from '../../../src/broker/log/compaction.js'
import { ControlType, encodeMarker, markerType } from '../../../src/broker/log/control-batch.js'
import { PartitionLog } from '../../../src/broker/log/partition-log.js'
import { PartitionTransactions } from '../../../src/broker/log/partition-transactions.js'
import { readBatchHeader } from '../../../src/broker/log/record-batch.js'
import { logConfigFrom } from '../../../src/broker/log/topic-config.js'
import { silentLogger } from '../../../src/broker/logger.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import { rowsOf } from '../fixtures/batches.js'
import { producerBatchOf } from '../fixtures/txn-client.js'

const P1 = { producerId: 1001n, producerEpoch: 0 }
const P2 = { producerId: 2002n, producerEpoch: 0 }

describe('transaction markers', () => {
  it('encodes a valid control batch that Kafka clients read as a marker', () => {
    const batch = encodeMarker({ producerId: 77n, producerEpoch: 3, type: ControlType.COMMIT, coordinatorEpoch: 5, timestamp: 1_700_000_000_000 })
    const header = readBatchHeader(batch, 0, true)
    if (typeof header === 'string') throw new Error(header)
    expect(header).toMatchObject({ attributes: 0x30, producerId: 77n, producerEpoch: 3, baseSequence: -1, recordCount: 1, lastOffsetDelta: 0 })
    expect(markerType(batch)).toBe(ControlType.COMMIT)
    expect(markerType(encodeMarker({ producerId: 1n, producerEpoch: 0, type: ControlType.ABORT, coordinatorEpoch: 0, timestamp: 0 }))).toBe(ControlType.ABORT)
    // Key (version 0, type 1) and value (version 0, coordinator epoch 5), read by an independent decoder.
    const [[offset, key, value]] = rowsOf(batch).map(([o]) => [o, batch.subarray(61 + 5, 61 + 9), batch.subarray(61 + 10, 61 + 16)] as const)
    expect(offset).toBe(0n)
    expect([key.readInt16BE(0), key.readInt16BE(2)]).toEqual([0, 1])
    expect([value.readInt16BE(0), value.readInt32BE(2)]).toEqual([0, 5])
  })
})

describe('partition transaction index', () => {
  it('tracks open transactions for the LSO and aborted ranges for read_committed', () => {
    const txns = new PartitionTransactions()
    txns.onData(1n, 10)
    txns.onData(1n, 12) // same transaction: the first offset stays
    txns.onData(2n, 11)
    expect(txns.lastStableOffset(20)).toBe(10)
    txns.onMarker(1n, ControlType.ABORT, 13)
    expect(txns.lastStableOffset(20)).toBe(11)
    txns.onMarker(2n, ControlType.COMMIT, 14)
    expect(txns.lastStableOffset(20)).toBe(20)
    txns.onMarker(2n, ControlType.ABORT, 15) // no open transaction: nothing to abort
    expect(txns.abortedOverlapping(0, 20)).toEqual([{ producerId: 1n, firstOffset: 10, lastOffset: 13 }])
    expect(txns.abortedOverlapping(14, 20)).toEqual([])
    expect(txns.isAborted(1n, 12)).toBe(true)
    expect(txns.isAborted(2n, 12)).toBe(false)
    txns.dropBefore(14)
    expect(txns.abortedOverlapping(0, 20)).toEqual([])
  })
})

describe('partition log with transactions', () => {
  let dir: string
  let log: PartitionLog

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-txn-log-'))
    log = new PartitionLog(dir, logConfigFrom({ 'cleanup.policy': 'compact', 'segment.bytes': '400' }), silentLogger, 0)
  })

  afterEach(() => {
    log.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const marker = (who: { producerId: bigint; producerEpoch: number }, type: 0 | 1): number =>
    log.appendMarker({ ...who, type, coordinatorEpoch: 0, timestamp: 0 }, 0)

  it('rebuilds open and aborted transactions and fences epochs from the log on restart', () => {
    expect(log.append(producerBatchOf([{ key: 'a', value: '1' }], P1, 0), 0).errorCode).toBe(ErrorCode.NONE) // 0
    expect(log.append(producerBatchOf([{ key: 'b', value: '2' }], P2, 0), 0).errorCode).toBe(ErrorCode.NONE) // 1
    expect(marker({ ...P1, producerEpoch: 1 }, ControlType.ABORT)).toBe(2) // P1 aborted and fenced
    expect(log.lastStableOffset).toBe(1)
    log.close()
    log = new PartitionLog(dir, logConfigFrom({ 'cleanup.policy': 'compact', 'segment.bytes': '400' }), silentLogger, 0)
    expect(log.lastStableOffset).toBe(1)
    expect(log.transactions.abortedOverlapping(0, 3)).toEqual([{ producerId: P1.producerId, firstOffset: 0, lastOffset: 2 }])
    expect(log.append(producerBatchOf([{ key: 'a', value: 'late' }], P1, 1), 0).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    expect(marker(P2, ControlType.COMMIT)).toBe(3)
    expect(log.lastStableOffset).toBe(4)
  })

  it('compacts only below the LSO, drops aborted records and never lets them shadow committed ones', () => {
    const committed = { ...P2 }
    let seq = 0
    // Committed value for "fare", then an aborted newer value, then filler to seal segments.
    log.append(producerBatchOf([{ key: 'fare', value: 'committed' }], committed, seq++), 0)
    marker(committed, ControlType.COMMIT)
    log.append(producerBatchOf([{ key: 'fare', value: 'aborted' }], P1, 0), 0)
    marker(P1, ControlType.ABORT)
    for (let i = 0; i < 40; i++) log.append(producerBatchOf([{ key: `filler${i % 2}`, value: 'x'.repeat(40) }], committed, seq++, false), 0)
    // An open transaction in the active part of the log keeps what is above it dirty.
    log.append(producerBatchOf([{ key: 'fare', value: 'open' }], { producerId: 3003n, producerEpoch: 0 }, 0), 0)
    expect(log.segments.length).toBeGreaterThan(2)
    const removed = compactLog(log, Date.now() + 1, true)

    const values: string[] = []
    for (let offset = log.logStartOffset; offset < log.nextOffset; ) {
      const { records } = log.read(offset, 1 << 20, true)
      if (records === null) break
      for (const [o, key, value] of rowsOf(records)) if (key === 'fare' && o >= BigInt(offset)) values.push(value ?? '')
      let pos = 0
      while (pos < records.length) {
        offset = Math.max(offset, Number(records.readBigInt64BE(pos)) + records.readInt32BE(pos + 23) + 1)
        pos += records.readInt32BE(pos + 8) + 12
      }
    }
    expect(values).toEqual(['committed', 'open'])
    expect(removed).toBeGreaterThan(1) // the aborted record and shadowed fillers
    expect(log.lastStableOffset).toBeLessThan(log.nextOffset)
  })
})
