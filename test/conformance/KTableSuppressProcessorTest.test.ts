// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/suppress/KTableSuppressProcessorTest.java
//
// Java drives KTableSuppressProcessor directly: a mock context, an in-memory buffer without logging,
// and hand-made Change<Long> values, capturing context.forward(). Here each case runs through the DSL
// and the test driver: the suppressed table is read from a topic (`input`, or a windowed aggregation
// of it), and what the processor forwards is read from the output topic (key, new value, timestamp,
// headers). What that changes:
// - The old half of a Change cannot be chosen: the table's store supplies it. Java's ARBITRARY_CHANGE
//   (new 7, old 14) is a table update to 7; Java's tombstones `new Change<>(null, 5L)` are deletions of
//   keys the table does not hold (new and old null). Neither old value is visible downstream of the
//   output topic, and none of these cases depends on it.
// - Windowed keys come from aggregations, whose reduce keeps the latest value. A record of window
//   [0, 100) cannot have timestamp 100 (Java's `new TimeWindow(0, 100)` at 100): the cases that need a
//   window ending at the record's time use a sliding window, [0, 100] for a record at 100. Windowed
//   tombstones come from `mapValues` to null. A session's updates carry its end as timestamp (0 for
//   the session [0, 0] of a record at 0, where Java's record has 100).
// - Java's record metadata topic is "", here "input": the byte bounds count 5 more bytes per entry,
//   which changes none of the outcomes (the entries are 36 and 41 bytes against Java's 39 and 44).
// - The Java harness names the node "testNode"; here the suppress node is KTABLE-SUPPRESS-<n>.
import { afterEach, describe, expect, it } from 'vitest'
import { isTributaryError, SuppressionBufferFullError } from '../../src/core/errors.js'
import type { Windowed } from '../../src/core/windowed.js'
import { BufferConfig, SessionWindows, SlidingWindows, StreamsBuilder, Suppressed, TimeWindows } from '../../src/dsl/index.js'
import type { KTable } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { Serde } from '../../src/serde/serde.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const STRING_SERDE = Serdes.string()

/** Kafka's LongSerde, for JS numbers (Tributary's Serdes.int64() works on bigint). */
const LONG_SERDE: Serde<number> = {
  serialize(value) {
    const out = Buffer.alloc(8)
    out.writeBigInt64BE(BigInt(value))
    return out
  },
  deserialize(data) {
    return Number(data.readBigInt64BE(0))
  },
}

// Java's static imports of Suppressed.untilTimeLimit / untilWindowCloses and Suppressed.BufferConfig.*
const { untilTimeLimit, untilWindowCloses } = Suppressed
const { maxBytes, maxRecords, unbounded } = BufferConfig

const ARBITRARY_LONG = 5
/** Java's ARBITRARY_CHANGE is Change(7, 14): an update of the table to 7. */
const ARBITRARY_VALUE = 7
/** Duration.ofDays(100). */
const HUNDRED_DAYS = 100 * 24 * 60 * 60 * 1000

/** Windowed<String>.toString() in Kafka Streams: "[hey@0/100]". */
const windowedToString = (k: Windowed<string>): string => `[${k.key}@${k.window.start}/${k.window.end}]`

/** A captured forward: key, new value, timestamp (and headers, as text, where a case sets them). */
type Forward = [string, number | null, number] | [string, number | null, number, Record<string, string>]

