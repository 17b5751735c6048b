import { afterEach, describe, expect, it } from 'vitest'
import { isPromiseLike } from '../../../src/core/maybe-promise.js'
import type { Record as StreamRecord } from '../../../src/core/record.js'
import { streamStreamJoinProcessor } from '../../../src/processors/joins/stream-stream-join.js'
import { timestampedKeyAndJoinSideSerde, unjoinedValuesSerde } from '../../../src/processors/joins/outer-join-store-serdes.js'
import { streamTableJoinProcessor } from '../../../src/processors/joins/stream-table-join.js'
import { valueAndTimestampSerde } from '../../../src/processors/value-and-timestamp.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { createKeyValueStore, createWindowStore } from '../../../src/state/index.js'
import type { StateStore } from '../../../src/state/types.js'
import { openStore, suppliers, TempDirs } from '../../state/fixtures.js'
import { contextWith } from '../fixtures.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

describe('joins on in-memory state answer synchronously (no promise per record)', () => {
  it('stream-table join', async () => {
    const table = createKeyValueStore(
      { name: 't', type: 'keyValue', loggingEnabled: false, cachingEnabled: true },
      { supplier: 'memory', keySerde: Serdes.string(), valueSerde: valueAndTimestampSerde(Serdes.string()) },
    )
    await openStore(dirs, table, { changelog: false })
    await table.put('d1', { value: 'Ana', timestamp: 1 })
    const forwarded: StreamRecord<unknown, unknown>[] = []
    const processor = streamTableJoinProcessor({ storeName: 't', left: true, joiner: (_k, v, t) => `${v}+${t}` })()
    await processor.init?.(contextWith(table, forwarded))
    for (const key of ['d1', 'd2']) expect(isPromiseLike(processor.process({ key, value: 'p', timestamp: 5, headers: {} }))).toBe(false)
    expect(forwarded.map((r) => [r.key, r.value, r.timestamp])).toEqual([['d1', 'p+Ana', 5], ['d2', 'p+null', 5]])
    await table.close()
  })

  it.each(suppliers)('inner stream-stream join on %s', async (supplier) => {
    const other = createWindowStore(
      { name: 'w', type: 'window', retentionMs: 200, windowSizeMs: 200, retainDuplicates: true, streamJoinStore: 'window-buffer', loggingEnabled: false, cachingEnabled: true },
      { supplier, keySerde: Serdes.string(), valueSerde: Serdes.string() },
    )
    // RocksDB join buffers keep their live windows in memory: reads need no promise either.
    await openStore(dirs, other, { changelog: false })
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

  it.each(suppliers)('left stream-stream join on %s, between scans for closed windows', async (supplier) => {
    const other = createWindowStore(
      { name: 'w', type: 'window', retentionMs: 200, windowSizeMs: 200, retainDuplicates: true, streamJoinStore: 'window-buffer', loggingEnabled: false, cachingEnabled: true },
      { supplier, keySerde: Serdes.string(), valueSerde: Serdes.string() },
    )
    const shared = createKeyValueStore(
      { name: 'KSTREAM-OUTERSHARED-0000000004-store', type: 'keyValue', streamJoinStore: 'outer-shared', loggingEnabled: false, cachingEnabled: true },
      { supplier, keySerde: timestampedKeyAndJoinSideSerde(Serdes.string()), valueSerde: unjoinedValuesSerde(Serdes.string(), Serdes.string()) },
    )
    const { context } = await openStore(dirs, other, { changelog: false })
    await openStore(dirs, shared, { changelog: false, taskDir: context.taskDir })
    await other.put('k', 'b', 95)
    const forwarded: StreamRecord<unknown, unknown>[] = []
    const stores = new Map<string, StateStore>([['w', other], [shared.name, shared]])
    const processor = streamStreamJoinProcessor({
      side: 'left',
      otherStoreName: 'w',
      outerStoreName: shared.name,
      outer: true,
      windows: { beforeMs: 10, afterMs: 10, graceMs: 0 },
      joiner: (_k, l, r) => `${l}+${r}`,
    })()
    await processor.init?.({ ...contextWith(other, forwarded), getStateStore: <S extends StateStore>(name: string) => stores.get(name) as S })
    // The first record scans the shared store once (nothing is known about it yet).
    await processor.process({ key: 'x', value: 'a', timestamp: 100, headers: {} })
    // A match, and an unmatched record buffered: no closed window yet, so no promise.
    expect(isPromiseLike(processor.process({ key: 'k', value: 'c', timestamp: 101, headers: {} }))).toBe(false)
    expect(isPromiseLike(processor.process({ key: 'y', value: 'd', timestamp: 102, headers: {} }))).toBe(false)
    // Past the window of x and y: they are emitted with a null partner.
    await processor.process({ key: 'z', value: 'e', timestamp: 200, headers: {} })
    expect(forwarded.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k', 'c+b', 101],
      ['x', 'a+null', 100],
      ['y', 'd+null', 102],
    ])
    await other.close()
    await shared.close()
  })
})
