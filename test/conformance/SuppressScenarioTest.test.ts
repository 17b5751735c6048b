// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/SuppressScenarioTest.java
import { afterEach, describe, expect, it } from 'vitest'
import type { Windowed } from '../../src/core/windowed.js'
import { BufferConfig, SessionWindows, SlidingWindows, StreamsBuilder, Suppressed, TimeWindows } from '../../src/dsl/index.js'
import type { KTable } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { Serde } from '../../src/serde/serde.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const STRING_SERDE = Serdes.string()

// Java's static imports of Suppressed.untilTimeLimit / untilWindowCloses and Suppressed.BufferConfig.*
const { untilTimeLimit, untilWindowCloses } = Suppressed
const { maxBytes, maxRecords, unbounded } = BufferConfig

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

/** Java's Long.MAX_VALUE as a duration: Tributary durations are JS numbers. */
const LONG_MAX_VALUE_MS = Number.MAX_SAFE_INTEGER

/** KeyValueTimestamp as [key, value, timestamp]. */
type KVT<V> = [string | null, V | null, number]

/** drainProducerRecords: everything written to the topic since the last drain. */
function drainProducerRecords<V>(driver: TopologyTestDriver, topic: string, valueSerde: Serde<V>): KVT<V>[] {
  return driver
    .createOutputTopic(topic, STRING_SERDE, valueSerde)
    .readRecordsToList()
    .map((r) => [r.key, r.value, r.timestamp])
}

function verify<V>(results: KVT<V>[], expectedResults: KVT<V>[]): void {
  expect(results).toEqual(expectedResults)
}

/** Windowed<String>.toString() in Kafka Streams: "[k1@0/2]". */
const windowedToString = (k: Windowed<string>): string => `[${k.key}@${k.window.start}/${k.window.end}]`

