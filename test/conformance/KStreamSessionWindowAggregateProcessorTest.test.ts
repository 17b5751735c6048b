// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamSessionWindowAggregateProcessorTest.java
//
// Java drives KStreamSessionWindowAggregate directly with a mock context and a session store
// (STORE_NAME, retention GAP_MS * 3, logging disabled), captures context.forward() and reads the
// store. Here the same cases run through the DSL (groupByKey().windowedBy(SessionWindows).aggregate)
// and the test driver: forwards are read from an output topic (the new value of each Change), the
// store through driver.getSessionStore. Tributary's DSL has no store retention option (Java's
// Stores.persistentSessionStore(name, retention) / Materialized.withRetention): its session store
// keeps gap + grace. Two store tests read a session that only Java's longer retention (GAP_MS * 3)
// still holds; they emulate it with a grace of 2 * GAP_MS (retention = gap + grace = GAP_MS * 3).
// No record in them is anywhere near late, so the larger grace changes nothing else.
//
// Java parameterizes every test by EmitStrategy; both are ported (ON_WINDOW_CLOSE in the second
// describe). Each case runs on Tributary's in-memory and RocksDB stores (Java uses RocksDB).
import { afterEach, describe, expect, it } from 'vitest'
import type { Windowed } from '../../src/core/windowed.js'
import { EmitStrategy, SessionWindows, StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { StreamTask } from '../../src/engine/index.js'
import { CacheBudget } from '../../src/state/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { commit, feed, openTask } from '../engine/task-harness.js'
import { raw, tempDir } from '../runtime/fixtures.js'

const PARAM = '[ON_WINDOW_UPDATE]'
const engines = ['memory', 'rocksdb'] as const

const GAP_MS = 5 * 60 * 1000
const STORE_NAME = 'session-store'

const str = Serdes.string()
const num = Serdes.json<number>()
const windowedKey = Serdes.json<Windowed<string>>()

const initializer = (): number => 0
const aggregator = (_key: string, _value: string, aggregate: number): number => aggregate + 1
const sessionMerger = (_key: string, one: number, two: number): number => one + two

/** Kafka's KeyValueTimestamp<Windowed<String>, Change<Long>> (new value), with the SessionWindow spelled out. */
interface Kvt {
  readonly key: string
  readonly start: number
  readonly end: number
  readonly value: number | null
  readonly timestamp: number
}
const kvt = (key: string, start: number, end: number, value: number | null, timestamp: number): Kvt => ({ key, start, end, value, timestamp })

type Engine = (typeof engines)[number]

describe('KStreamSessionWindowAggregateProcessorTest', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  /** The processor under test, with `windows`, forwarding to 'results'. */
  function setup(stateStores: Engine, windows = SessionWindows.ofInactivityGapWithNoGrace(GAP_MS)) {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('input', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(windows)
      .aggregate(initializer, aggregator, sessionMerger, { storeName: STORE_NAME, valueSerde: num, loggingEnabled: false })
      .toStream()
      .to('results', { keySerde: windowedKey, valueSerde: num })
    const d = new TopologyTestDriver(builder.build(), { stateStores })
    driver = d
    const input = d.createInputTopic('input', str, str)
    const results = d.createOutputTopic('results', windowedKey, num)
    return {
      process: (key: string | null, value: string, timestamp: number) => input.pipeInput(key, value, timestamp),
      results: (): Kvt[] => results.readRecordsToList().map((r) => kvt(r.key!.key, r.key!.window.start, r.key!.window.end, r.value, r.timestamp)),
      sessionStore: d.getSessionStore<string, number>(STORE_NAME),
    }
  }

  /** Java's store retention GAP_MS * 3, as gap + grace (see the top of the file). */
  const withJavaRetention = () => SessionWindows.ofInactivityGapAndGrace(GAP_MS, 2 * GAP_MS)

  const kv = ([w, v]: readonly [Windowed<string>, number]) => [w.key, w.window.start, w.window.end, v]

  it.each(engines)(`shouldCreateSingleSessionWhenWithinGap ${PARAM} (%s stores)`, async (stateStores) => {
    const { process, sessionStore } = setup(stateStores)
    await process('john', 'first', 0)
    await process('john', 'second', 500)

    const values = await sessionStore.findSessions('john', 0, 2000)
    expect(values.length).toBeGreaterThan(0)
    expect(values[0]![1]).toBe(2)
  })

  it.each(engines)(`shouldMergeSessions ${PARAM} (%s stores)`, async (stateStores) => {
    const { process, sessionStore } = setup(stateStores, withJavaRetention())
    const sessionId = 'mel'
    await process(sessionId, 'first', 0)
    expect((await sessionStore.findSessions(sessionId, 0, 0)).length).toBeGreaterThan(0)

    // move time beyond gap
    await process(sessionId, 'second', GAP_MS + 1)
    expect((await sessionStore.findSessions(sessionId, GAP_MS + 1, GAP_MS + 1)).length).toBeGreaterThan(0)
    // should still exist as not within gap
    expect((await sessionStore.findSessions(sessionId, 0, 0)).length).toBeGreaterThan(0)
    // move time back
    await process(sessionId, 'third', GAP_MS / 2)

    const sessions = await sessionStore.findSessions(sessionId, 0, GAP_MS + 1)
    expect(sessions[0]![1]).toBe(3)
    expect(sessions.length).toBe(1)
  })

  it.each(engines)(`shouldUpdateSessionIfTheSameTime ${PARAM} (%s stores)`, async (stateStores) => {
    const { process, sessionStore } = setup(stateStores)
    await process('mel', 'first', 0)
    await process('mel', 'second', 0)
    const sessions = await sessionStore.findSessions('mel', 0, 0)
    expect(sessions[0]![1]).toBe(2)
    expect(sessions.length).toBe(1)
  })

  it.each(engines)(`shouldRemoveMergedSessionsFromStateStore ${PARAM} (%s stores)`, async (stateStores) => {
    const { process, sessionStore } = setup(stateStores)
    await process('a', '1', 0)

    // first ensure it is in the store
    const a1 = await sessionStore.findSessions('a', 0, 0)
    expect(kv(a1[0]!)).toEqual(['a', 0, 0, 1])

    await process('a', '2', 100)
    // a1 from above should have been removed
    // should have merged session in store
    const a2 = await sessionStore.findSessions('a', 0, 100)
    expect(kv(a2[0]!)).toEqual(['a', 0, 100, 2])
    expect(a2.length).toBe(1)
  })

  // Java reads through the aggregation's KTableValueGetter (sessionAggregator.view()), which looks
  // the session up in the store: here the store is read with fetchSession(key, start, end).
  it.each(engines)(`shouldGetAggregatedValuesFromValueGetter ${PARAM} (%s stores)`, async (stateStores) => {
    const { process, sessionStore } = setup(stateStores, withJavaRetention())
    await process('a', '1', 0)
    await process('a', '1', GAP_MS + 1)
    await process('a', '2', GAP_MS + 1)
    const t0 = await sessionStore.fetchSession('a', 0, 0)
    const t1 = await sessionStore.fetchSession('a', GAP_MS + 1, GAP_MS + 1)
    expect(t0).toBe(1)
    expect(t1).toBe(2)
  })

  it.each(engines)(`shouldImmediatelyForwardNewSessionWhenNonCachedStore ${PARAM} (%s stores)`, async (stateStores) => {
    const { process, results } = setup(stateStores)
    await process('a', '1', 0)
    await process('b', '1', 0)
    await process('c', '1', 0)

    expect(results()).toEqual([kvt('a', 0, 0, 1, 0), kvt('b', 0, 0, 1, 0), kvt('c', 0, 0, 1, 0)])
  })

  it.each(engines)(`shouldImmediatelyForwardRemovedSessionsWhenMerging ${PARAM} (%s stores)`, async (stateStores) => {
    const { process, results } = setup(stateStores)
    await process('a', '1', 0)
    await process('a', '1', 5)
    expect(results()).toEqual([kvt('a', 0, 0, 1, 0), kvt('a', 0, 0, null, 0), kvt('a', 0, 5, 2, 5)])
  })

  // Java checks the WARN log line (Java-only) and dropped-records-total; ported: the metric (and that
  // nothing is forwarded).
  it.each(engines)(`shouldLogAndMeterWhenSkippingNullKeyWithBuiltInMetrics ${PARAM} (%s stores)`, async (stateStores) => {
    const { process, results } = setup(stateStores)
    await process(null, '1', 0)
    expect(results()).toEqual([])
    expect(driver!.metrics().droppedRecords).toBe(1)
  })

  // Java checks the "Skipping record for expired window" log line (Java-only) and dropped-records-total.
  // Ported: the metric, and that the late record is never forwarded.
  it.each(engines)(`shouldLogAndMeterWhenSkippingLateRecordWithZeroGrace ${PARAM} (%s stores)`, async (stateStores) => {
    const { process, results } = setup(stateStores, SessionWindows.ofInactivityGapAndGrace(10, 0))

    // dummy record to establish stream time = 0
    await process('dummy', 'dummy', 0)
    // record arrives on time, should not be skipped
    await process('OnTime1', '1', 0)
    // dummy record to advance stream time = 11, 10 for gap time plus 1 to place outside window
    await process('dummy', 'dummy', 11)
    // record is late
    await process('Late1', '1', 0)

    expect(results().filter((r) => r.key === 'Late1')).toEqual([])
    expect(driver!.metrics().droppedRecords).toBe(1)
    expect(driver!.metrics().droppedRecordsByReason.late).toBe(1)
  })

  it.each(engines)(`shouldLogAndMeterWhenSkippingLateRecordWithNonzeroGrace ${PARAM} (%s stores)`, async (stateStores) => {
    const { process, results } = setup(stateStores, SessionWindows.ofInactivityGapAndGrace(10, 1))

    // dummy record to establish stream time = 0
    await process('dummy', 'dummy', 0)
    // record arrives on time, should not be skipped
    await process('OnTime1', '1', 0)
    // dummy record to advance stream time = 11, 10 for gap time plus 1 to place at edge of window
    await process('dummy', 'dummy', 11)
    // delayed record arrives on time, should not be skipped
    await process('OnTime2', '1', 0)
    // dummy record to advance stream time = 12, 10 for gap time plus 2 to place outside window
    await process('dummy', 'dummy', 12)
    // delayed record arrives late
    await process('Late1', '1', 0)

    const forwarded = results()
    expect(forwarded.filter((r) => r.key === 'OnTime2')).not.toEqual([])
    expect(forwarded.filter((r) => r.key === 'Late1')).toEqual([])
    expect(driver!.metrics().droppedRecords).toBe(1)
    expect(driver!.metrics().droppedRecordsByReason.late).toBe(1)
  })
})

// The ON_WINDOW_CLOSE half of Java's parameterization. Java's store is then
// RocksDbTimeOrderedSessionBytesStoreSupplier(STORE_NAME, GAP_MS * 3) without caching; the aggregation
// reads closed sessions from it by session end, whole segments at a time, as Tributary's store does.
// shouldImmediatelyForwardNewSessionWhenNonCachedStore and shouldImmediatelyForwardRemovedSessionsWhenMerging
// return at once under ON_WINDOW_CLOSE in Java (nothing to check) and are not repeated here.
describe('KStreamSessionWindowAggregateProcessorTest [ON_WINDOW_CLOSE]', () => {
  const CLOSE = '[ON_WINDOW_CLOSE]'
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  /** The processor under test, with `windows` and `strategy`, forwarding to 'results'. */
  function setup(stateStores: Engine, windows = SessionWindows.ofInactivityGapWithNoGrace(GAP_MS), strategy = EmitStrategy.onWindowClose()) {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('input', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(windows)
      .emitStrategy(strategy)
      .aggregate(initializer, aggregator, sessionMerger, { storeName: STORE_NAME, valueSerde: num, loggingEnabled: false })
      .toStream()
      .to('results', { keySerde: windowedKey, valueSerde: num })
    const d = new TopologyTestDriver(builder.build(), { stateStores })
    driver = d
    const input = d.createInputTopic('input', str, str)
    const results = d.createOutputTopic('results', windowedKey, num)
    return {
      process: (key: string | null, value: string, timestamp: number) => input.pipeInput(key, value, timestamp),
      results: (): Kvt[] => results.readRecordsToList().map((r) => kvt(r.key!.key, r.key!.window.start, r.key!.window.end, r.value, r.timestamp)),
      sessionStore: d.getSessionStore<string, number>(STORE_NAME),
    }
  }

  /** Java's store retention GAP_MS * 3, as gap + grace (see the top of the file). */
  const withJavaRetention = () => SessionWindows.ofInactivityGapAndGrace(GAP_MS, 2 * GAP_MS)

  const kv = ([w, v]: readonly [Windowed<string>, number]) => [w.key, w.window.start, w.window.end, v]

  it.each(engines)(`shouldCreateSingleSessionWhenWithinGap ${CLOSE} (%s stores)`, async (stateStores) => {
    const { process, sessionStore } = setup(stateStores)
    await process('john', 'first', 0)
    await process('john', 'second', 500)

    const values = await sessionStore.findSessions('john', 0, 2000)
    expect(values.length).toBeGreaterThan(0)
    expect(values[0]![1]).toBe(2)
  })

  it.each(engines)(`shouldMergeSessions ${CLOSE} (%s stores)`, async (stateStores) => {
    const { process, sessionStore } = setup(stateStores, withJavaRetention())
    const sessionId = 'mel'
    await process(sessionId, 'first', 0)
    expect((await sessionStore.findSessions(sessionId, 0, 0)).length).toBeGreaterThan(0)

    // move time beyond gap
    await process(sessionId, 'second', GAP_MS + 1)
    expect((await sessionStore.findSessions(sessionId, GAP_MS + 1, GAP_MS + 1)).length).toBeGreaterThan(0)
    // should still exist as not within gap
    expect((await sessionStore.findSessions(sessionId, 0, 0)).length).toBeGreaterThan(0)
    // move time back
    await process(sessionId, 'third', GAP_MS / 2)

    const sessions = await sessionStore.findSessions(sessionId, 0, GAP_MS + 1)
    expect(sessions[0]![1]).toBe(3)
    expect(sessions.length).toBe(1)
  })

  it.each(engines)(`shouldUpdateSessionIfTheSameTime ${CLOSE} (%s stores)`, async (stateStores) => {
    const { process, sessionStore } = setup(stateStores)
    await process('mel', 'first', 0)
    await process('mel', 'second', 0)
    const sessions = await sessionStore.findSessions('mel', 0, 0)
    expect(sessions[0]![1]).toBe(2)
    expect(sessions.length).toBe(1)
  })

  it.each(engines)(`shouldHaveMultipleSessionsForSameIdWhenTimestampApartBySessionGap ${CLOSE} (%s stores)`, async (stateStores) => {
    const { process, results } = setup(stateStores)
    const sessionId = 'mel'
    let now = 0
    await process(sessionId, 'first', now)
    now += GAP_MS + 1
    await process(sessionId, 'second', now)
    await process(sessionId, 'second', now)
    now += GAP_MS + 1
    await process(sessionId, 'third', now)
    await process(sessionId, 'third', now)
    await process(sessionId, 'third', now)

    expect(results()).toEqual([kvt(sessionId, 0, 0, 1, 0), kvt(sessionId, GAP_MS + 1, GAP_MS + 1, 2, GAP_MS + 1)])
  })

  it.each(engines)(`shouldRemoveMergedSessionsFromStateStore ${CLOSE} (%s stores)`, async (stateStores) => {
    const { process, sessionStore } = setup(stateStores)
    await process('a', '1', 0)

    // first ensure it is in the store
    const a1 = await sessionStore.findSessions('a', 0, 0)
    expect(kv(a1[0]!)).toEqual(['a', 0, 0, 1])

    await process('a', '2', 100)
    // a1 from above should have been removed
    // should have merged session in store
    const a2 = await sessionStore.findSessions('a', 0, 100)
    expect(kv(a2[0]!)).toEqual(['a', 0, 100, 2])
    expect(a2.length).toBe(1)
  })

  it.each(engines)(`shouldHandleMultipleSessionsAndMerging ${CLOSE} (%s stores)`, async (stateStores) => {
    const { process, results } = setup(stateStores)
    await process('a', '1', 0)
    await process('b', '1', 0)
    await process('c', '1', 0)
    await process('d', '1', 0)
    await process('d', '2', GAP_MS / 2)
    await process('a', '2', GAP_MS + 1)
    await process('b', '2', GAP_MS + 1)
    await process('a', '3', GAP_MS + 1 + GAP_MS / 2)
    await process('c', '3', GAP_MS + 1 + GAP_MS / 2)

    expect(results()).toEqual([
      kvt('a', 0, 0, 1, 0),
      kvt('b', 0, 0, 1, 0),
      kvt('c', 0, 0, 1, 0),
      kvt('d', 0, GAP_MS / 2, 2, GAP_MS / 2),
    ])
  })

  // As in the ON_WINDOW_UPDATE port: the value getter is a lookup of the session in the store.
  it.each(engines)(`shouldGetAggregatedValuesFromValueGetter ${CLOSE} (%s stores)`, async (stateStores) => {
    const { process, sessionStore } = setup(stateStores, withJavaRetention())
    await process('a', '1', 0)
    await process('a', '1', GAP_MS + 1)
    await process('a', '2', GAP_MS + 1)
    const t0 = await sessionStore.fetchSession('a', 0, 0)
    const t1 = await sessionStore.fetchSession('a', GAP_MS + 1, GAP_MS + 1)
    expect(t0).toBe(1)
    expect(t1).toBe(2)
  })

  it.each(engines)(`shouldLogAndMeterWhenSkippingNullKeyWithBuiltInMetrics ${CLOSE} (%s stores)`, async (stateStores) => {
    const { process, results } = setup(stateStores)
    await process(null, '1', 0)
    expect(results()).toEqual([])
    expect(driver!.metrics().droppedRecords).toBe(1)
  })

  // Under ON_WINDOW_CLOSE Java still builds these two processors with EmitStrategy.onWindowUpdate()
  // (only the store differs, which Tributary does not vary), so they run with onWindowUpdate() here too.
  it.each(engines)(`shouldLogAndMeterWhenSkippingLateRecordWithZeroGrace ${CLOSE} (%s stores)`, async (stateStores) => {
    const { process, results } = setup(stateStores, SessionWindows.ofInactivityGapAndGrace(10, 0), EmitStrategy.onWindowUpdate())

    // dummy record to establish stream time = 0
    await process('dummy', 'dummy', 0)
    // record arrives on time, should not be skipped
    await process('OnTime1', '1', 0)
    // dummy record to advance stream time = 11, 10 for gap time plus 1 to place outside window
    await process('dummy', 'dummy', 11)
    // record is late
    await process('Late1', '1', 0)

    expect(results().filter((r) => r.key === 'Late1')).toEqual([])
    expect(driver!.metrics().droppedRecords).toBe(1)
    expect(driver!.metrics().droppedRecordsByReason.late).toBe(1)
  })

  it.each(engines)(`shouldLogAndMeterWhenSkippingLateRecordWithNonzeroGrace ${CLOSE} (%s stores)`, async (stateStores) => {
    const { process, results } = setup(stateStores, SessionWindows.ofInactivityGapAndGrace(10, 1), EmitStrategy.onWindowUpdate())

    // dummy record to establish stream time = 0
    await process('dummy', 'dummy', 0)
    // record arrives on time, should not be skipped
    await process('OnTime1', '1', 0)
    // dummy record to advance stream time = 11, 10 for gap time plus 1 to place at edge of window
    await process('dummy', 'dummy', 11)
    // delayed record arrives on time, should not be skipped
    await process('OnTime2', '1', 0)
    // dummy record to advance stream time = 12, 10 for gap time plus 2 to place outside window
    await process('dummy', 'dummy', 12)
    // delayed record arrives late
    await process('Late1', '1', 0)

    const forwarded = results()
    expect(forwarded.filter((r) => r.key === 'OnTime2')).not.toEqual([])
    expect(forwarded.filter((r) => r.key === 'Late1')).toEqual([])
    expect(driver!.metrics().droppedRecords).toBe(1)
    expect(driver!.metrics().droppedRecordsByReason.late).toBe(1)
  })
})

// The two ON_WINDOW_UPDATE cases Java runs with a caching store (ThreadCache of 100000 bytes) and
// checks after one sessionStore.flush(): every record is processed, then the cache is flushed once.
// A test driver commits (and so flushes) after every input, so these run on a task directly: all
// records in, then one commit, with Tributary's record cache of the same size.
describe('KStreamSessionWindowAggregateProcessorTest [ON_WINDOW_UPDATE] with the record cache', () => {
  const dir = tempDir()
  const tasks: StreamTask[] = []
  afterEach(async () => {
    for (const task of tasks.splice(0)) await task.close({ clean: false })
    dir.remove()
  })

  /** Runs the records through the aggregation on a task with a record cache, then commits once. */
  async function processAndFlush(stateStores: Engine, records: readonly [key: string, value: string, timestamp: number][]): Promise<Kvt[]> {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('input', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(GAP_MS))
      .aggregate(initializer, aggregator, sessionMerger, { storeName: STORE_NAME, valueSerde: num, loggingEnabled: false })
      .toStream()
      .to('results', { keySerde: windowedKey, valueSerde: num })
    const { task, collector } = await openTask(builder.build(), { input: 1 }, '0_0', dir.path, stateStores, { recordCache: new CacheBudget(100_000) })
    tasks.push(task)
    await feed(task, records.map(([key, value, timestamp], offset) => raw('input', 0, offset, key, value, timestamp)))
    await commit(task, collector)
    return collector.recordsOf('results').map((r) => {
      const key = windowedKey.deserialize(r.key!, { topic: 'results', isKey: true }) as Windowed<string>
      const value = r.value === null ? null : (num.deserialize(r.value, { topic: 'results', isKey: false }) as number)
      return kvt(key.key, key.window.start, key.window.end, value, r.timestamp)
    })
  }

  it.each(engines)(`shouldHaveMultipleSessionsForSameIdWhenTimestampApartBySessionGap ${PARAM} (%s stores)`, async (stateStores) => {
    const sessionId = 'mel'
    let now = 0
    const records: [string, string, number][] = [[sessionId, 'first', now]]
    now += GAP_MS + 1
    records.push([sessionId, 'second', now], [sessionId, 'second', now])
    now += GAP_MS + 1
    records.push([sessionId, 'third', now], [sessionId, 'third', now], [sessionId, 'third', now])

    expect(await processAndFlush(stateStores, records)).toEqual([
      kvt(sessionId, 0, 0, 1, 0),
      kvt(sessionId, GAP_MS + 1, GAP_MS + 1, 2, GAP_MS + 1),
      kvt(sessionId, now, now, 3, now),
    ])
  })

  it.each(engines)(`shouldHandleMultipleSessionsAndMerging ${PARAM} (%s stores)`, async (stateStores) => {
    const results = await processAndFlush(stateStores, [
      ['a', '1', 0],
      ['b', '1', 0],
      ['c', '1', 0],
      ['d', '1', 0],
      ['d', '2', GAP_MS / 2],
      ['a', '2', GAP_MS + 1],
      ['b', '2', GAP_MS + 1],
      ['a', '3', GAP_MS + 1 + GAP_MS / 2],
      ['c', '3', GAP_MS + 1 + GAP_MS / 2],
    ])
    expect(results).toEqual([
      kvt('a', 0, 0, 1, 0),
      kvt('b', 0, 0, 1, 0),
      kvt('c', 0, 0, 1, 0),
      kvt('d', 0, GAP_MS / 2, 2, GAP_MS / 2),
      kvt('b', GAP_MS + 1, GAP_MS + 1, 1, GAP_MS + 1),
      kvt('a', GAP_MS + 1, GAP_MS + 1 + GAP_MS / 2, 2, GAP_MS + 1 + GAP_MS / 2),
      kvt('c', GAP_MS + 1 + GAP_MS / 2, GAP_MS + 1 + GAP_MS / 2, 1, GAP_MS + 1 + GAP_MS / 2),
    ])
  })
})
