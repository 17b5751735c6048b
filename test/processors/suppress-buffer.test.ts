import { afterEach, describe, expect, it } from 'vitest'
import { SuppressionBufferFullError } from '../../src/core/errors.js'
import { isPromiseLike } from '../../src/core/maybe-promise.js'
import type { Record as StreamRecord } from '../../src/core/record.js'
import type { Change, Windowed } from '../../src/core/windowed.js'
import { suppressProcessor, type SuppressSpec } from '../../src/processors/suppress.js'
import type { Serde } from '../../src/serde/serde.js'
import { Serdes } from '../../src/serde/serdes.js'
import { sessionWindowedSerde } from '../../src/serde/windowed.js'
import { createTimeOrderedBuffer } from '../../src/state/index.js'
import type { TimeOrderedBuffer } from '../../src/state/types.js'
import { openStore, TempDirs, type TestStoreContext } from '../state/fixtures.js'
import { contextWith } from './fixtures.js'

type Update<K> = StreamRecord<K, Change<number>>

const windowed = (key: string, start: number, end: number): Windowed<string> => ({ key, window: { start, end } })
const update = <K>(key: K, newValue: number | null, oldValue: number | null, timestamp: number): Update<K> => ({
  key,
  value: { newValue, oldValue },
  timestamp,
  headers: { seq: Buffer.from(String(timestamp)) },
})

/** A suppress processor over a real buffer store, as its task would run it (the buffer opened, maybe restored, before `init`). */
async function openSuppress<K>(dirs: TempDirs, spec: SuppressSpec, keySerde: Serde<K>, restoreFrom?: TestStoreContext) {
  const buffer = createTimeOrderedBuffer<K, number>(
    { name: 'buffer', type: 'keyValue', timeOrderedBuffer: true, loggingEnabled: true, cachingEnabled: false },
    { keySerde, valueSerde: Serdes.json<number>() },
  )
  const { context } = await openStore(dirs, buffer)
  if (restoreFrom !== undefined) await buffer.restore(restoreFrom.logged.map(({ key, value }) => ({ key, value })))
  const forwarded: StreamRecord<unknown, unknown>[] = []
  const processor = suppressProcessor<K, number>(spec, 'buffer')()
  processor.init?.(contextWith(buffer, forwarded) as never)
  const feed = async (records: readonly Update<K>[]) => {
    for (const r of records) {
      const done = processor.process(r)
      if (isPromiseLike(done)) await done
    }
  }
  return { buffer: buffer as TimeOrderedBuffer<K, number>, context, forwarded, feed }
}

/** The finals of an uninterrupted run, and of a run restarted from the changelog after `before`. */
async function uninterruptedAndRestarted<K>(dirs: TempDirs, spec: SuppressSpec, keySerde: Serde<K>, before: Update<K>[], after: Update<K>[]) {
  const whole = await openSuppress(dirs, spec, keySerde)
  await whole.feed([...before, ...after])

  const first = await openSuppress(dirs, spec, keySerde)
  await first.feed(before)
  await first.buffer.flush() // the commit before the restart
  await first.buffer.close()
  const second = await openSuppress(dirs, spec, keySerde, first.context)
  await second.feed(after)
  return { uninterrupted: whole.forwarded, restarted: [...first.forwarded, ...second.forwarded], beforeRestart: first.forwarded.length }
}