describe('SuppressScenarioTest', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  /**
   * builder.table("input", Consumed(String, String), Materialized(String, String) without caching
   * or logging).groupBy((k, v) -> (v, k), Grouped(String, String)).count()
   */
  function valueCountsOf(builder: StreamsBuilder): KTable<string, number> {
    return builder
      .table<string, string>('input', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .groupBy((k, v): [string, string] => [v, k], { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .count()
  }

  it('shouldImmediatelyEmitEventsWithZeroEmitAfter', async () => {
    const builder = new StreamsBuilder()
    const valueCounts = valueCountsOf(builder)

    valueCounts.suppress(untilTimeLimit(0, unbounded())).toStream().to('output-suppressed', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
    valueCounts.toStream().to('output-raw', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })

    driver = new TopologyTestDriver(builder.build())
    const inputTopic = driver.createInputTopic('input', STRING_SERDE, STRING_SERDE)
    await inputTopic.pipeInput('k1', 'v1', 0)
    await inputTopic.pipeInput('k1', 'v2', 1)
    await inputTopic.pipeInput('k2', 'v1', 2)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [
      ['v1', 1, 0],
      ['v1', 0, 1],
      ['v2', 1, 1],
      ['v1', 1, 2],
    ])
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [
      ['v1', 1, 0],
      ['v1', 0, 1],
      ['v2', 1, 1],
      ['v1', 1, 2],
    ])
    await inputTopic.pipeInput('x', 'x', 3)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [['x', 1, 3]])
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [['x', 1, 3]])
    await inputTopic.pipeInput('x', 'y', 4)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [
      ['x', 0, 4],
      ['y', 1, 4],
    ])
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [
      ['x', 0, 4],
      ['y', 1, 4],
    ])
  })

  it('shouldSuppressIntermediateEventsWithTimeLimit', async () => {
    const builder = new StreamsBuilder()
    const valueCounts = valueCountsOf(builder)
    valueCounts.suppress(untilTimeLimit(2, unbounded())).toStream().to('output-suppressed', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
    valueCounts.toStream().to('output-raw', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })

    driver = new TopologyTestDriver(builder.build())
    const inputTopic = driver.createInputTopic('input', STRING_SERDE, STRING_SERDE)
    await inputTopic.pipeInput('k1', 'v1', 0)
    await inputTopic.pipeInput('k1', 'v2', 1)
    await inputTopic.pipeInput('k2', 'v1', 2)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [
      ['v1', 1, 0],
      ['v1', 0, 1],
      ['v2', 1, 1],
      ['v1', 1, 2],
    ])
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [['v1', 1, 2]])
    // inserting a dummy "tick" record just to advance stream time
    await inputTopic.pipeInput('tick', 'tick', 3)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [['tick', 1, 3]])
    // the stream time is now 3, so it's time to emit this record
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [['v2', 1, 1]])

    await inputTopic.pipeInput('tick', 'tock', 4)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [
      ['tick', 0, 4],
      ['tock', 1, 4],
    ])
    // tick is still buffered, since it was first inserted at time 3, and it is only time 4 right now.
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [])
  })

  it('shouldSuppressIntermediateEventsWithRecordLimit', async () => {
    const builder = new StreamsBuilder()
    // .count(Materialized.with(STRING_SERDE, Serdes.Long()))
    const valueCounts = builder
      .table<string, string>('input', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .groupBy((k, v): [string, string] => [v, k], { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .count({ valueSerde: LONG_SERDE })
    valueCounts
      .suppress(untilTimeLimit(LONG_MAX_VALUE_MS, maxRecords(1).emitEarlyWhenFull()))
      .toStream()
      .to('output-suppressed', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
    valueCounts.toStream().to('output-raw', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })

    driver = new TopologyTestDriver(builder.build())
    const inputTopic = driver.createInputTopic('input', STRING_SERDE, STRING_SERDE)
    await inputTopic.pipeInput('k1', 'v1', 0)
    await inputTopic.pipeInput('k1', 'v2', 1)
    await inputTopic.pipeInput('k2', 'v1', 2)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [
      ['v1', 1, 0],
      ['v1', 0, 1],
      ['v2', 1, 1],
      ['v1', 1, 2],
    ])
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [
      // consecutive updates to v1 get suppressed into only the latter.
      ['v1', 0, 1],
      ['v2', 1, 1],
      // the last update won't be evicted until another key comes along.
    ])
    await inputTopic.pipeInput('x', 'x', 3)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [['x', 1, 3]])
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [
      // now we see that last update to v1, but we won't see the update to x until it gets evicted
      ['v1', 1, 2],
    ])
  })

  it('shouldSuppressIntermediateEventsWithBytesLimit', async () => {
    const builder = new StreamsBuilder()
    // Java's count() holds Longs: the buffer counts their 8 bytes, so the count's serde is Kafka's LongSerde here.
    const valueCounts = builder
      .table<string, string>('input', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .groupBy((k, v): [string, string] => [v, k], { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .count({ valueSerde: LONG_SERDE })
    valueCounts
      // this is a bit brittle, but I happen to know that the entries are a little over 100 bytes in size.
      .suppress(untilTimeLimit(LONG_MAX_VALUE_MS, maxBytes(200).emitEarlyWhenFull()))
      .toStream()
      .to('output-suppressed', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
    valueCounts.toStream().to('output-raw', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })

    driver = new TopologyTestDriver(builder.build())
    const inputTopic = driver.createInputTopic('input', STRING_SERDE, STRING_SERDE)
    await inputTopic.pipeInput('k1', 'v1', 0)
    await inputTopic.pipeInput('k1', 'v2', 1)
    await inputTopic.pipeInput('k2', 'v1', 2)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [
      ['v1', 1, 0],
      ['v1', 0, 1],
      ['v2', 1, 1],
      ['v1', 1, 2],
    ])
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [
      // consecutive updates to v1 get suppressed into only the latter.
      ['v1', 0, 1],
      ['v2', 1, 1],
      // the last update won't be evicted until another key comes along.
    ])
    await inputTopic.pipeInput('x', 'x', 3)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [['x', 1, 3]])
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [
      // now we see that last update to v1, but we won't see the update to x until it gets evicted
      ['v1', 1, 2],
    ])
  })

  it('shouldSupportFinalResultsForTimeWindows', async () => {
    const builder = new StreamsBuilder()
    const valueCounts = builder
      .stream<string, string>('input', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .groupBy((k: string, _v: string) => k, { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .windowedBy(TimeWindows.ofSizeAndGrace(2, 1))
      .count({ storeName: 'counts' })
    valueCounts
      .suppress(untilWindowCloses(unbounded()))
      .toStream()
      .map((k, v): [string, number] => [windowedToString(k), v])
      .to('output-suppressed', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
    valueCounts
      .toStream()
      .map((k, v): [string, number] => [windowedToString(k), v])
      .to('output-raw', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })

    driver = new TopologyTestDriver(builder.build())
    const inputTopic = driver.createInputTopic('input', STRING_SERDE, STRING_SERDE)
    await inputTopic.pipeInput('k1', 'v1', 0)
    await inputTopic.pipeInput('k1', 'v1', 1)
    await inputTopic.pipeInput('k1', 'v1', 2)
    await inputTopic.pipeInput('k1', 'v1', 1)
    await inputTopic.pipeInput('k1', 'v1', 0)
    await inputTopic.pipeInput('k1', 'v1', 5)
    // note this last record gets dropped because it is out of the grace period
    await inputTopic.pipeInput('k1', 'v1', 0)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [
      ['[k1@0/2]', 1, 0],
      ['[k1@0/2]', 2, 1],
      ['[k1@2/4]', 1, 2],
      ['[k1@0/2]', 3, 1],
      ['[k1@0/2]', 4, 1],
      ['[k1@4/6]', 1, 5],
    ])
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [
      ['[k1@0/2]', 4, 1],
      ['[k1@2/4]', 1, 2],
    ])
  })

  it('shouldSupportFinalResultsForTimeWindowsWithLargeJump', async () => {
    const builder = new StreamsBuilder()
    const valueCounts = builder
      .stream<string, string>('input', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .groupBy((k: string, _v: string) => k, { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .windowedBy(TimeWindows.ofSizeAndGrace(2, 2))
      .count({ storeName: 'counts' })
    valueCounts
      .suppress(untilWindowCloses(unbounded()))
      .toStream()
      .map((k, v): [string, number] => [windowedToString(k), v])
      .to('output-suppressed', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
    valueCounts
      .toStream()
      .map((k, v): [string, number] => [windowedToString(k), v])
      .to('output-raw', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })

    driver = new TopologyTestDriver(builder.build())
    const inputTopic = driver.createInputTopic('input', STRING_SERDE, STRING_SERDE)
    await inputTopic.pipeInput('k1', 'v1', 0)
    await inputTopic.pipeInput('k1', 'v1', 1)
    await inputTopic.pipeInput('k1', 'v1', 2)
    await inputTopic.pipeInput('k1', 'v1', 0)
    await inputTopic.pipeInput('k1', 'v1', 3)
    await inputTopic.pipeInput('k1', 'v1', 0)
    await inputTopic.pipeInput('k1', 'v1', 4)
    // this update should get dropped, since the previous event advanced the stream time and closed the window.
    await inputTopic.pipeInput('k1', 'v1', 0)
    await inputTopic.pipeInput('k1', 'v1', 30)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [
      ['[k1@0/2]', 1, 0],
      ['[k1@0/2]', 2, 1],
      ['[k1@2/4]', 1, 2],
      ['[k1@0/2]', 3, 1],
      ['[k1@2/4]', 2, 3],
      ['[k1@0/2]', 4, 1],
      ['[k1@4/6]', 1, 4],
      ['[k1@30/32]', 1, 30],
    ])
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [
      ['[k1@0/2]', 4, 1],
      ['[k1@2/4]', 2, 3],
      ['[k1@4/6]', 1, 4],
    ])
  })

  it('shouldSupportFinalResultsForSlidingWindows', async () => {
    const builder = new StreamsBuilder()
    const valueCounts = builder
      .stream<string, string>('input', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .groupBy((k: string, _v: string) => k, { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(5, 15))
      .count({ storeName: 'counts' })
    valueCounts
      .suppress(untilWindowCloses(unbounded()))
      .toStream()
      .map((k, v): [string, number] => [windowedToString(k), v])
      .to('output-suppressed', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })
    valueCounts
      .toStream()
      .map((k, v): [string, number] => [windowedToString(k), v])
      .to('output-raw', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })

    driver = new TopologyTestDriver(builder.build())
    const inputTopic = driver.createInputTopic('input', STRING_SERDE, STRING_SERDE)
    await inputTopic.pipeInput('k1', 'v1', 10)
    await inputTopic.pipeInput('k1', 'v1', 11)
    await inputTopic.pipeInput('k1', 'v1', 10)
    await inputTopic.pipeInput('k1', 'v1', 13)
    await inputTopic.pipeInput('k1', 'v1', 10)
    await inputTopic.pipeInput('k1', 'v1', 24)
    // this update should get dropped, since the previous event advanced the stream time and closed the window.
    await inputTopic.pipeInput('k1', 'v1', 5)
    await inputTopic.pipeInput('k1', 'v1', 7)
    // final record to advance stream time and flush windows
    await inputTopic.pipeInput('k1', 'v1', 90)

    // Comparator: by key (String.compareTo), then by timestamp; the sort is stable.
    const actual = drainProducerRecords(driver, 'output-raw', LONG_SERDE)
    actual.sort((a, b) => {
      const ka = a[0] as string
      const kb = b[0] as string
      if (ka !== kb) return ka < kb ? -1 : 1
      return a[2] - b[2]
    })
    verify(actual, [
      // right window for k1@10 created when k1@11 is processed
      ['[k1@11/16]', 1, 11],
      // right window for k1@10 updated when k1@13 is processed
      ['[k1@11/16]', 2, 13],
      // right window for k1@11 created when k1@13 is processed
      ['[k1@12/17]', 1, 13],
      // left window for k1@24 created when k1@24 is processed
      ['[k1@19/24]', 1, 24],
      // left window for k1@10 created when k1@10 is processed
      ['[k1@5/10]', 1, 10],
      // left window for k1@10 updated when k1@10 is processed
      ['[k1@5/10]', 2, 10],
      // left window for k1@10 updated when k1@10 is processed
      ['[k1@5/10]', 3, 10],
      // left window for k1@10 updated when k1@5 is processed
      ['[k1@5/10]', 4, 10],
      // left window for k1@10 updated when k1@7 is processed
      ['[k1@5/10]', 5, 10],
      // left window for k1@11 created when k1@11 is processed
      ['[k1@6/11]', 2, 11],
      // left window for k1@11 updated when k1@10 is processed
      ['[k1@6/11]', 3, 11],
      // left window for k1@11 updated when k1@10 is processed
      ['[k1@6/11]', 4, 11],
      // left window for k1@11 updated when k1@7 is processed
      ['[k1@6/11]', 5, 11],
      // left window for k1@13 created when k1@13 is processed
      ['[k1@8/13]', 4, 13],
      // left window for k1@13 updated when k1@10 is processed
      ['[k1@8/13]', 5, 13],
      // right window for k1@90 created when k1@90 is processed
      ['[k1@85/90]', 1, 90],
    ])
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [
      ['[k1@5/10]', 5, 10],
      ['[k1@6/11]', 5, 11],
      ['[k1@8/13]', 5, 13],
      ['[k1@11/16]', 2, 13],
      ['[k1@12/17]', 1, 13],
      ['[k1@19/24]', 1, 24],
    ])
  })

  it('shouldSupportFinalResultsForSessionWindows', async () => {
    const builder = new StreamsBuilder()
    const valueCounts = builder
      .stream<string, string>('input', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .groupBy((k: string, _v: string) => k, { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .count({ storeName: 'counts' })
    valueCounts
      .suppress(untilWindowCloses(unbounded()))
      .toStream()
      .map((k, v): [string, number | null] => [windowedToString(k), v])
      .to('output-suppressed', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE as Serde<number | null> })
    valueCounts
      .toStream()
      .map((k, v): [string, number | null] => [windowedToString(k), v])
      .to('output-raw', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE as Serde<number | null> })

    driver = new TopologyTestDriver(builder.build())
    const inputTopic = driver.createInputTopic('input', STRING_SERDE, STRING_SERDE)
    // first window
    await inputTopic.pipeInput('k1', 'v1', 0)
    await inputTopic.pipeInput('k1', 'v1', 5)
    // arbitrarily disordered records are admitted, because the *window* is not closed until stream-time > window-end + grace
    await inputTopic.pipeInput('k1', 'v1', 1)
    // any record in the same partition advances stream time (note the key is different)
    await inputTopic.pipeInput('k2', 'v1', 11)
    // late event for first window - this should get dropped from all streams, since the first window is now closed.
    await inputTopic.pipeInput('k1', 'v1', 5)
    // just pushing stream time forward to flush the other events through.
    await inputTopic.pipeInput('k1', 'v1', 30)
    verify(drainProducerRecords(driver, 'output-raw', LONG_SERDE), [
      ['[k1@0/0]', 1, 0],
      ['[k1@0/0]', null, 0],
      ['[k1@0/5]', 2, 5],
      ['[k1@0/5]', null, 5],
      ['[k1@0/5]', 3, 5],
      ['[k2@11/11]', 1, 11],
      ['[k1@30/30]', 1, 30],
    ])
    verify(drainProducerRecords(driver, 'output-suppressed', LONG_SERDE), [
      ['[k1@0/5]', 3, 5],
      ['[k2@11/11]', 1, 11],
    ])
  })

  it('shouldWorkBeforeGroupBy', async () => {
    const builder = new StreamsBuilder()

    builder
      .table<string, string>('topic', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .suppress(untilTimeLimit(10, unbounded()))
      .groupBy((k, v): [string, string] => [k, v], { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .count()
      .toStream()
      .to('output', { keySerde: STRING_SERDE, valueSerde: LONG_SERDE })

    driver = new TopologyTestDriver(builder.build())
    const inputTopic = driver.createInputTopic('topic', STRING_SERDE, STRING_SERDE)

    await inputTopic.pipeInput('A', 'a', 0)
    await inputTopic.pipeInput('tick', 'tick', 10)

    verify(drainProducerRecords(driver, 'output', LONG_SERDE), [['A', 1, 0]])
  })

  it('shouldWorkBeforeJoinRight', async () => {
    const builder = new StreamsBuilder()

    const left = builder.table<string, string>('left', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })

    const right = builder
      .table<string, string>('right', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .suppress(untilTimeLimit(10, unbounded()))

    left
      .outerJoin(right, (l, r) => `(${l},${r})`)
      .toStream()
      .to('output', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })

    driver = new TopologyTestDriver(builder.build())
    const inputTopicRight = driver.createInputTopic('right', STRING_SERDE, STRING_SERDE)
    const inputTopicLeft = driver.createInputTopic('left', STRING_SERDE, STRING_SERDE)

    await inputTopicRight.pipeInput('B', '1', 0)
    await inputTopicRight.pipeInput('A', '1', 0)
    // buffered, no output
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [])

    await inputTopicRight.pipeInput('tick', 'tick', 10)
    // flush buffer
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [
      ['A', '(null,1)', 0],
      ['B', '(null,1)', 0],
    ])

    await inputTopicRight.pipeInput('A', '2', 11)
    // buffered, no output
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [])

    await inputTopicLeft.pipeInput('A', 'a', 12)
    // should join with previously emitted right side
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [['A', '(a,1)', 12]])

    await inputTopicLeft.pipeInput('B', 'b', 12)
    // should view through to the parent KTable, since B is no longer buffered
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [['B', '(b,1)', 12]])

    await inputTopicLeft.pipeInput('A', 'b', 13)
    // should join with previously emitted right side
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [['A', '(b,1)', 13]])

    await inputTopicRight.pipeInput('tick', 'tick1', 21)
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [
      ['tick', '(null,tick1)', 21], // just a testing artifact
      ['A', '(b,2)', 13],
    ])
  })

  it('shouldWorkBeforeJoinLeft', async () => {
    const builder = new StreamsBuilder()

    const left = builder
      .table<string, string>('left', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
      .suppress(untilTimeLimit(10, unbounded()))

    const right = builder.table<string, string>('right', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })

    left
      .outerJoin(right, (l, r) => `(${l},${r})`)
      .toStream()
      .to('output', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE })

    driver = new TopologyTestDriver(builder.build())
    const inputTopicRight = driver.createInputTopic('right', STRING_SERDE, STRING_SERDE)
    const inputTopicLeft = driver.createInputTopic('left', STRING_SERDE, STRING_SERDE)

    await inputTopicLeft.pipeInput('B', '1', 0)
    await inputTopicLeft.pipeInput('A', '1', 0)
    // buffered, no output
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [])

    await inputTopicLeft.pipeInput('tick', 'tick', 10)
    // flush buffer
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [
      ['A', '(1,null)', 0],
      ['B', '(1,null)', 0],
    ])

    await inputTopicLeft.pipeInput('A', '2', 11)
    // buffered, no output
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [])

    await inputTopicRight.pipeInput('A', 'a', 12)
    // should join with previously emitted left side
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [['A', '(1,a)', 12]])

    await inputTopicRight.pipeInput('B', 'b', 12)
    // should view through to the parent KTable, since B is no longer buffered
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [['B', '(1,b)', 12]])

    await inputTopicRight.pipeInput('A', 'b', 13)
    // should join with previously emitted left side
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [['A', '(1,b)', 13]])

    await inputTopicLeft.pipeInput('tick', 'tick1', 21)
    verify(drainProducerRecords(driver, 'output', STRING_SERDE), [
      ['tick', '(tick1,null)', 21], // just a testing artifact
      ['A', '(2,b)', 13],
    ])
  })

  // Java only builds it (no assertion): a cogrouped windowed aggregate can be suppressed. Here the
  // build is checked to succeed and to give the store Java would.
  it('shouldWorkWithCogrouped', () => {
    const builder = new StreamsBuilder()
    const stream1 = builder.stream<string, string>('one', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE }).groupByKey({ keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
    const stream2 = builder.stream<string, string>('two', { keySerde: STRING_SERDE, valueSerde: STRING_SERDE }).groupByKey({ keySerde: STRING_SERDE, valueSerde: STRING_SERDE })
    stream1
      .cogroup((_key, value, aggregate: string) => aggregate + value)
      .cogroup(stream2, (_key, value, aggregate) => aggregate + value)
      .windowedBy(TimeWindows.ofSizeWithNoGrace(15 * 60_000))
      .aggregate(() => '', { name: 'test', storeName: 'store' })
      .suppress(untilWindowCloses(unbounded()))
      .toStream()
    const topology = builder.build()
    expect([...topology.stores.keys()]).toContain('store')
  })
})
