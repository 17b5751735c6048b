import { afterEach, describe, expect, it } from 'vitest'
import type { BytesStore } from '../../../src/state/bytes-store.js'
import { WindowKeySchema } from '../../../src/state/key-schema/window-key-schema.js'
import { MemorySegments } from '../../../src/state/memory/memory-segments.js'
import { RetentionClock, segmentIntervalFor } from '../../../src/state/segments/retention-clock.js'
import { SegmentedBytesStore } from '../../../src/state/segments/segmented-bytes-store.js'
import { RocksDbSegments } from '../../../src/state/rocksdb/rocksdb-segments.js'
import { collect, TempDirs, TestStoreContext } from '../fixtures.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

const schema = new WindowKeySchema(false)
const at = (key: string, time: number): Buffer => schema.toStoreKey(Buffer.from(key), time, 0)
const named = (entries: { key: Buffer }[]): string[] =>
  entries.map((e) => `${schema.key(e.key).toString()}@${schema.windowStart(e.key)}`)

/** A memory segment provider that counts the segments it was asked to scan. */
class CountingSegments extends MemorySegments {
  scans = 0
  override create(segmentId: number): BytesStore {
    const segment = super.create(segmentId)
    const scan = segment.scan.bind(segment)
    segment.scan = (from, to, time) => {
      this.scans++
      return scan(from, to, time)
    }
    return segment
  }
}

async function open(retentionMs: number) {
  const clock = new RetentionClock(retentionMs)
  const segments = new CountingSegments('w', clock.segmentIntervalMs)
  const store = new SegmentedBytesStore('w', schema, clock, segments)
  const context = new TestStoreContext('/nonexistent')
  await store.init(context)
  return { store, segments, context, clock }
}

describe('segment interval', () => {
  it('is half the retention, and at least a minute', () => {
    expect(segmentIntervalFor(10_000)).toBe(60_000)
    expect(segmentIntervalFor(86_400_000)).toBe(43_200_000)
  })
})

describe('SegmentedBytesStore', () => {
  it('puts each key in the segment of its time and drops whole segments past retention', async () => {
    const { store } = await open(120_000) // segments of 60 s
    store.put(at('a', 0), Buffer.from('1'))
    store.put(at('a', 59_999), Buffer.from('2'))
    store.put(at('a', 60_000), Buffer.from('3'))
    store.put(at('a', 130_000), Buffer.from('4'))
    expect(store.segmentIds).toEqual([0, 1, 2])
    // Stream time 180 000: live from 60 001, which is in segment 1: only segment 0 goes.
    store.put(at('b', 180_000), Buffer.from('5'))
    expect(store.segmentIds).toEqual([1, 2, 3])
    expect(store.get(at('a', 0))).toBeUndefined()
    // Older than retention: dropped, and no segment is created for it.
    store.put(at('c', 10), Buffer.from('6'))
    expect(store.segmentIds).toEqual([1, 2, 3])
    expect(store.scan(undefined, undefined)).toHaveLength(3)
    // Restored records past retention are counted as they are dropped.
    await store.restore([{ key: at('d', 20), value: Buffer.from('7') }])
    expect(store.expiredRecords).toBe(1)
    await store.close()
  })

  it('scans only the segments of the time hint and merges segments into key order', async () => {
    const { store, segments } = await open(600_000) // segments of 300 s
    store.put(at('b', 0), Buffer.from('1'))
    store.put(at('a', 400_000), Buffer.from('2'))
    store.put(at('c', 700_000), Buffer.from('3'))
    expect(named(store.scan(undefined, undefined, { timeFrom: 0, timeTo: 450_000 }) as { key: Buffer }[])).toEqual([
      'a@400000',
      'b@0',
    ])
    expect(segments.scans).toBe(2)
    expect(named(await collect(store.iterate(undefined, undefined)))).toEqual(['a@400000', 'b@0', 'c@700000'])
    await store.close()
  })

  it("expires by the largest time written into it, not by the task's stream time (Kafka Streams' observed stream time)", async () => {
    const { store, context, clock } = await open(120_000)
    store.put(at('a', 1_000), Buffer.from('1'))
    // The task saw later records (another store's, another branch's): this store's clock does not move.
    context.streamTime = 500_000
    expect(clock.minLiveTime()).toBe(-118_999)
    expect(store.get(at('a', 1_000))).toEqual(Buffer.from('1'))
    store.put(at('b', 500_000), Buffer.from('2'))
    expect(clock.minLiveTime()).toBe(380_001)
    expect(store.get(at('a', 1_000))).toBeUndefined()
    await store.close()
  })
})

describe('SegmentedBytesStore on RocksDB segments', () => {
  it('reads writes that went to a segment still being opened', async () => {
    const clock = new RetentionClock(120_000)
    const store = new SegmentedBytesStore('w', schema, clock, new RocksDbSegments('w', clock.segmentIntervalMs))
    await store.init(new TestStoreContext(await dirs.make()))
    const writing = store.put(at('a', 1_000), Buffer.from('1')) // opens segment 0
    expect(named(await store.scan(undefined, undefined))).toEqual(['a@1000'])
    expect(named(await collect(store.iterate(undefined, undefined)))).toEqual(['a@1000'])
    await writing
    await store.close()
  })
})