describe('suppress over its changelogged buffer', () => {
  const dirs = new TempDirs()
  afterEach(() => dirs.cleanup())

  it('untilWindowCloses: a restarted buffer emits the same finals, with their timestamps, headers and prior values', async () => {
    const spec: SuppressSpec = { kind: 'until-window-closes', graceMs: 0 }
    const { uninterrupted, restarted, beforeRestart } = await uninterruptedAndRestarted(
      dirs,
      spec,
      sessionWindowedSerde(Serdes.string()),
      [
        update(windowed('a', 0, 10), 1, null, 5),
        update(windowed('b', 0, 10), 1, null, 6),
        update(windowed('a', 10, 20), 1, null, 12), // closes window 0
        update(windowed('a', 10, 20), 2, 1, 15),
        update(windowed('b', 10, 20), 1, null, 16),
      ],
      [
        // After a join an update of a closed window can still arrive: the restored stream time (16) drops it.
        update(windowed('a', 0, 10), 9, 1, 8),
        update(windowed('b', 10, 20), 2, 1, 18),
        update(windowed('a', 20, 30), 1, null, 25), // closes window 1
      ],
    )
    expect(restarted).toEqual(uninterrupted)
    expect(beforeRestart).toBe(2)
    expect(restarted.map((r) => [(r.key as Windowed<string>).key, (r.key as Windowed<string>).window.start, r.value, r.timestamp, r.headers.seq?.toString()])).toEqual([
      ['a', 0, { newValue: 1, oldValue: null }, 5, '5'],
      ['b', 0, { newValue: 1, oldValue: null }, 6, '6'],
      ['a', 10, { newValue: 2, oldValue: null }, 15, '15'],
      ['b', 10, { newValue: 2, oldValue: null }, 18, '18'],
    ])
  })

  it('untilTimeLimit: a restarted buffer keeps each key due at its first buffered time, with the value downstream saw', async () => {
    const spec: SuppressSpec = { kind: 'until-time-limit', timeLimitMs: 10 }
    const { uninterrupted, restarted, beforeRestart } = await uninterruptedAndRestarted(
      dirs,
      spec,
      Serdes.string(),
      [update('x', 1, null, 0), update('y', 5, 4, 3), update('x', 2, 1, 9), update('y', null, 5, 11)], // x (due at 10) goes out at 11
      [update('x', 3, 2, 12), update('z', 7, null, 13), update('w', 1, null, 30)], // y (due at 13) goes out at 13; x and z (due at 22, 23) at 30
    )
    expect(restarted).toEqual(uninterrupted)
    expect(beforeRestart).toBe(1)
    expect(restarted.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['x', { newValue: 2, oldValue: null }, 9],
      ['y', { newValue: null, oldValue: 4 }, 11],
      ['x', { newValue: 3, oldValue: 2 }, 12],
      ['z', { newValue: 7, oldValue: null }, 13],
    ])
  })

  it('untilTimeLimit with maxRecords: the restored buffer counts its restored keys against the bound', async () => {
    const spec: SuppressSpec = { kind: 'until-time-limit', timeLimitMs: 1_000, maxRecords: 2 }
    const { uninterrupted, restarted } = await uninterruptedAndRestarted(
      dirs,
      spec,
      Serdes.string(),
      [update('a', 1, null, 1), update('b', 1, null, 2)],
      [update('c', 1, null, 3)], // three held, two allowed: the oldest, a, goes out early
    )
    expect(restarted).toEqual(uninterrupted)
    expect(restarted.map((r) => r.key)).toEqual(['a'])
  })

  it('untilTimeLimit with maxBytes: the restored buffer counts its restored keys bytes against the bound', async () => {
    // Each key: 8 (buffer time) + key (1) + new value '1' (1) + 20 (record context) + header seq = '<t>' (4) = 34 bytes.
    const spec: SuppressSpec = { kind: 'until-time-limit', timeLimitMs: 1_000, maxBytes: 68 }
    const { uninterrupted, restarted } = await uninterruptedAndRestarted(
      dirs,
      spec,
      Serdes.string(),
      [update('a', 1, null, 1), update('b', 1, null, 2)], // 68 bytes: within the bound
      [update('c', 1, null, 3)], // 102 bytes: the oldest, a, goes out early
    )
    expect(restarted).toEqual(uninterrupted)
    expect(restarted.map((r) => r.key)).toEqual(['a'])
  })

  it('shut down when full: a put over the bound fails with SuppressionBufferFullError, after emitting what is due', async () => {
    const spec: SuppressSpec = { kind: 'until-time-limit', timeLimitMs: 10, maxRecords: 1, bufferFullStrategy: 'shut-down' }
    const { forwarded, feed } = await openSuppress(dirs, spec, Serdes.string())
    await feed([update('a', 1, null, 0), update('b', 1, null, 10)]) // a is due at 10: out before the bound is checked
    expect(forwarded.map((r) => r.key)).toEqual(['a'])
    const error = await feed([update('c', 1, null, 11)]).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SuppressionBufferFullError)
    expect((error as Error).message).toBe(
      'KTABLE-SUPPRESS buffer exceeded its max capacity. Currently [2/1] records. The suppression is set to shut down when full ' +
        '(BufferConfig...shutDownWhenFull()): raise its maxRecords or maxBytes, use BufferConfig.unbounded(), or, for ' +
        'Suppressed.untilTimeLimit, emitEarlyWhenFull() to emit the oldest updates early.',
    )
    expect(forwarded.map((r) => r.key)).toEqual(['a'])
  })
})