describe('KTableSuppressProcessorTest', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  /**
   * Java's Harness: `suppressed` over the table `windowed(input)` (default: the table of `input`), its
   * forwards written to `output` (windowed keys as their toString), and the raw table to `raw`.
   */
  function harness(suppressed: Suppressed, windowed?: (builder: StreamsBuilder) => KTable<Windowed<string>, number>) {
    const builder = new StreamsBuilder()
    if (windowed === undefined) {
      const table = builder.table<string, number>('input', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
      table.suppress(suppressed).toStream().to('output', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
      table.toStream().to('raw', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
    } else {
      const table = windowed(builder)
      table
        .suppress(suppressed)
        .toStream()
        .map((k, v): [string, number | null] => [windowedToString(k), v])
        .to('output', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
      table
        .toStream()
        .map((k, v): [string, number | null] => [windowedToString(k), v])
        .to('raw', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
    }
    const d = new TopologyTestDriver(builder.build())
    driver = d
    const input = d.createInputTopic('input', STRING_SERDE, LONG_SERDE)
    const read = (topic: string, withHeaders: boolean): Forward[] =>
      d
        .createOutputTopic(topic, STRING_SERDE, LONG_SERDE)
        .readRecordsToList()
        .map((r): Forward => {
          const kvt: [string, number | null, number] = [r.key!, r.value, r.timestamp]
          if (!withHeaders) return kvt
          return [...kvt, Object.fromEntries(Object.entries(r.headers).map(([name, value]) => [name, value.toString('utf8')]))]
        })
    return {
      process: (key: string, value: number | null, timestamp: number, headers?: Record<string, string>) =>
        input.pipeInput(key, value, timestamp, headers === undefined ? {} : Object.fromEntries(Object.entries(headers).map(([n, v]) => [n, Buffer.from(v, 'utf8')]))),
      /** context.forwarded(), since the last call. */
      forwarded: (withHeaders = false) => read('output', withHeaders),
      /** The table's own updates, since the last call: what reached the suppression. */
      raw: () => read('raw', false),
    }
  }

  /** `groupByKey().windowedBy(windows).reduce(latest)`: the window holds the latest value of its key. */
  const timeWindowed = (windows: TimeWindows) => (builder: StreamsBuilder) =>
    builder
      .stream<string, number>('input', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
      .groupByKey()
      .windowedBy(windows)
      .reduce((_aggregate, value) => value, { valueSerde: LONG_SERDE })

  /** Sliding windows of 100 ms without grace: a record at 100 updates the window [0, 100], ending at its time. */
  const slidingWindowed = (builder: StreamsBuilder) =>
    builder
      .stream<string, number>('input', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(100))
      .reduce((_aggregate, value) => value, { valueSerde: LONG_SERDE })

  /** Session windows of gap 1 without grace; the session [0, 0] of a record at 0 ends at 0. */
  const sessionWindowed = (builder: StreamsBuilder) =>
    builder
      .stream<string, number>('input', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1))
      .reduce((_aggregate, value) => value, { valueSerde: LONG_SERDE })

  /** A windowed tombstone: every update of the windowed table becomes a deletion (new value null). */
  const deleted =
    (windowed: (builder: StreamsBuilder) => KTable<Windowed<string>, number>) =>
    (builder: StreamsBuilder): KTable<Windowed<string>, number> =>
      windowed(builder).mapValues((): number => null as unknown as number)

  it('zeroTimeLimitShouldImmediatelyEmit', async () => {
    const h = harness(untilTimeLimit(0, unbounded()))

    const timestamp = ARBITRARY_LONG
    await h.process('hey', ARBITRARY_VALUE, timestamp)

    expect(h.forwarded()).toEqual([['hey', ARBITRARY_VALUE, timestamp]])
  })

  it('windowedZeroTimeLimitShouldImmediatelyEmit', async () => {
    const h = harness(untilTimeLimit(0, unbounded()), timeWindowed(TimeWindows.ofSizeWithNoGrace(100)))

    const timestamp = ARBITRARY_LONG
    await h.process('hey', ARBITRARY_VALUE, timestamp)

    expect(h.forwarded()).toEqual([['[hey@0/100]', ARBITRARY_VALUE, timestamp]])
  })

  it('intermediateSuppressionShouldBufferAndEmitLater', async () => {
    const h = harness(untilTimeLimit(1, unbounded()))

    const timestamp = 0
    await h.process('hey', null, timestamp)
    expect(h.forwarded()).toEqual([])

    await h.process('tick', null, 1)

    expect(h.forwarded()).toEqual([['hey', null, timestamp]])
  })

  it('finalResultsSuppressionShouldBufferAndEmitAtGraceExpiration', async () => {
    // finalResults(ofMillis(1L)) over windows of 1 ms: TimeWindows of size 1 and grace 1.
    const h = harness(untilWindowCloses(unbounded()), timeWindowed(TimeWindows.ofSizeAndGrace(1, 1)))

    const recordTime = 99
    await h.process('hey', ARBITRARY_VALUE, recordTime) // window [99, 100)
    expect(h.forwarded()).toEqual([])

    // although the stream time is now 100, we have to wait 1 ms after the window *end* before we
    // emit "hey", so we don't emit yet.
    await h.process('dummyKey1', ARBITRARY_VALUE, 100) // window [100, 101)
    expect(h.forwarded()).toEqual([])

    // ok, now it's time to emit "hey"
    await h.process('dummyKey2', ARBITRARY_VALUE, 101) // window [101, 102)

    expect(h.forwarded()).toEqual([['[hey@99/100]', ARBITRARY_VALUE, recordTime]])
  })

  /**
   * Testing a special case of final results: that even with a grace period of 0,
   * it will still buffer events and emit only after the end of the window.
   * As opposed to emitting immediately the way regular suppression would with a time limit of 0.
   */
  it('finalResultsWithZeroGraceShouldStillBufferUntilTheWindowEnd', async () => {
    const h = harness(untilWindowCloses(unbounded()), timeWindowed(TimeWindows.ofSizeWithNoGrace(100)))

    // note the record is in the past, but the window end is in the future, so we still have to buffer,
    // even though the grace period is 0.
    const timestamp = 5
    const windowEnd = 100
    await h.process('hey', ARBITRARY_VALUE, timestamp) // window [0, 100)
    expect(h.forwarded()).toEqual([])

    await h.process('dummyKey', ARBITRARY_VALUE, windowEnd) // window [100, 200)

    expect(h.forwarded()).toEqual([['[hey@0/100]', ARBITRARY_VALUE, timestamp]])
  })

  it('finalResultsWithZeroGraceAtWindowEndShouldImmediatelyEmit', async () => {
    // A window ending at its record's time: the sliding window [0, 100] of a record at 100.
    const h = harness(untilWindowCloses(unbounded()), slidingWindowed)

    const timestamp = 100
    await h.process('hey', ARBITRARY_VALUE, timestamp)

    expect(h.forwarded()).toEqual([['[hey@0/100]', ARBITRARY_VALUE, timestamp]])
  })

  /**
   * It's desirable to drop tombstones for final-results windowed streams, since (as described in the
   * {@link SuppressedInternal} javadoc), they are unnecessary to emit.
   */
  it('finalResultsShouldDropTombstonesForTimeWindows', async () => {
    const h = harness(untilWindowCloses(unbounded()), deleted(slidingWindowed))

    const timestamp = 100
    await h.process('hey', ARBITRARY_LONG, timestamp)

    expect(h.raw()).toEqual([['[hey@0/100]', null, timestamp]]) // the tombstone reached the suppression
    expect(h.forwarded()).toEqual([])
  })

  /**
   * It's desirable to drop tombstones for final-results windowed streams, since (as described in the
   * {@link SuppressedInternal} javadoc), they are unnecessary to emit.
   */
  it('finalResultsShouldDropTombstonesForSessionWindows', async () => {
    const h = harness(untilWindowCloses(unbounded()), deleted(sessionWindowed))

    await h.process('hey', ARBITRARY_LONG, 0) // the session [0, 0]
    // Java's record at 100 closes the session at once (grace 0); here a later record moves stream time to 100.
    await h.process('dummyKey', ARBITRARY_LONG, 100)

    expect(h.raw()).toEqual([
      ['[hey@0/0]', null, 0],
      ['[dummyKey@100/100]', null, 100],
    ])
    expect(h.forwarded()).toEqual([])
  })

  /**
   * It's NOT OK to drop tombstones for non-final-results windowed streams, since we may have emitted some results for
   * the window before getting the tombstone (see the {@link SuppressedInternal} javadoc).
   */
  it('suppressShouldNotDropTombstonesForTimeWindows', async () => {
    const h = harness(untilTimeLimit(0, maxRecords(0)), deleted(slidingWindowed))

    const timestamp = 100
    const headers = { k: 'v' }
    await h.process('hey', ARBITRARY_LONG, timestamp, headers)

    expect(h.forwarded(true)).toEqual([['[hey@0/100]', null, timestamp, headers]])
  })

  /**
   * It's NOT OK to drop tombstones for non-final-results windowed streams, since we may have emitted some results for
   * the window before getting the tombstone (see the {@link SuppressedInternal} javadoc).
   */
  it('suppressShouldNotDropTombstonesForSessionWindows', async () => {
    const h = harness(untilTimeLimit(0, maxRecords(0)), deleted(sessionWindowed))

    await h.process('hey', ARBITRARY_LONG, 0) // the session [0, 0], whose updates carry its end (0) as timestamp

    expect(h.forwarded()).toEqual([['[hey@0/0]', null, 0]])
  })

  /**
   * It's SUPER NOT OK to drop tombstones for non-windowed streams, since we may have emitted some results for
   * the key before getting the tombstone (see the {@link SuppressedInternal} javadoc).
   */
  it('suppressShouldNotDropTombstonesForKTable', async () => {
    const h = harness(untilTimeLimit(0, maxRecords(0)))

    const timestamp = 100
    await h.process('hey', null, timestamp)

    expect(h.forwarded()).toEqual([['hey', null, timestamp]])
  })

  it('suppressShouldEmitWhenOverRecordCapacity', async () => {
    const h = harness(untilTimeLimit(HUNDRED_DAYS, maxRecords(1)))

    const timestamp = 100
    await h.process('hey', null, timestamp)

    await h.process('dummyKey', null, timestamp + 1)

    expect(h.forwarded()).toEqual([['hey', null, timestamp]])
  })

  it('suppressShouldEmitWhenOverByteCapacity', async () => {
    const h = harness(untilTimeLimit(HUNDRED_DAYS, maxBytes(60)))

    const timestamp = 100
    await h.process('hey', null, timestamp)

    await h.process('dummyKey', null, timestamp + 1)

    expect(h.forwarded()).toEqual([['hey', null, timestamp]])
  })

  it('suppressShouldShutDownWhenOverRecordCapacity', async () => {
    const h = harness(untilTimeLimit(HUNDRED_DAYS, maxRecords(1).shutDownWhenFull()))

    const timestamp = 100
    await h.process('hey', null, timestamp)

    let error: unknown
    try {
      await h.process('dummyKey', null, timestamp)
      expect.fail('expected an exception')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SuppressionBufferFullError)
    expect(isTributaryError(error, 'TRIBUTARY_STATE')).toBe(true)
    expect((error as Error).message).toContain('buffer exceeded its max capacity')
  })

  it('suppressShouldShutDownWhenOverByteCapacity', async () => {
    const h = harness(untilTimeLimit(HUNDRED_DAYS, maxBytes(60).shutDownWhenFull()))

    const timestamp = 100
    await h.process('hey', null, timestamp)

    let error: unknown
    try {
      await h.process('dummyKey', null, timestamp)
      expect.fail('expected an exception')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SuppressionBufferFullError)
    expect(isTributaryError(error, 'TRIBUTARY_STATE')).toBe(true)
    expect((error as Error).message).toContain('buffer exceeded its max capacity')
  })
})
