import { describe, expect, it } from 'vitest'
import { isPromiseLike } from '../../../src/core/maybe-promise.js'
import type { Record as StreamRecord } from '../../../src/core/record.js'
import { streamStreamJoinProcessor } from '../../../src/processors/joins/stream-stream-join.js'
import { streamTableJoinProcessor } from '../../../src/processors/joins/stream-table-join.js'
import { valueAndTimestampSerde } from '../../../src/processors/value-and-timestamp.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { createKeyValueStore, createWindowStore } from '../../../src/state/index.js'
import { contextWith, storeContext } from '../fixtures.js'

describe('joins on in-memory state answer synchronously (no promise per record)', () => {
  it('stream-table join', async () => {
    const table = createKeyValueStore(
      { name: 't', type: 'keyValue', loggingEnabled: false, cachingEnabled: true },
      { supplier: 'memory', keySerde: Serdes.string(), valueSerde: valueAndTimestampSerde(Serdes.string()) },
    )
    await table.init(storeContext)
    await table.put('d1', { value: 'Ana', timestamp: 1 })
    const forwarded: StreamRecord<unknown, unknown>[] = []
    const processor = streamTableJoinProcessor({ storeName: 't', left: true, joiner: (v, t) => `${v}+${t}` })()
    await processor.init?.(contextWith(table, forwarded))
    for (const key of ['d1', 'd2']) expect(isPromiseLike(processor.process({ key, value: 'p', timestamp: 5, headers: {} }))).toBe(false)
    expect(forwarded.map((r) => [r.key, r.value, r.timestamp])).toEqual([['d1', 'p+Ana', 5], ['d2', 'p+null', 5]])
    await table.close()
  })

  it('inner stream-stream join', async () => {
    const other = createWindowStore(
      { name: 'w', type: 'window', retentionMs: 200, windowSizeMs: 200, retainDuplicates: true, loggingEnabled: false, cachingEnabled: true },
      { supplier: 'memory', keySerde: Serdes.string(), valueSerde: Serdes.string() },
    )
    await other.init(storeContext)
    await other.put('k', 'b', 95)
    const forwarded: StreamRecord<unknown, unknown>[] = []
    const processor = streamStreamJoinProcessor({
      side: 'left',
      otherStoreName: 'w',
      outerStoreName: undefined,
      outer: false,
      windows: { beforeMs: 10, afterMs: 10, graceMs: 0 },
      joiner: (_k, l, r) => `${l}+${r}`,
    })()
    await processor.init?.(contextWith(other, forwarded))
    expect(isPromiseLike(processor.process({ key: 'k', value: 'a', timestamp: 100, headers: {} }))).toBe(false)
    expect(isPromiseLike(processor.process({ key: 'k', value: 'c', timestamp: 130, headers: {} }))).toBe(false)
    expect(forwarded.map((r) => [r.key, r.value, r.timestamp])).toEqual([['k', 'a+b', 100]])
    await other.close()
  })
})
