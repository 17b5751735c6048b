// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamWindowAggregateTest.java
//
// Java parameterizes every test by (EmitStrategy, withCache); all four are ported. withCache is the
// store's Materialized.withCachingEnabled()/withCachingDisabled(), under the driver's default 10 MiB
// cache: here `cachingEnabled` under `cacheMaxBytes` of 10 MiB. Java's expectations for
// ON_WINDOW_UPDATE do not depend on withCache.
// Java's default window stores are RocksDB: each case runs on Tributary's in-memory and RocksDB stores.
import { afterEach, describe, expect, it } from 'vitest'
import type { Record as StreamRecord } from '../../src/core/record.js'
import type { Change, Windowed } from '../../src/core/windowed.js'
import { EmitStrategy, StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import type { KTable } from '../../src/dsl/index.js'
import type { InternalProcessorContext } from '../../src/processors/api.js'
import { timeWindowAggregateProcessor } from '../../src/processors/time-window-aggregate.js'
import { valueAndTimestampSerde } from '../../src/processors/value-and-timestamp.js'
import { Serdes } from '../../src/serde/serdes.js'
import { createWindowStore } from '../../src/state/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import type { TestOutputTopic } from '../../src/testing/index.js'
import { contextWith } from '../processors/fixtures.js'
import { openStore, TempDirs } from '../state/fixtures.js'

const engines = ['memory', 'rocksdb'] as const
const WINDOW_STORE_NAME = 'dummy-store-name'

const str = Serdes.string()
const windowedKey = Serdes.json<Windowed<string>>()

// MockInitializer.STRING_INIT and MockAggregator.TOSTRING_ADDER / toStringInstance("+").
const STRING_INIT = (): string => '0'
const TOSTRING_ADDER = (_key: string, value: string, aggregate: string): string => `${aggregate}+${value}`

/** Kafka's KeyValueTimestamp<Windowed<String>, String>, with the TimeWindow spelled out. */
interface Kvt {
  readonly key: string
  readonly start: number
  readonly end: number
  readonly value: string | null
  readonly timestamp: number
}
const kvt = (key: string, start: number, end: number, value: string | null, timestamp: number): Kvt => ({ key, start, end, value, timestamp })

/** Reads (and clears) what a MockApiProcessor would have captured. */
function processed(topic: TestOutputTopic<Windowed<string>, string>): Kvt[] {
  return topic.readRecordsToList().map((r) => kvt(r.key!.key, r.key!.window.start, r.key!.window.end, r.value, r.timestamp))
}

/** `Windowed.toString()` in Kafka: `[key@start/end]`. */
const windowedToString = (w: Windowed<string>): string => `[${w.key}@${w.window.start}/${w.window.end}]`

// Kafka's TopologyTestDriver has the default statestore.cache.max.bytes, and commits (flushes the
// cache) after every input.
const cache = { cacheMaxBytes: 10 * 1024 * 1024 }

// withCache=true runs the same ON_WINDOW_UPDATE cases through the record cache: the same outputs.
describe.each([false, true])('KStreamWindowAggregateTest [withCache=%s]', (withCache) => {
  const PARAM = `[ON_WINDOW_UPDATE, withCache=${withCache}]`
  const caching = { cachingEnabled: withCache }
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  const output = (d: TopologyTestDriver, topic: string) => d.createOutputTopic(topic, windowedKey, str)

  it.each(engines)(`testAggBasic ${PARAM} (%s stores)`, async (stateStores) => {
    const builder = new StreamsBuilder()
    const table2 = builder
      .stream<string, string>('topic1', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 100).advanceBy(5))
      .aggregate(STRING_INIT, TOSTRING_ADDER, { storeName: 'topic1-Canonized', valueSerde: str, ...caching })
    table2.toStream().to('processed', { keySerde: windowedKey, valueSerde: str })

    driver = new TopologyTestDriver(builder.build(), { stateStores, ...cache })
    const inputTopic1 = driver.createInputTopic('topic1', str, str)
    await inputTopic1.pipeInput('A', '1', 0)
    await inputTopic1.pipeInput('B', '2', 1)
    await inputTopic1.pipeInput('C', '3', 2)
    await inputTopic1.pipeInput('D', '4', 3)
    await inputTopic1.pipeInput('A', '1', 4)

    await inputTopic1.pipeInput('A', '1', 5)
    await inputTopic1.pipeInput('B', '2', 6)
    await inputTopic1.pipeInput('D', '4', 7)
    await inputTopic1.pipeInput('B', '2', 8)
    await inputTopic1.pipeInput('C', '3', 9)

    await inputTopic1.pipeInput('A', '1', 10)
    await inputTopic1.pipeInput('B', '2', 11)
    await inputTopic1.pipeInput('D', '4', 12)
    await inputTopic1.pipeInput('B', '2', 13)
    await inputTopic1.pipeInput('C', '3', 14)

    await inputTopic1.pipeInput('B', '1', 3)
    await inputTopic1.pipeInput('B', '2', 2)
    await inputTopic1.pipeInput('B', '3', 9)

    expect(processed(output(driver, 'processed'))).toEqual([
      kvt('A', 0, 10, '0+1', 0),
      kvt('B', 0, 10, '0+2', 1),
      kvt('C', 0, 10, '0+3', 2),
      kvt('D', 0, 10, '0+4', 3),
      kvt('A', 0, 10, '0+1+1', 4),
      kvt('A', 0, 10, '0+1+1+1', 5),
      kvt('A', 5, 15, '0+1', 5),
      kvt('B', 0, 10, '0+2+2', 6),
      kvt('B', 5, 15, '0+2', 6),
      kvt('D', 0, 10, '0+4+4', 7),
      kvt('D', 5, 15, '0+4', 7),
      kvt('B', 0, 10, '0+2+2+2', 8),
      kvt('B', 5, 15, '0+2+2', 8),
      kvt('C', 0, 10, '0+3+3', 9),
      kvt('C', 5, 15, '0+3', 9),
      kvt('A', 5, 15, '0+1+1', 10),
      kvt('A', 10, 20, '0+1', 10),
      kvt('B', 5, 15, '0+2+2+2', 11),
      kvt('B', 10, 20, '0+2', 11),
      kvt('D', 5, 15, '0+4+4', 12),
      kvt('D', 10, 20, '0+4', 12),
      kvt('B', 5, 15, '0+2+2+2+2', 13),
      kvt('B', 10, 20, '0+2+2', 13),
      kvt('C', 5, 15, '0+3+3', 14),
      kvt('C', 10, 20, '0+3', 14),
      kvt('B', 0, 10, '0+2+2+2+1', 8),
      kvt('B', 0, 10, '0+2+2+2+1+2', 8),
      kvt('B', 0, 10, '0+2+2+2+1+2+3', 9),
      kvt('B', 5, 15, '0+2+2+2+2+3', 13),
    ])
  })

  it.each(engines)(`testJoin ${PARAM} (%s stores)`, async (stateStores) => {
    const builder = new StreamsBuilder()
    const grace = 100
    const windowed = (topic: string, storeName: string): KTable<Windowed<string>, string> =>
      builder
        .stream<string, string>(topic, { keySerde: str, valueSerde: str })
        .groupByKey({ keySerde: str, valueSerde: str })
        .windowedBy(TimeWindows.ofSizeAndGrace(10, grace).advanceBy(5))
        .aggregate(STRING_INIT, TOSTRING_ADDER, { storeName, valueSerde: str, ...caching })
    const table1 = windowed('topic1', 'topic1-Canonized')
    table1.toStream().to('processed-0', { keySerde: windowedKey, valueSerde: str })
    const table2 = windowed('topic2', 'topic2-Canonized')
    table2.toStream().to('processed-1', { keySerde: windowedKey, valueSerde: str })
    table1
      .join(table2, (p1: string, p2: string) => `${p1}%${p2}`)
      .toStream()
      .to('processed-2', { keySerde: windowedKey, valueSerde: str })

    driver = new TopologyTestDriver(builder.build(), { stateStores, ...cache })
    const inputTopic1 = driver.createInputTopic('topic1', str, str)
    const inputTopic2 = driver.createInputTopic('topic2', str, str)
    const processors = [output(driver, 'processed-0'), output(driver, 'processed-1'), output(driver, 'processed-2')]

    // processEmitUpdateJoin
    await inputTopic1.pipeInput('A', '1', 0)
    await inputTopic1.pipeInput('B', '2', 1)
    await inputTopic1.pipeInput('C', '3', 2)
    await inputTopic1.pipeInput('D', '4', 3)
    await inputTopic1.pipeInput('A', '1', 9)

    expect(processed(processors[0]!)).toEqual([
      kvt('A', 0, 10, '0+1', 0),
      kvt('B', 0, 10, '0+2', 1),
      kvt('C', 0, 10, '0+3', 2),
      kvt('D', 0, 10, '0+4', 3),
      kvt('A', 0, 10, '0+1+1', 9),
      kvt('A', 5, 15, '0+1', 9),
    ])
    expect(processed(processors[1]!)).toEqual([])
    expect(processed(processors[2]!)).toEqual([])

    await inputTopic1.pipeInput('A', '1', 5)
    await inputTopic1.pipeInput('B', '2', 6)
    await inputTopic1.pipeInput('D', '4', 7)
    await inputTopic1.pipeInput('B', '2', 8)
    await inputTopic1.pipeInput('C', '3', 9)

    expect(processed(processors[0]!)).toEqual([
      kvt('A', 0, 10, '0+1+1+1', 9),
      kvt('A', 5, 15, '0+1+1', 9),
      kvt('B', 0, 10, '0+2+2', 6),
      kvt('B', 5, 15, '0+2', 6),
      kvt('D', 0, 10, '0+4+4', 7),
      kvt('D', 5, 15, '0+4', 7),
      kvt('B', 0, 10, '0+2+2+2', 8),
      kvt('B', 5, 15, '0+2+2', 8),
      kvt('C', 0, 10, '0+3+3', 9),
      kvt('C', 5, 15, '0+3', 9),
    ])
    expect(processed(processors[1]!)).toEqual([])
    expect(processed(processors[2]!)).toEqual([])

    await inputTopic2.pipeInput('A', 'a', 0)
    await inputTopic2.pipeInput('B', 'b', 1)
    await inputTopic2.pipeInput('C', 'c', 2)
    await inputTopic2.pipeInput('D', 'd', 20)
    await inputTopic2.pipeInput('A', 'a', 20)

    expect(processed(processors[0]!)).toEqual([])
    expect(processed(processors[1]!)).toEqual([
      kvt('A', 0, 10, '0+a', 0),
      kvt('B', 0, 10, '0+b', 1),
      kvt('C', 0, 10, '0+c', 2),
      kvt('D', 15, 25, '0+d', 20),
      kvt('D', 20, 30, '0+d', 20),
      kvt('A', 15, 25, '0+a', 20),
      kvt('A', 20, 30, '0+a', 20),
    ])
    expect(processed(processors[2]!)).toEqual([
      kvt('A', 0, 10, '0+1+1+1%0+a', 9),
      kvt('B', 0, 10, '0+2+2+2%0+b', 8),
      kvt('C', 0, 10, '0+3+3%0+c', 9),
    ])

    await inputTopic2.pipeInput('A', 'a', 5)
    await inputTopic2.pipeInput('B', 'b', 6)
    await inputTopic2.pipeInput('D', 'd', 7)
    await inputTopic2.pipeInput('D', 'd', 18)
    await inputTopic2.pipeInput('A', 'a', 21)

    expect(processed(processors[0]!)).toEqual([])
    expect(processed(processors[1]!)).toEqual([
      kvt('A', 0, 10, '0+a+a', 5),
      kvt('A', 5, 15, '0+a', 5),
      kvt('B', 0, 10, '0+b+b', 6),
      kvt('B', 5, 15, '0+b', 6),
      kvt('D', 0, 10, '0+d', 7),
      kvt('D', 5, 15, '0+d', 7),
      kvt('D', 10, 20, '0+d', 18),
      kvt('D', 15, 25, '0+d+d', 20),
      kvt('A', 15, 25, '0+a+a', 21),
      kvt('A', 20, 30, '0+a+a', 21),
    ])
    expect(processed(processors[2]!)).toEqual([
      kvt('A', 0, 10, '0+1+1+1%0+a+a', 9),
      kvt('A', 5, 15, '0+1+1%0+a', 9),
      kvt('B', 0, 10, '0+2+2+2%0+b+b', 8),
      kvt('B', 5, 15, '0+2+2%0+b', 8),
      kvt('D', 0, 10, '0+4+4%0+d', 7),
      kvt('D', 5, 15, '0+4%0+d', 7),
    ])
  })

  // Java checks the WARN log line only; the log is Java-only. Ported: the record is skipped (no
  // output) and metered as a dropped record (KStreamWindowAggregate records droppedRecordsSensor).
  it.each(engines)(`shouldLogAndMeterWhenSkippingNullKey ${PARAM} (%s stores)`, async (stateStores) => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('topic', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5))
      .aggregate(STRING_INIT, TOSTRING_ADDER, { storeName: 'topic1-Canonicalized', valueSerde: str, ...caching })
      .toStream()
      .to('output', { keySerde: windowedKey, valueSerde: str })

    driver = new TopologyTestDriver(builder.build(), { stateStores, ...cache })
    const inputTopic = driver.createInputTopic('topic', str, str)
    await inputTopic.pipeInput(null, '1')

    expect(output(driver, 'output').isEmpty()).toBe(true)
    expect(driver.metrics().droppedRecords).toBe(1)
    expect(driver.metrics().droppedRecordsByReason['null-key']).toBe(1)
  })

  // Java also checks log lines and the record-lateness-max/avg task metrics (Tributary has no
  // lateness metrics); ported: outputs and dropped-records-total. Java's Materialized.withRetention(100)
  // equals the default retention (size 10 + grace 90), so the default store is used.
  it.each(engines)(`shouldLogAndMeterWhenSkippingExpiredWindow ${PARAM} (%s stores)`, async (stateStores) => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('topic', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 90).advanceBy(5))
      .aggregate(() => '', TOSTRING_ADDER, { storeName: 'topic1-Canonicalized', valueSerde: str, ...caching, loggingEnabled: false })
      .toStream()
      .map((key, value) => [windowedToString(key), value] as const)
      .to('output', { keySerde: str, valueSerde: str })

    driver = new TopologyTestDriver(builder.build(), { stateStores, ...cache })
    const inputTopic = driver.createInputTopic('topic', str, str)
    await inputTopic.pipeInput('k', '100', 100)
    await inputTopic.pipeInput('k', '0', 0)
    await inputTopic.pipeInput('k', '1', 1)
    await inputTopic.pipeInput('k', '2', 2)
    await inputTopic.pipeInput('k', '3', 3)
    await inputTopic.pipeInput('k', '4', 4)
    await inputTopic.pipeInput('k', '5', 5)
    await inputTopic.pipeInput('k', '6', 6)
    await inputTopic.pipeInput('k', '105', 105)
    await inputTopic.pipeInput('k', '106', 106)

    // dropped-records-total: 7 (k@0..k@4 for [0,10), k@5 and k@6 for [0,10) too)
    expect(driver.metrics().droppedRecords).toBe(7)

    const outputTopic = driver.createOutputTopic('output', str, str)
    const rec = () => {
      const r = outputTopic.readRecord()
      return [r.key, r.value, r.timestamp]
    }
    expect(rec()).toEqual(['[k@95/105]', '+100', 100])
    expect(rec()).toEqual(['[k@100/110]', '+100', 100])
    expect(rec()).toEqual(['[k@5/15]', '+5', 5])
    expect(rec()).toEqual(['[k@5/15]', '+5+6', 6])
    expect(rec()).toEqual(['[k@100/110]', '+100+105', 105])
    expect(rec()).toEqual(['[k@105/115]', '+105', 105])
    expect(rec()).toEqual(['[k@100/110]', '+100+105+106', 106])
    expect(rec()).toEqual(['[k@105/115]', '+105+106', 106])
    expect(outputTopic.isEmpty()).toBe(true)
  })

  // As above: the log lines and lateness metrics are left out.
  it.each(engines)(`shouldLogAndMeterWhenSkippingExpiredWindowByGrace ${PARAM} (%s stores)`, async (stateStores) => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('topic', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 90).advanceBy(10))
      .aggregate(() => '', TOSTRING_ADDER, { storeName: 'topic1-Canonicalized', valueSerde: str, ...caching, loggingEnabled: false })
      .toStream()
      .map((key, value) => [windowedToString(key), value] as const)
      .to('output', { keySerde: str, valueSerde: str })

    driver = new TopologyTestDriver(builder.build(), { stateStores, ...cache })
    const inputTopic = driver.createInputTopic('topic', str, str)
    await inputTopic.pipeInput('k', '100', 200)
    await inputTopic.pipeInput('k', '0', 100)
    await inputTopic.pipeInput('k', '1', 101)
    await inputTopic.pipeInput('k', '2', 102)
    await inputTopic.pipeInput('k', '3', 103)
    await inputTopic.pipeInput('k', '4', 104)
    await inputTopic.pipeInput('k', '5', 105)
    await inputTopic.pipeInput('k', '6', 6)

    expect(driver.metrics().droppedRecords).toBe(7)

    const outputTopic = driver.createOutputTopic('output', str, str)
    const r = outputTopic.readRecord()
    expect([r.key, r.value, r.timestamp]).toEqual(['[k@200/210]', '+100', 200])
    expect(outputTopic.isEmpty()).toBe(true)
  })

  // The four tests below drive KStreamWindowAggregate directly with a mock context (store
  // WINDOW_STORE_NAME, 1 day retention, no logging) and capture context.forward(); ported through
  // the DSL with the forwarded Change's new value read from an output topic. Java's
  // EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION and mock system time only matter for
  // ON_WINDOW_CLOSE.
  const directTopology = () => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('input', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5).advanceBy(5))
      .aggregate(STRING_INIT, TOSTRING_ADDER, { storeName: WINDOW_STORE_NAME, valueSerde: str, loggingEnabled: false, cachingEnabled: false })
      .toStream()
      .to('forwarded', { keySerde: windowedKey, valueSerde: str })
    return builder.build()
  }

  it.each(engines)(`shouldNotEmitFinalIfNotProgressEnough ${PARAM} (%s stores)`, async (stateStores) => {
    driver = new TopologyTestDriver(directTopology(), { stateStores, ...cache })
    const input = driver.createInputTopic('input', str, str)
    const forwarded = output(driver, 'forwarded')

    await input.pipeInput('A', '1', 0)
    await input.pipeInput('B', '2', 5)
    await input.pipeInput('C', '3', 15)
    expect(processed(forwarded)).toEqual([
      kvt('A', 0, 10, '0+1', 0),
      kvt('B', 0, 10, '0+2', 5),
      kvt('B', 5, 15, '0+2', 5),
      kvt('C', 10, 20, '0+3', 15),
      kvt('C', 15, 25, '0+3', 15),
    ])

    await input.pipeInput('D', '4', 15)
    expect(processed(forwarded)).toEqual([kvt('D', 10, 20, '0+4', 15), kvt('D', 15, 25, '0+4', 15)])

    await input.pipeInput('E', '5', 19)
    expect(processed(forwarded)).toEqual([kvt('E', 10, 20, '0+5', 19), kvt('E', 15, 25, '0+5', 19)])
  })

  it.each(engines)(`shouldEmitWithInterval0 ${PARAM} (%s stores)`, async (stateStores) => {
    driver = new TopologyTestDriver(directTopology(), { stateStores, ...cache })
    const input = driver.createInputTopic('input', str, str)
    const forwarded = output(driver, 'forwarded')

    await input.pipeInput('A', '1', 0)
    await input.pipeInput('A', '1', 5)
    await input.pipeInput('B', '2', 10)
    await input.pipeInput('C', '3', 15)
    await input.pipeInput('D', '4', 20)
    expect(processed(forwarded)).toEqual([
      kvt('A', 0, 10, '0+1', 0),
      kvt('A', 0, 10, '0+1+1', 5),
      kvt('A', 5, 15, '0+1', 5),
      kvt('B', 5, 15, '0+2', 10),
      kvt('B', 10, 20, '0+2', 10),
      kvt('C', 10, 20, '0+3', 15),
      kvt('C', 15, 25, '0+3', 15),
      kvt('D', 15, 25, '0+4', 20),
      kvt('D', 20, 30, '0+4', 20),
    ])
  })

  it.each(engines)(`shouldEmitWithLargeInterval ${PARAM} (%s stores)`, async (stateStores) => {
    driver = new TopologyTestDriver(directTopology(), { stateStores, startTimeMs: 0, ...cache })
    const input = driver.createInputTopic('input', str, str)
    const forwarded = output(driver, 'forwarded')

    await input.pipeInput('A', '1', 0)
    await input.pipeInput('A', '1', 5)
    await input.pipeInput('B', '2', 10)
    await input.pipeInput('C', '3', 15)
    expect(processed(forwarded)).toEqual([
      kvt('A', 0, 10, '0+1', 0),
      kvt('A', 0, 10, '0+1+1', 5),
      kvt('A', 5, 15, '0+1', 5),
      kvt('B', 5, 15, '0+2', 10),
      kvt('B', 10, 20, '0+2', 10),
      kvt('C', 10, 20, '0+3', 15),
      kvt('C', 15, 25, '0+3', 15),
    ])

    // Progress: context.setSystemTimeMs(10000L)
    await driver.advanceWallClockTime(10_000)
    await input.pipeInput('D', '4', 20)
    expect(processed(forwarded)).toEqual([kvt('D', 15, 25, '0+4', 20), kvt('D', 20, 30, '0+4', 20)])

    // Progress: context.setSystemTimeMs(10100L)
    await driver.advanceWallClockTime(100)
    await input.pipeInput('E', '5', 40)
    expect(processed(forwarded)).toEqual([kvt('E', 35, 45, '0+5', 40), kvt('E', 40, 50, '0+5', 40)])
  })

  // Java then inits a second processor on the same store and context; under ON_WINDOW_UPDATE that
  // changes nothing observable, so the second part runs on the same driver.
  it.each(engines)(`shouldEmitFromLastEmitTime ${PARAM} (%s stores)`, async (stateStores) => {
    driver = new TopologyTestDriver(directTopology(), { stateStores, ...cache })
    const input = driver.createInputTopic('input', str, str)
    const forwarded = output(driver, 'forwarded')

    await input.pipeInput('A', '1', 0)
    await input.pipeInput('B', '2', 5)
    await input.pipeInput('C', '3', 15)
    expect(processed(forwarded)).toEqual([
      kvt('A', 0, 10, '0+1', 0),
      kvt('B', 0, 10, '0+2', 5),
      kvt('B', 5, 15, '0+2', 5),
      kvt('C', 10, 20, '0+3', 15),
      kvt('C', 15, 25, '0+3', 15),
    ])

    await input.pipeInput('D', '4', 25)
    expect(processed(forwarded)).toEqual([kvt('D', 20, 30, '0+4', 25), kvt('D', 25, 35, '0+4', 25)])
  })
})

