import { describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import { PartitionGroup } from '../../src/engine/index.js'

interface Item {
  readonly offset: bigint
  readonly timestamp: number
  readonly id: string
}

const a = { topic: 'a', partition: 0 }
const b = { topic: 'b', partition: 0 }

function item(id: string, offset: number, timestamp: number): Item {
  return { id, offset: BigInt(offset), timestamp }
}

function drain(group: PartitionGroup<Item>): string[] {
  const ids: string[] = []
  for (let next = group.nextRecord(); next !== undefined; next = group.nextRecord()) ids.push(next.record.id)
  return ids
}

describe('PartitionGroup', () => {
  it('takes the buffered head with the smallest timestamp across partitions', () => {
    const group = new PartitionGroup<Item>([a, b])
    group.add('a', 0, item('a0', 0, 10))
    group.add('a', 0, item('a1', 1, 30))
    group.add('a', 0, item('a2', 2, 5)) // out of order within its partition: stays behind a1
    group.add('b', 0, item('b0', 0, 20))
    group.add('b', 0, item('b1', 1, 25))
    expect(group.numBuffered()).toBe(5)
    expect(drain(group)).toEqual(['a0', 'b0', 'b1', 'a1', 'a2'])
    expect(group.numBuffered()).toBe(0)
    expect(group.partitionTimeMs('a', 0)).toBe(30)
    expect(group.partitionTimeMs('b', 0)).toBe(25)
  })

  it('prefers the first partition on equal timestamps', () => {
    const group = new PartitionGroup<Item>([a, b])
    group.add('b', 0, item('b0', 0, 7))
    group.add('a', 0, item('a0', 0, 7))
    expect(drain(group)).toEqual(['a0', 'b0'])
  })

  /** A lag provider over a mutable table: undefined until a partition's lag is set (not fetched yet). */
  function lags(initial: Record<string, bigint> = {}) {
    const table = new Map<string, bigint>(Object.entries(initial))
    return {
      set: (topic: string, lag: bigint) => table.set(topic, lag),
      fetchedLag: (p: { topic: string; partition: number }) => table.get(p.topic),
    }
  }

  describe('task idling (KIP-695)', () => {
    it('-1 processes at once whatever the empty partitions hold', () => {
      const lag = lags({ b: 500n })
      const group = new PartitionGroup<Item>([a, b], { maxTaskIdleMs: -1, fetchedLag: lag.fetchedLag })
      expect(group.readyToProcess(0)).toBe(false) // nothing buffered
      group.add('a', 0, item('a0', 0, 10))
      expect(group.readyToProcess(0)).toBe(true)
    })

    it('0 waits while an empty partition has records on the broker, or its lag is not known yet', () => {
      const lag = lags()
      const group = new PartitionGroup<Item>([a, b], { fetchedLag: lag.fetchedLag })
      group.add('a', 0, item('a0', 0, 10))
      expect(group.readyToProcess(0)).toBe(false) // b not fetched yet
      lag.set('b', 3n)
      expect(group.readyToProcess(60_000)).toBe(false) // however long: b's records are on the broker
      lag.set('b', 0n)
      expect(group.readyToProcess(60_000)).toBe(true) // b caught up: do not wait for data to be produced
      expect(drain(group)).toEqual(['a0'])
      expect(group.enforcedProcessingCount()).toBe(1)
    })

    it('0 processes without counting enforced processing when every partition has data', () => {
      const group = new PartitionGroup<Item>([a, b], { fetchedLag: lags().fetchedLag })
      group.add('a', 0, item('a0', 0, 10))
      group.add('b', 0, item('b0', 0, 5))
      expect(group.readyToProcess(0)).toBe(true)
      expect(group.nextRecord()?.record.id).toBe('b0')
      expect(group.enforcedProcessingCount()).toBe(0)
    })

    it('above 0 also waits that long for a caught-up empty partition, from when it was first seen empty', () => {
      const lag = lags({ b: 0n })
      const group = new PartitionGroup<Item>([a, b], { maxTaskIdleMs: 100, fetchedLag: lag.fetchedLag })
      group.add('a', 0, item('a0', 0, 10))
      expect(group.readyToProcess(1_000)).toBe(false) // the idle deadline is 1_100
      expect(group.readyToProcess(1_099)).toBe(false)
      lag.set('b', 2n)
      expect(group.readyToProcess(1_150)).toBe(false) // data showed up on the broker: fetch it first
      lag.set('b', 0n)
      expect(group.readyToProcess(1_150)).toBe(false) // caught up again: a new deadline, 1_250
      expect(group.readyToProcess(1_250)).toBe(true)
      expect(drain(group)).toEqual(['a0'])
      expect(group.enforcedProcessingCount()).toBe(1)
      // Both partitions buffered: ready at once, and the deadline starts over next time.
      group.add('a', 0, item('a1', 1, 20))
      group.add('b', 0, item('b0', 0, 15))
      expect(group.readyToProcess(2_000)).toBe(true)
      expect(group.nextRecord()?.record.id).toBe('b0')
      expect(group.readyToProcess(3_000)).toBe(false)
      expect(group.readyToProcess(3_100)).toBe(true)
    })

    it('without a lag provider (no broker) every partition counts as caught up', () => {
      const group = new PartitionGroup<Item>([a, b])
      group.add('b', 0, item('b0', 0, 1))
      expect(group.readyToProcess(0)).toBe(true)
    })
  })

  it('signals backpressure when a partition buffer is full, and lifts it as it drains', () => {
    const group = new PartitionGroup<Item>([a, b], { maxBufferedPerPartition: 3 })
    for (let i = 0; i < 3; i++) group.add('a', 0, item(`a${i}`, i, i))
    expect(group.needsPause('a', 0)).toBe(true)
    expect(group.needsPause('b', 0)).toBe(false)
    group.nextRecord()
    expect(group.needsPause('a', 0)).toBe(false)
    expect(group.numBufferedOf('a', 0)).toBe(2)
  })

  it('refuses records of a partition it does not own and bad options', () => {
    const group = new PartitionGroup<Item>([a])
    let error: unknown
    try {
      group.add('a', 1, item('x', 0, 0))
    } catch (e) {
      error = e
    }
    expect(isTributaryError(error, 'TRIBUTARY_ILLEGAL_STATE')).toBe(true)
    expect((error as Error).message).toContain('a-1')
    expect(() => new PartitionGroup<Item>([a], { maxTaskIdleMs: -2 })).toThrow(/maxTaskIdleMs/)
    expect(() => new PartitionGroup<Item>([a], { maxTaskIdleMs: 1.5 })).toThrow(/maxTaskIdleMs/)
  })

  it('keeps FIFO order over many records (queue compaction)', () => {
    const group = new PartitionGroup<Item>([a])
    const ids: string[] = []
    for (let i = 0; i < 5_000; i++) {
      group.add('a', 0, item(String(i), i, 0))
      if (i % 3 === 0) ids.push((group.nextRecord() as { record: Item }).record.id)
    }
    ids.push(...drain(group))
    expect(ids).toEqual(Array.from({ length: 5_000 }, (_, i) => String(i)))
  })
})
