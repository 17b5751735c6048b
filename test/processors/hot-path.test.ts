import { describe, expect, it } from 'vitest'
import { isPromiseLike } from '../../src/core/maybe-promise.js'
import type { Record as StreamRecord } from '../../src/core/record.js'
import { streamAggregateProcessor } from '../../src/processors/aggregate.js'
import { timeWindowAggregateProcessor } from '../../src/processors/time-window-aggregate.js'
import { valueAndTimestampSerde } from '../../src/processors/value-and-timestamp.js'
import { Serdes } from '../../src/serde/serdes.js'
import { createKeyValueStore, createWindowStore } from '../../src/state/index.js'
import { contextWith, storeContext } from './fixtures.js'

describe('aggregations on cached state answer synchronously (no promise per record)', () => {
  it('stream aggregate', async () => {
    const store = createKeyValueStore(
      { name: 'counts', type: 'keyValue', loggingEnabled: false, cachingEnabled: true },
      { supplier: 'memory', keySerde: Serdes.string(), valueSerde: valueAndTimestampSerde(Serdes.json<number>()) },
    )
    await store.init(storeContext)
    const forwarded: StreamRecord<unknown, unknown>[] = []
    const processor = streamAggregateProcessor<string, string, number>({ storeName: 'counts', accumulate: (_k, _v, n) => (n ?? 0) + 1 })()
    await processor.init?.(contextWith(store, forwarded) as never)
    for (let i = 0; i < 3; i++) {
      const result = processor.process({ key: 'a', value: 'x', timestamp: i, headers: {} })
      expect(isPromiseLike(result)).toBe(false)
    }
    expect(forwarded.map((r) => r.value)).toEqual([
      { newValue: 1, oldValue: null },
      { newValue: 2, oldValue: 1 },
      { newValue: 3, oldValue: 2 },
    ])
    await store.close()
  })

  it('hopping window aggregate', async () => {
    const store = createWindowStore(
      { name: 'w', type: 'window', retentionMs: 200, windowSizeMs: 100, loggingEnabled: false, cachingEnabled: true },
      { supplier: 'memory', keySerde: Serdes.string(), valueSerde: valueAndTimestampSerde(Serdes.json<number>()) },
    )
    await store.init(storeContext)
    const forwarded: StreamRecord<unknown, unknown>[] = []
    const processor = timeWindowAggregateProcessor<string, string, number>({
      storeName: 'w',
      windows: { sizeMs: 100, advanceMs: 50, graceMs: 0 },
      accumulate: (_k, _v, n) => (n ?? 0) + 1,
    })()
    await processor.init?.(contextWith(store, forwarded) as never)
    expect(isPromiseLike(processor.process({ key: 'a', value: 'x', timestamp: 60, headers: {} }))).toBe(false)
    expect(isPromiseLike(processor.process({ key: 'a', value: 'x', timestamp: 70, headers: {} }))).toBe(false)
    expect(forwarded.map((r) => [r.key, (r.value as { newValue: number }).newValue])).toEqual([
      [{ key: 'a', window: { start: 0, end: 100 } }, 1],
      [{ key: 'a', window: { start: 50, end: 150 } }, 1],
      [{ key: 'a', window: { start: 0, end: 100 } }, 2],
      [{ key: 'a', window: { start: 50, end: 150 } }, 2],
    ])
    await store.close()
  })
})