// The ON_WINDOW_CLOSE half of Java's parameterization. Java's
// showThrowIfEmitFinalUsedWithUnlimitedWindow is not ported: Tributary has no UnlimitedWindows, the
// only windows ON_WINDOW_CLOSE refuses.
describe.each([false, true])('KStreamWindowAggregateTest [ON_WINDOW_CLOSE, withCache=%s]', (withCache) => {
  const CLOSE = `[ON_WINDOW_CLOSE, withCache=${withCache}]`
  const caching = { cachingEnabled: withCache }
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  const output = (d: TopologyTestDriver, topic: string) => d.createOutputTopic(topic, windowedKey, str)

  it.each(engines)(`testAggBasic ${CLOSE} (%s stores)`, async (stateStores) => {
    const builder = new StreamsBuilder()
    const table2 = builder
      .stream<string, string>('topic1', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 100).advanceBy(5))
      .emitStrategy(EmitStrategy.onWindowClose())
      .aggregate(STRING_INIT, TOSTRING_ADDER, { storeName: 'topic1-Canonized', valueSerde: str, ...caching })
    table2.toStream().to('processed', { keySerde: windowedKey, valueSerde: str })

    driver = new TopologyTestDriver(builder.build(), { stateStores, ...cache })
    const inputTopic1 = driver.createInputTopic('topic1', str, str)
    await inputTopic1.pipeInput('A', '1', 0)
    await inputTopic1.pipeInput('B', '2', 1)
    await inputTopic1.pipeInput('C', '3', 2)
    await inputTopic1.pipeInput('D', '4', 3)
    await inputTopic1.pipeInput('A', '1', 4)

    await inputTopic1.pipeInput('A', '1', 5)
    await inputTopic1.pipeInput('B', '2', 6)
    await inputTopic1.pipeInput('D', '4', 7)
    await inputTopic1.pipeInput('B', '2', 8)
    await inputTopic1.pipeInput('C', '3', 9)

    await inputTopic1.pipeInput('A', '1', 10)
    await inputTopic1.pipeInput('B', '2', 11)
    await inputTopic1.pipeInput('D', '4', 12)
    await inputTopic1.pipeInput('B', '2', 13)
    await inputTopic1.pipeInput('C', '3', 14)

    await inputTopic1.pipeInput('B', '1', 3)
    await inputTopic1.pipeInput('B', '2', 2)
    await inputTopic1.pipeInput('B', '3', 9)

    // Nothing processed since grace is 100L and no window closes
    expect(processed(output(driver, 'processed'))).toEqual([])
  })

  // processEmitFinalJoin.
  it.each(engines)(`testJoin ${CLOSE} (%s stores)`, async (stateStores) => {
    const builder = new StreamsBuilder()
    const grace = 5
    const windowed = (topic: string, storeName: string): KTable<Windowed<string>, string> =>
      builder
        .stream<string, string>(topic, { keySerde: str, valueSerde: str })
        .groupByKey({ keySerde: str, valueSerde: str })
        .windowedBy(TimeWindows.ofSizeAndGrace(10, grace).advanceBy(5))
        .emitStrategy(EmitStrategy.onWindowClose())
        .aggregate(STRING_INIT, TOSTRING_ADDER, { storeName, valueSerde: str, ...caching })
    const table1 = windowed('topic1', 'topic1-Canonized')
    table1.toStream().to('processed-0', { keySerde: windowedKey, valueSerde: str })
    const table2 = windowed('topic2', 'topic2-Canonized')
    table2.toStream().to('processed-1', { keySerde: windowedKey, valueSerde: str })
    table1
      .join(table2, (p1: string, p2: string) => `${p1}%${p2}`)
      .toStream()
      .to('processed-2', { keySerde: windowedKey, valueSerde: str })

    driver = new TopologyTestDriver(builder.build(), { stateStores, ...cache })
    const inputTopic1 = driver.createInputTopic('topic1', str, str)
    const inputTopic2 = driver.createInputTopic('topic2', str, str)
    const processors = [output(driver, 'processed-0'), output(driver, 'processed-1'), output(driver, 'processed-2')]

    await inputTopic1.pipeInput('A', '1', 0)
    await inputTopic1.pipeInput('B', '2', 1)
    await inputTopic1.pipeInput('C', '3', 2)
    await inputTopic1.pipeInput('D', '4', 3)
    await inputTopic1.pipeInput('A', '1', 9)
    await inputTopic1.pipeInput('A', '1', 15)

    expect(processed(processors[0]!)).toEqual([
      kvt('A', 0, 10, '0+1+1', 9),
      kvt('B', 0, 10, '0+2', 1),
      kvt('C', 0, 10, '0+3', 2),
      kvt('D', 0, 10, '0+4', 3),
    ])
    expect(processed(processors[1]!)).toEqual([])
    expect(processed(processors[2]!)).toEqual([])

    await inputTopic1.pipeInput('A', '1', 10)
    await inputTopic1.pipeInput('B', '2', 11)
    await inputTopic1.pipeInput('D', '4', 12)
    await inputTopic1.pipeInput('B', '2', 13)
    await inputTopic1.pipeInput('C', '3', 14)
    await inputTopic1.pipeInput('A', '1', 20)

    expect(processed(processors[0]!)).toEqual([
      kvt('A', 5, 15, '0+1+1', 10),
      kvt('B', 5, 15, '0+2+2', 13),
      kvt('C', 5, 15, '0+3', 14),
      kvt('D', 5, 15, '0+4', 12),
    ])
    expect(processed(processors[1]!)).toEqual([])
    expect(processed(processors[2]!)).toEqual([])

    await inputTopic2.pipeInput('A', 'a', 0)
    await inputTopic2.pipeInput('B', 'b', 1)
    await inputTopic2.pipeInput('C', 'c', 2)
    await inputTopic2.pipeInput('D', 'd', 10)
    await inputTopic2.pipeInput('A', 'a', 15)

    expect(processed(processors[0]!)).toEqual([])
    if (withCache) {
      expect(processed(processors[1]!)).toEqual([kvt('A', 0, 10, '0+a', 0), kvt('B', 0, 10, '0+b', 1), kvt('C', 0, 10, '0+c', 2)])
      // topic1's [0, 10) windows are past its store's retention (size + grace = 15), but its cache
      // still holds them: the join finds them through the cache.
      expect(processed(processors[2]!)).toEqual([kvt('A', 0, 10, '0+1+1%0+a', 9), kvt('B', 0, 10, '0+2%0+b', 1), kvt('C', 0, 10, '0+3%0+c', 2)])
    } else {
      // Java checks (and clears) processors 0 and 2 only. Without a cache, the [0, 10) windows of
      // topic2 find nothing to join: topic1's store no longer holds them.
      expect(processed(processors[2]!)).toEqual([])
    }

    await inputTopic2.pipeInput('A', 'a', 5)
    await inputTopic2.pipeInput('B', 'b', 6)
    await inputTopic2.pipeInput('D', 'd', 7)
    await inputTopic2.pipeInput('D', 'd', 18)
    await inputTopic2.pipeInput('A', 'a', 21)

    expect(processed(processors[0]!)).toEqual([])
    const closedBefore = withCache ? [] : [kvt('A', 0, 10, '0+a', 0), kvt('B', 0, 10, '0+b', 1), kvt('C', 0, 10, '0+c', 2)]
    expect(processed(processors[1]!)).toEqual([
      ...closedBefore,
      kvt('A', 5, 15, '0+a', 5),
      kvt('B', 5, 15, '0+b', 6),
      kvt('D', 5, 15, '0+d+d', 10),
    ])
    expect(processed(processors[2]!)).toEqual([
      kvt('A', 5, 15, '0+1+1%0+a', 10),
      kvt('B', 5, 15, '0+2+2%0+b', 13),
      kvt('D', 5, 15, '0+4%0+d+d', 12),
    ])
  })

  // As the ON_WINDOW_UPDATE case: the log line is Java-only; the drop is metered.
  it.each(engines)(`shouldLogAndMeterWhenSkippingNullKey ${CLOSE} (%s stores)`, async (stateStores) => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('topic', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5))
      .emitStrategy(EmitStrategy.onWindowClose())
      .aggregate(STRING_INIT, TOSTRING_ADDER, { storeName: 'topic1-Canonicalized', valueSerde: str, ...caching })
      .toStream()
      .to('output', { keySerde: windowedKey, valueSerde: str })

    driver = new TopologyTestDriver(builder.build(), { stateStores, ...cache })
    const inputTopic = driver.createInputTopic('topic', str, str)
    await inputTopic.pipeInput(null, '1')

    expect(output(driver, 'output').isEmpty()).toBe(true)
    expect(driver.metrics().droppedRecords).toBe(1)
    expect(driver.metrics().droppedRecordsByReason['null-key']).toBe(1)
  })

  // Java also checks log lines, the lateness metrics and window-aggregate-final-emit-total (1.0),
  // none of which Tributary has; ported: the output and dropped-records-total.
  it.each(engines)(`shouldLogAndMeterWhenSkippingExpiredWindow ${CLOSE} (%s stores)`, async (stateStores) => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('topic', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 90).advanceBy(5))
      .emitStrategy(EmitStrategy.onWindowClose())
      .aggregate(() => '', TOSTRING_ADDER, { storeName: 'topic1-Canonicalized', valueSerde: str, ...caching, loggingEnabled: false })
      .toStream()
      .map((key, value) => [windowedToString(key), value] as const)
      .to('output', { keySerde: str, valueSerde: str })

    driver = new TopologyTestDriver(builder.build(), { stateStores, ...cache })
    const inputTopic = driver.createInputTopic('topic', str, str)
    await inputTopic.pipeInput('k', '100', 100)
    await inputTopic.pipeInput('k', '0', 0)
    await inputTopic.pipeInput('k', '1', 1)
    await inputTopic.pipeInput('k', '2', 2)
    await inputTopic.pipeInput('k', '3', 3)
    await inputTopic.pipeInput('k', '4', 4)
    await inputTopic.pipeInput('k', '5', 5)
    await inputTopic.pipeInput('k', '6', 6)
    await inputTopic.pipeInput('k', '105', 105)
    await inputTopic.pipeInput('k', '106', 106)

    expect(driver.metrics().droppedRecords).toBe(7)

    const outputTopic = driver.createOutputTopic('output', str, str)
    // Window close time is 15 when timestamp is 105
    const r = outputTopic.readRecord()
    expect([r.key, r.value, r.timestamp]).toEqual(['[k@5/15]', '+5+6', 6])
    expect(outputTopic.isEmpty()).toBe(true)
  })

  // Java checks only log lines and metrics under ON_WINDOW_CLOSE; ported: dropped-records-total.
  it.each(engines)(`shouldLogAndMeterWhenSkippingExpiredWindowByGrace ${CLOSE} (%s stores)`, async (stateStores) => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('topic', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 90).advanceBy(10))
      .emitStrategy(EmitStrategy.onWindowClose())
      .aggregate(() => '', TOSTRING_ADDER, { storeName: 'topic1-Canonicalized', valueSerde: str, ...caching, loggingEnabled: false })
      .toStream()
      .map((key, value) => [windowedToString(key), value] as const)
      .to('output', { keySerde: str, valueSerde: str })

    driver = new TopologyTestDriver(builder.build(), { stateStores, ...cache })
    const inputTopic = driver.createInputTopic('topic', str, str)
    await inputTopic.pipeInput('k', '100', 200)
    await inputTopic.pipeInput('k', '0', 100)
    await inputTopic.pipeInput('k', '1', 101)
    await inputTopic.pipeInput('k', '2', 102)
    await inputTopic.pipeInput('k', '3', 103)
    await inputTopic.pipeInput('k', '4', 104)
    await inputTopic.pipeInput('k', '5', 105)
    await inputTopic.pipeInput('k', '6', 6)

    expect(driver.metrics().droppedRecords).toBe(7)
  })

  // The four tests below drive KStreamWindowAggregate directly, as Java does: a mock context whose
  // system time the test sets, with EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION in its configs,
  // and a window store WINDOW_STORE_NAME of 1 day retention (Java's time-ordered store for
  // ON_WINDOW_CLOSE), without logging or caching. Forwards are captured as Java's context.forwarded().
  const dirs = new TempDirs()
  afterEach(() => dirs.cleanup())

  async function directProcessor(stateStores: (typeof engines)[number], emitIntervalMs: number) {
    const store = createWindowStore(
      { name: WINDOW_STORE_NAME, type: 'window', retentionMs: 86_400_000, windowSizeMs: 10, loggingEnabled: false, cachingEnabled: false },
      { supplier: stateStores, keySerde: str, valueSerde: valueAndTimestampSerde(str) },
    )
    await openStore(dirs, store, { changelog: false })
    const forwarded: StreamRecord<unknown, unknown>[] = []
    let systemTimeMs = 0
    const context: InternalProcessorContext = {
      ...contextWith(store, forwarded),
      currentSystemTimeMs: () => systemTimeMs,
      emitIntervalMsKstreamsWindowedAggregation: emitIntervalMs,
    }
    const processor = timeWindowAggregateProcessor<string, string, string>({
      storeName: WINDOW_STORE_NAME,
      windows: { sizeMs: 10, advanceMs: 5, graceMs: 5 },
      accumulate: (key, value, aggregate) => TOSTRING_ADDER(key, value, aggregate ?? STRING_INIT()),
      emitStrategy: 'ON_WINDOW_CLOSE',
    })()
    await processor.init?.(context as never)
    return {
      process: async (key: string, value: string, timestamp: number) => processor.process({ key, value, timestamp, headers: {} }),
      setSystemTimeMs: (ms: number) => {
        systemTimeMs = ms
      },
      /** context.forwarded(), then context.resetForwards(). */
      forwarded: (): Kvt[] =>
        forwarded.splice(0).map((r) => {
          const key = r.key as Windowed<string>
          const change = r.value as Change<string>
          expect(change.oldValue).toBeNull()
          return kvt(key.key, key.window.start, key.window.end, change.newValue, r.timestamp)
        }),
      close: () => store.close(),
    }
  }

  it.each(engines)(`shouldNotEmitFinalIfNotProgressEnough ${CLOSE} (%s stores)`, async (stateStores) => {
    const p = await directProcessor(stateStores, 0)
    p.setSystemTimeMs(0)
    await p.process('A', '1', 0)
    await p.process('B', '2', 5)
    await p.process('C', '3', 15)
    expect(p.forwarded()).toEqual([kvt('A', 0, 10, '0+1', 0), kvt('B', 0, 10, '0+2', 5)])

    await p.process('D', '4', 15)
    // None emitted because observedTime doesn't progress
    expect(p.forwarded()).toEqual([])

    await p.process('E', '5', 19)
    // None emitted because observedTime doesn't progress enough to cover new windows
    expect(p.forwarded()).toEqual([])
    await p.close()
  })

  it.each(engines)(`shouldEmitWithInterval0 ${CLOSE} (%s stores)`, async (stateStores) => {
    const p = await directProcessor(stateStores, 0)
    p.setSystemTimeMs(0)
    await p.process('A', '1', 0)
    await p.process('A', '1', 5)
    await p.process('B', '2', 10)
    await p.process('C', '3', 15)
    await p.process('D', '4', 20)
    expect(p.forwarded()).toEqual([kvt('A', 0, 10, '0+1+1', 5), kvt('A', 5, 15, '0+1', 5), kvt('B', 5, 15, '0+2', 10)])
    await p.close()
  })

  it.each(engines)(`shouldEmitWithLargeInterval ${CLOSE} (%s stores)`, async (stateStores) => {
    // Emit final every second
    const p = await directProcessor(stateStores, 1000)
    p.setSystemTimeMs(0)
    await p.process('A', '1', 0)
    await p.process('A', '1', 5)
    await p.process('B', '2', 10)
    await p.process('C', '3', 15)
    expect(p.forwarded()).toEqual([])

    // Progress
    p.setSystemTimeMs(10_000)
    await p.process('D', '4', 20)
    expect(p.forwarded()).toEqual([kvt('A', 0, 10, '0+1+1', 5), kvt('A', 5, 15, '0+1', 5), kvt('B', 5, 15, '0+2', 10)])

    // Progress
    p.setSystemTimeMs(10_100)
    await p.process('E', '5', 40)
    expect(p.forwarded()).toEqual([])
    await p.close()
  })

  // Java then inits a second processor on the same store and context: it takes the last emit's
  // close time from the context's processor metadata (committed with the task's offsets) and does
  // not emit the old windows again. Tributary keeps that time in the processor only (see
  // docs/windows.md), so the second part continues on the same processor, which must not emit them
  // again either.
  it.each(engines)(`shouldEmitFromLastEmitTime ${CLOSE} (%s stores)`, async (stateStores) => {
    const p = await directProcessor(stateStores, 0)
    p.setSystemTimeMs(0)
    await p.process('A', '1', 0)
    await p.process('B', '2', 5)
    await p.process('C', '3', 15)
    expect(p.forwarded()).toEqual([kvt('A', 0, 10, '0+1', 0), kvt('B', 0, 10, '0+2', 5)])

    await p.process('D', '4', 25)
    // Don't output old windows for new processor
    expect(p.forwarded()).toEqual([kvt('B', 5, 15, '0+2', 5), kvt('C', 10, 20, '0+3', 15)])
    await p.close()
  })
})
