import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ControlType } from '../../../src/broker/log/control-batch.js'
import { PartitionLog } from '../../../src/broker/log/partition-log.js'
import { readBatchHeader, refreshCrc } from '../../../src/broker/log/record-batch.js'
import { applyRetention } from '../../../src/broker/log/retention.js'
import { logConfigFrom } from '../../../src/broker/log/topic-config.js'
import { silentLogger } from '../../../src/broker/logger.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import { batchOf, rowsOf } from '../fixtures/batches.js'
import { watchLogSyncs, type LogSyncs } from '../fixtures/log-syncs.js'
import { waitFor } from '../fixtures/wait-for.js'

describe('partition log', () => {
  let dir: string
  const open: PartitionLog[] = []
  const openLog = (configs: Record<string, string> = {}, now = Date.now()): PartitionLog => {
    const log = new PartitionLog(dir, logConfigFrom(configs), silentLogger, now)
    open.push(log)
    return log
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-log-'))
  })

  afterEach(() => {
    for (const log of open.splice(0)) log.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('assigns consecutive offsets across batches and reads them back after reopening', async () => {
    const log = openLog()
    expect(log.append(batchOf([{ key: 'a', value: '1' }, { key: 'b', value: '2' }]), 0).baseOffset).toBe(0)
    expect(log.append(batchOf([{ key: 'c', value: '3' }]), 0).baseOffset).toBe(2)
    await log.flush()
    log.close()
    const reopened = openLog()
    expect(reopened.nextOffset).toBe(3)
    expect(rowsOf(reopened.read(0, 1 << 20, true).records as Buffer)).toEqual([[0n, 'a', '1'], [1n, 'b', '2'], [2n, 'c', '3']])
    expect(readdirSync(dir).filter((f) => f.endsWith('.index'))).toHaveLength(1)
  })

  it('truncates a torn write at the tail on recovery and keeps appending after it', () => {
    const log = openLog()
    log.append(batchOf([{ key: 'a', value: '1' }]), 0)
    log.append(batchOf([{ key: 'b', value: '2' }]), 0)
    const segment = join(dir, readdirSync(dir).find((f) => f.endsWith('.log')) as string)
    const goodSize = statSync(segment).size
    log.close()
    // Half of a third batch, as if the process died mid-write.
    const torn = batchOf([{ key: 'c', value: '3' }])
    appendFileSync(segment, torn.subarray(0, torn.length - 5))
    const recovered = openLog()
    expect(statSync(segment).size).toBe(goodSize)
    expect(recovered.nextOffset).toBe(2)
    expect(recovered.append(batchOf([{ key: 'd', value: '4' }]), 0).baseOffset).toBe(2)
    expect(rowsOf(recovered.read(0, 1 << 20, true).records as Buffer).map((r) => r[1])).toEqual(['a', 'b', 'd'])
  })

  it('cuts a batch whose CRC does not match on recovery', () => {
    const log = openLog()
    log.append(batchOf([{ key: 'a', value: '1' }]), 0)
    log.close()
    const segment = join(dir, readdirSync(dir).find((f) => f.endsWith('.log')) as string)
    const corrupt = batchOf([{ key: 'b', value: '2' }])
    corrupt.writeBigInt64BE(1n, 0)
    corrupt[corrupt.length - 1] ^= 0x55
    appendFileSync(segment, corrupt)
    expect(openLog().nextOffset).toBe(1)
  })

  it('recovers a segment larger than its read window without losing batches', () => {
    const log = openLog()
    const value = 'v'.repeat(64 * 1024)
    for (let i = 0; i < 200; i++) log.append(batchOf([{ key: `k${i}`, value }]), 0) // ~13 MB, more than one 8 MiB window
    log.close()
    const reopened = openLog()
    expect(reopened.nextOffset).toBe(200)
    expect(rowsOf(reopened.read(199, 1, true).records as Buffer)[0][1]).toBe('k199')
  })

  it('stamps log-append time on batches of LogAppendTime topics and keeps their CRC valid', () => {
    const log = openLog({ 'message.timestamp.type': 'LogAppendTime' })
    const result = log.append(batchOf([{ key: 'a', value: '1', timestamp: 5n }]), 123_456)
    expect(result.logAppendTime).toBe(123_456)
    const stored = log.read(0, 1 << 20, true).records as Buffer
    const header = readBatchHeader(stored, 0, true)
    expect(header).toMatchObject({ maxTimestamp: 123_456 })
    expect((stored.readInt16BE(21) & 0x08) !== 0).toBe(true)
  })

  it('does not append a retried idempotent batch twice and refuses sequence gaps and fenced epochs', () => {
    const idempotent = (key: string, seq: number, epoch = 0): Buffer => {
      const batch = batchOf([{ key, value: 'v' }, { key: `${key}2`, value: 'v' }])
      batch.writeBigInt64BE(4242n, 43)
      batch.writeInt16BE(epoch, 51)
      batch.writeInt32BE(seq, 53)
      refreshCrc(batch, 0, batch.length)
      return batch
    }
    const log = openLog()
    expect(log.append(idempotent('a', 0), 0)).toMatchObject({ errorCode: 0, baseOffset: 0 })
    expect(log.append(idempotent('b', 2), 0)).toMatchObject({ errorCode: 0, baseOffset: 2 })
    expect(log.append(idempotent('a', 0), 0)).toMatchObject({ errorCode: 0, baseOffset: 0 }) // retry
    expect(log.nextOffset).toBe(4)
    expect(log.append(idempotent('c', 7), 0).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    expect(log.append(idempotent('d', 0, 1), 0)).toMatchObject({ errorCode: 0, baseOffset: 4 }) // bumped epoch restarts at 0
    expect(log.append(idempotent('e', 4, 0), 0).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH)
    log.close()
    // The state is rebuilt from the log: a retry after a restart is still recognised.
    expect(openLog().append(idempotent('d', 0, 1), 0)).toMatchObject({ errorCode: 0, baseOffset: 4 })
  })

  it('rejects batches that are not magic 2 or fail their CRC, appending nothing', () => {
    const log = openLog()
    const bad = batchOf([{ key: 'a', value: '1' }])
    bad[16] = 1
    expect(log.append(bad, 0).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE)
    const miscounted = batchOf([{ key: 'a', value: '1' }])
    miscounted.writeInt32BE(5, 23) // lastOffsetDelta says 6 records, the batch holds one
    refreshCrc(miscounted, 0, miscounted.length)
    expect(log.append(miscounted, 0).errorCode).toBe(ErrorCode.INVALID_RECORD)
    expect(log.nextOffset).toBe(0)
  })

  it('refuses a batch larger than max.message.bytes (1 MiB + 12 by default) with MESSAGE_TOO_LARGE, as Kafka does', () => {
    const log = openLog()
    const big = batchOf([{ key: 'a', value: 'x'.repeat(1024 * 1024) }])
    expect(log.append(big, 0).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE)
    expect(log.append(batchOf([{ key: 'a', value: 'x'.repeat(1000 * 1024) }]), 0).errorCode).toBe(ErrorCode.NONE)
    const small = openLog({ 'max.message.bytes': '200' })
    expect(small.append(batchOf([{ key: 'a', value: 'x'.repeat(200) }]), 0).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE)
    expect(small.append(batchOf([{ key: 'a', value: 'x' }]), 0).errorCode).toBe(ErrorCode.NONE)
  })

  it('rolls segments by size and applies size and time retention to whole segments', () => {
    const log = openLog({ 'segment.bytes': '1024', 'retention.bytes': '2048' }, 0)
    const value = 'x'.repeat(300)
    for (let i = 0; i < 12; i++) log.append(batchOf([{ key: `k${i}`, value, timestamp: BigInt(i * 1000) }]), i * 1000)
    expect(log.segments.length).toBeGreaterThan(3)
    applyRetention(log, 12_000)
    expect(log.sizeInBytes).toBeLessThan(2048 + 1024)
    expect(log.logStartOffset).toBe(log.segments[0].baseOffset)
    expect(log.logStartOffset).toBeGreaterThan(0)
    expect(log.read(0, 1 << 20, true).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)

    log.config = logConfigFrom({ 'segment.bytes': '1024', 'retention.ms': '1000' })
    applyRetention(log, 1_000_000)
    expect(log.logStartOffset).toBe(12)
    expect(log.nextOffset).toBe(12)
    expect(log.append(batchOf([{ key: 'after', value: 'v' }]), 1_000_000).baseOffset).toBe(12)
  })
})

describe('partition log syncs (flush.messages, flush.ms)', () => {
  let dir: string
  let syncs: LogSyncs
  const open: PartitionLog[] = []
  const openLog = (configs: Record<string, string> = {}): PartitionLog => {
    const log = new PartitionLog(dir, logConfigFrom(configs), silentLogger, Date.now())
    open.push(log)
    return log
  }
  const one = (i: number): Buffer => batchOf([{ key: `k${i}`, value: 'v' }])

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-log-sync-'))
    syncs = watchLogSyncs(dir)
  })

  afterEach(() => {
    syncs.stop()
    for (const log of open.splice(0)) log.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it("syncs nothing by itself with Kafka's defaults, and everything when flushed", async () => {
    const log = openLog()
    for (let i = 0; i < 50; i++) expect(log.append(one(i), 0).sync).toBeUndefined()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(syncs.paths).toEqual([])
    expect(log.unsyncedMessages).toBe(50)
    await log.flush()
    expect(syncs.paths).toHaveLength(1)
    expect(log.unsyncedMessages).toBe(0)
  })

  it('syncs once flush.messages messages were appended since the last sync, markers included', async () => {
    const log = openLog({ 'flush.messages': '3' })
    expect(log.append(one(0), 0).sync).toBeUndefined()
    expect(log.append(one(1), 0).sync).toBeUndefined()
    expect(syncs.paths).toEqual([])
    const third = log.append(one(2), 0)
    expect(third.sync).toBeInstanceOf(Promise)
    await third.sync
    expect(syncs.paths).toHaveLength(1)

    // One batch of three records is due by itself.
    await log.append(batchOf([{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: 'c', value: '3' }]), 0).sync
    expect(syncs.paths).toHaveLength(2)

    // A transaction marker is a message too; its sync runs in the background.
    log.append(one(3), 0)
    log.append(one(4), 0)
    log.appendMarker({ producerId: 7n, producerEpoch: 0, type: ControlType.ABORT, coordinatorEpoch: 0, timestamp: 0 }, 0)
    await waitFor('the sync due after the marker', () => syncs.paths.length === 3)
  })

  it('syncs a log with unsynced messages once flush.ms passed since its last sync, and an idle one never', async () => {
    const timed = openLog({ 'flush.ms': '30' })
    expect(timed.append(one(0), 0).sync).toBeUndefined()
    expect(syncs.paths).toEqual([]) // the timer cannot have run yet
    await waitFor('the flush.ms sync', () => syncs.paths.length === 1)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(syncs.paths).toHaveLength(1) // nothing appended since: no more syncs
  })

  it('counts from the sync of a segment roll', () => {
    const log = openLog({ 'flush.messages': '3', 'segment.bytes': '1024' })
    log.append(one(0), 0)
    log.append(one(1), 0)
    log.roll(0)
    expect(syncs.paths).toHaveLength(1) // the roll syncs the sealed segment
    expect(log.unsyncedMessages).toBe(0)
    expect(log.append(one(2), 0).sync).toBeUndefined()
  })
})
