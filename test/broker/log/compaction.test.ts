import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { compactLog } from '../../../src/broker/log/compaction.js'
import { PartitionLog } from '../../../src/broker/log/partition-log.js'
import { logConfigFrom } from '../../../src/broker/log/topic-config.js'
import { silentLogger } from '../../../src/broker/logger.js'
import { batchOf, rowsOf } from '../fixtures/batches.js'

describe('log compaction', () => {
  let dir: string
  let log: PartitionLog

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-compact-'))
    log = new PartitionLog(dir, logConfigFrom({ 'cleanup.policy': 'compact', 'segment.bytes': '1024', 'delete.retention.ms': '10000' }), silentLogger, 0)
  })

  afterEach(() => {
    log.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const readAll = (): Array<[bigint, string | null, string | null]> => {
    const rows: Array<[bigint, string | null, string | null]> = []
    let offset = log.logStartOffset
    while (offset < log.nextOffset) {
      const { records } = log.read(offset, 1 << 20, true)
      if (records === null) break
      const batchRows = rowsOf(records).filter((r) => r[0] >= BigInt(offset))
      rows.push(...batchRows)
      // Batches may end in removed offsets; continue after the batch's last offset.
      offset = Number(records.readBigInt64BE(0)) + records.readInt32BE(23) + 1
      let pos = 0
      while (pos < records.length) {
        offset = Math.max(offset, Number(records.readBigInt64BE(pos)) + records.readInt32BE(pos + 23) + 1)
        pos += records.readInt32BE(pos + 8) + 12
      }
    }
    return rows
  }

  it('keeps the latest value per key with its original offset, in sealed segments only', () => {
    const pad = 'p'.repeat(200)
    const writes: Array<[string, string]> = []
    for (let i = 0; i < 20; i++) writes.push([`driver-${i % 4}`, `v${i}-${pad}`])
    for (const [key, value] of writes) log.append(batchOf([{ key, value, timestamp: 1000n }]), 1000)
    const segmentsBefore = log.segments.length
    expect(segmentsBefore).toBeGreaterThan(2)
    const removed = compactLog(log, 5000)
    expect(removed).toBeGreaterThan(0)
    const rows = readAll()
    const latest = new Map<string, bigint>()
    writes.forEach(([key], i) => latest.set(key, BigInt(i)))
    // Every key's latest offset survives with its value, and only the active segment may hold older ones.
    for (const [key, offset] of latest) {
      expect(rows.find((r) => r[0] === offset)?.[1]).toBe(key)
    }
    const activeBase = BigInt(log.active.baseOffset)
    for (const r of rows) if (r[0] < activeBase) expect(latest.get(r[1] as string)).toBe(r[0])
    expect(log.nextOffset).toBe(20)
  })

  it('removes tombstones only after delete.retention.ms, and with them the deleted key', () => {
    const pad = 'p'.repeat(400)
    log.append(batchOf([{ key: 'a', value: `1${pad}`, timestamp: 1000n }]), 1000)
    log.append(batchOf([{ key: 'b', value: `1${pad}`, timestamp: 1000n }]), 1000)
    log.append(batchOf([{ key: 'a', value: null, timestamp: 2000n }]), 2000)
    log.append(batchOf([{ key: 'c', value: `1${pad}`, timestamp: 3000n }]), 3000)
    log.append(batchOf([{ key: 'd', value: `1${pad}`, timestamp: 3000n }]), 3000)
    compactLog(log, 5000)
    let rows = readAll()
    expect(rows.filter((r) => r[1] === 'a')).toEqual([[2n, 'a', null]])
    compactLog(log, 2000 + 10_001, true)
    rows = readAll()
    expect(rows.filter((r) => r[1] === 'a')).toEqual([])
    expect(rows.map((r) => r[1])).toContain('b')
  })

  it('opens gzip batches to compact them', () => {
    const pad = 'p'.repeat(600)
    const gzipped = batchOf([{ key: 'k', value: `old-${pad}`, timestamp: 1n }, { key: 'j', value: `keep-${pad}`, timestamp: 1n }], 'gzip')
    expect(gzipped.readInt16BE(21) & 0x07).toBe(1)
    log.append(gzipped, 1)
    log.append(batchOf([{ key: 'k', value: 'new', timestamp: 1n }]), 1)
    log.roll(1)
    compactLog(log, 10)
    expect(readAll().map((r) => [r[0], r[1]])).toEqual([[1n, 'j'], [2n, 'k']])
  })
})
