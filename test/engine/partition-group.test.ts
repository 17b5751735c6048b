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

  it('waits maxTaskIdleMs while some input partitions are empty, then processes what it has', () => {
    const group = new PartitionGroup<Item>([a, b], { maxTaskIdleMs: 100 })
    expect(group.readyToProcess(0)).toBe(false) // nothing buffered
    group.add('a', 0, item('a0', 0, 10))
    expect(group.readyToProcess(1_000)).toBe(false) // idling starts now
    expect(group.readyToProcess(1_099)).toBe(false)
    expect(group.readyToProcess(1_100)).toBe(true)
    expect(group.readyToProcess(1_100)).toBe(true) // asking again counts nothing
    expect(group.enforcedProcessingCount()).toBe(0)
    drain(group)
    expect(group.enforcedProcessingCount()).toBe(1)
    // Both partitions buffered: ready at once, and the idle clock starts over next time.
    group.add('a', 0, item('a1', 1, 20))
    group.add('b', 0, item('b0', 0, 15))
    expect(group.readyToProcess(2_000)).toBe(true)
    expect(drain(group)).toEqual(['b0', 'a1'])
    expect(group.enforcedProcessingCount()).toBe(2) // a1 was taken with b empty (drain skips the readiness check a task makes per record)
    group.add('b', 0, item('b1', 1, 30))
    expect(group.readyToProcess(3_000)).toBe(false)
    expect(group.readyToProcess(3_100)).toBe(true)
  })

  it('does not wait with maxTaskIdleMs 0', () => {
    const group = new PartitionGroup<Item>([a, b])
    group.add('b', 0, item('b0', 0, 1))
    expect(group.readyToProcess(0)).toBe(true)
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
    expect(() => new PartitionGroup<Item>([a], { maxTaskIdleMs: -1 })).toThrow(/maxTaskIdleMs/)
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
