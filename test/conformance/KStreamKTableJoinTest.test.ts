// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamKTableJoinTest.java
//
// Java captures the join output with MockApiProcessorSupplier; here it goes to an output topic
// (`output`) and is read back with key, value and timestamp.
//
// Not ported (missing API): shouldFailIfTableIsNotVersioned, shouldFailIfTableIsNotVersionedButMaterializationIsInherited,
// shouldNotFailIfTableIsVersionedButMaterializationIsInherited, shouldFailIfGracePeriodIsLongerThanHistoryRetention,
// shouldFailIfGracePeriodIsLongerThanHistoryRetentionAndInheritedStore, shouldDelayJoinByGracePeriod,
// shouldHandleLateJoinsWithGracePeriod: they need Joined.with(..., gracePeriod) and
// Materialized.as(Stores.persistentVersionedKeyValueStore(...)) / Stores.inMemoryKeyValueStore(...).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import type { TestInputTopic, TestOutputTopic } from '../../src/testing/index.js'

type KVT = readonly [number | null, string | null, number]

const streamTopic = 'streamTopic'
const tableTopic = 'tableTopic'
const outputTopic = 'output'
const expectedKeys = [0, 1, 2, 3]

// MockValueJoiner.TOSTRING_JOINER: value1 + "+" + value2 (Java prints null as "null")
const TOSTRING_JOINER = (value1: string | null, value2: string | null): string => `${value1}+${value2}`

describe('KStreamKTableJoinTest', () => {
  let builder: StreamsBuilder
  let driver: TopologyTestDriver
  let inputStreamTopic: TestInputTopic<number, string>
  let inputTableTopic: TestInputTopic<number, string>
  let output: TestOutputTopic<number, string>

  beforeEach(() => {
    builder = new StreamsBuilder()
    const consumed = { keySerde: Serdes.int32(), valueSerde: Serdes.string() }
    const stream = builder.stream<number, string>(streamTopic, consumed)
    const table = builder.table<number, string>(tableTopic, consumed)
    stream.join(table, TOSTRING_JOINER).to(outputTopic, consumed)
    driver = new TopologyTestDriver(builder.build())
    inputStreamTopic = driver.createInputTopic(streamTopic, Serdes.int32(), Serdes.string(), { startTimestampMs: 0, autoAdvanceMs: 0 })
    inputTableTopic = driver.createInputTopic(tableTopic, Serdes.int32(), Serdes.string(), { startTimestampMs: 0, autoAdvanceMs: 0 })
    output = driver.createOutputTopic(outputTopic, Serdes.int32(), Serdes.string())
  })

  afterEach(async () => {
    await driver.close()
  })

  async function pushToStream(messageCount: number, valuePrefix: string): Promise<void> {
    for (let i = 0; i < messageCount; i++) {
      await inputStreamTopic.pipeInput(expectedKeys[i]!, valuePrefix + expectedKeys[i], i)
    }
  }

  // Java: new Random(System.currentTimeMillis()).nextInt(Integer.MAX_VALUE)
  async function pushToTable(messageCount: number, valuePrefix: string): Promise<void> {
    for (let i = 0; i < messageCount; i++) {
      await inputTableTopic.pipeInput(expectedKeys[i]!, valuePrefix + expectedKeys[i], Math.floor(Math.random() * 2147483647))
    }
  }

  async function pushNullValueToTable(): Promise<void> {
    for (let i = 0; i < 2; i++) {
      await inputTableTopic.pipeInput(expectedKeys[i]!, null)
    }
  }

  function checkAndClearProcessResult(...expected: KVT[]): void {
    const actual = output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp] as const)
    expect(actual).toEqual(expected)
  }

  it('shouldReuseRepartitionTopicWithGeneratedName', () => {
    const builder = new StreamsBuilder()
    const consumed = { keySerde: Serdes.string(), valueSerde: Serdes.string() }
    const streamA = builder.stream<string, string>('topic', consumed)
    const tableB = builder.table<string, string>('topic2', consumed)
    const tableC = builder.table<string, string>('topic3', consumed)
    const rekeyedStream = streamA.map((k, v) => [v, k] as const)
    rekeyedStream.join(tableB, (value1, value2) => value1 + value2).to('out-one')
    rekeyedStream.join(tableC, (value1, value2) => value1 + value2).to('out-two')
    const topology = builder.build()
    expect(topology.describe().toString()).toBe(expectedTopologyWithGeneratedRepartitionTopicNames)
  })

  it('shouldCreateRepartitionTopicsWithUserProvidedName', () => {
    const builder = new StreamsBuilder()
    const consumed = { keySerde: Serdes.string(), valueSerde: Serdes.string() }
    const streamA = builder.stream<string, string>('topic', consumed)
    const tableB = builder.table<string, string>('topic2', consumed)
    const tableC = builder.table<string, string>('topic3', consumed)
    const rekeyedStream = streamA.map((k, v) => [v, k] as const)
    // Joined.with(Serdes.String(), Serdes.String(), Serdes.String(), "first-join")
    rekeyedStream.join(tableB, (value1, value2) => value1 + value2, { keySerde: Serdes.string(), valueSerde: Serdes.string(), name: 'first-join' }).to('out-one')
    rekeyedStream.join(tableC, (value1, value2) => value1 + value2, { keySerde: Serdes.string(), valueSerde: Serdes.string(), name: 'second-join' }).to('out-two')
    const topology = builder.build()
    expect(topology.describe().toString()).toBe(expectedTopologyWithUserProvidedRepartitionTopicNames)
  })

  it('shouldRequireCopartitionedStreams', () => {
    // TopologyWrapper.getInternalTopologyBuilder(builder.build()).copartitionGroups()
    const copartitionGroups = builder.build().copartitionGroups
    expect(copartitionGroups.length).toBe(1)
    expect(new Set(copartitionGroups[0])).toEqual(new Set([streamTopic, tableTopic]))
  })

  it('shouldNotJoinWithEmptyTableOnStreamUpdates', async () => {
    // push two items to the primary stream. the table is empty
    await pushToStream(2, 'X')
    checkAndClearProcessResult()
  })

  it('shouldNotJoinOnTableUpdates', async () => {
    // push two items to the primary stream. the table is empty
    await pushToStream(2, 'X')
    checkAndClearProcessResult()

    // push two items to the table. this should not produce any item.
    await pushToTable(2, 'Y')
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce two items.
    await pushToStream(4, 'X')
    checkAndClearProcessResult([0, 'X0+Y0', 0], [1, 'X1+Y1', 1])

    // push all items to the table. this should not produce any item
    await pushToTable(4, 'YY')
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce four items.
    await pushToStream(4, 'X')
    checkAndClearProcessResult([0, 'X0+YY0', 0], [1, 'X1+YY1', 1], [2, 'X2+YY2', 2], [3, 'X3+YY3', 3])

    // push all items to the table. this should not produce any item
    await pushToTable(4, 'YYY')
    checkAndClearProcessResult()
  })

  it('shouldJoinOnlyIfMatchFoundOnStreamUpdates', async () => {
    // push two items to the table. this should not produce any item.
    await pushToTable(2, 'Y')
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce two items.
    await pushToStream(4, 'X')
    checkAndClearProcessResult([0, 'X0+Y0', 0], [1, 'X1+Y1', 1])
  })

  it('shouldClearTableEntryOnNullValueUpdates', async () => {
    // push all four items to the table. this should not produce any item.
    await pushToTable(4, 'Y')
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce four items.
    await pushToStream(4, 'X')
    checkAndClearProcessResult([0, 'X0+Y0', 0], [1, 'X1+Y1', 1], [2, 'X2+Y2', 2], [3, 'X3+Y3', 3])

    // push two items with null to the table as deletes. this should not produce any item.
    await pushNullValueToTable()
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce two items.
    await pushToStream(4, 'XX')
    checkAndClearProcessResult([2, 'XX2+Y2', 2], [3, 'XX3+Y3', 3])
  })

  // Java checks the log message "Skipping record due to null join key or value. topic=[streamTopic]
  // partition=[0] offset=[0]" (LogCaptureAppender, not portable). Ported: the record is skipped (no
  // output) and metered as dropped, which KStreamKTableJoinProcessor#maybeDropRecord does alongside the log.
  it('shouldLogAndMeterWhenSkippingNullLeftKey', async () => {
    const inputTopic = driver.createInputTopic(streamTopic, Serdes.int32(), Serdes.string())
    await inputTopic.pipeInput(null, 'A')
    checkAndClearProcessResult()
    expect(driver.metrics().droppedRecords).toBe(1)
  })

  it('shouldLogAndMeterWhenSkippingNullLeftValue', async () => {
    const inputTopic = driver.createInputTopic(streamTopic, Serdes.int32(), Serdes.string())
    await inputTopic.pipeInput(1, null)
    checkAndClearProcessResult()
    expect(driver.metrics().droppedRecords).toBe(1)
  })
})

const expectedTopologyWithGeneratedRepartitionTopicNames =
  'Topologies:\n'
  + '   Sub-topology: 0\n'
  + '    Source: KSTREAM-SOURCE-0000000000 (topics: [topic])\n'
  + '      --> KSTREAM-MAP-0000000007\n'
  + '    Processor: KSTREAM-MAP-0000000007 (stores: [])\n'
  + '      --> KSTREAM-FILTER-0000000009\n'
  + '      <-- KSTREAM-SOURCE-0000000000\n'
  + '    Processor: KSTREAM-FILTER-0000000009 (stores: [])\n'
  + '      --> KSTREAM-SINK-0000000008\n'
  + '      <-- KSTREAM-MAP-0000000007\n'
  + '    Sink: KSTREAM-SINK-0000000008 (topic: KSTREAM-MAP-0000000007-repartition)\n'
  + '      <-- KSTREAM-FILTER-0000000009\n'
  + '\n'
  + '  Sub-topology: 1\n'
  + '    Source: KSTREAM-SOURCE-0000000010 (topics: [KSTREAM-MAP-0000000007-repartition])\n'
  + '      --> KSTREAM-JOIN-0000000011, KSTREAM-JOIN-0000000016\n'
  + '    Processor: KSTREAM-JOIN-0000000011 (stores: [topic2-STATE-STORE-0000000001])\n'
  + '      --> KSTREAM-SINK-0000000012\n'
  + '      <-- KSTREAM-SOURCE-0000000010\n'
  + '    Processor: KSTREAM-JOIN-0000000016 (stores: [topic3-STATE-STORE-0000000004])\n'
  + '      --> KSTREAM-SINK-0000000017\n'
  + '      <-- KSTREAM-SOURCE-0000000010\n'
  + '    Source: KSTREAM-SOURCE-0000000002 (topics: [topic2])\n'
  + '      --> KTABLE-SOURCE-0000000003\n'
  + '    Source: KSTREAM-SOURCE-0000000005 (topics: [topic3])\n'
  + '      --> KTABLE-SOURCE-0000000006\n'
  + '    Sink: KSTREAM-SINK-0000000012 (topic: out-one)\n'
  + '      <-- KSTREAM-JOIN-0000000011\n'
  + '    Sink: KSTREAM-SINK-0000000017 (topic: out-two)\n'
  + '      <-- KSTREAM-JOIN-0000000016\n'
  + '    Processor: KTABLE-SOURCE-0000000003 (stores: [topic2-STATE-STORE-0000000001])\n'
  + '      --> none\n'
  + '      <-- KSTREAM-SOURCE-0000000002\n'
  + '    Processor: KTABLE-SOURCE-0000000006 (stores: [topic3-STATE-STORE-0000000004])\n'
  + '      --> none\n'
  + '      <-- KSTREAM-SOURCE-0000000005\n\n'

const expectedTopologyWithUserProvidedRepartitionTopicNames =
  'Topologies:\n'
  + '   Sub-topology: 0\n'
  + '    Source: KSTREAM-SOURCE-0000000000 (topics: [topic])\n'
  + '      --> KSTREAM-MAP-0000000007\n'
  + '    Processor: KSTREAM-MAP-0000000007 (stores: [])\n'
  + '      --> first-join-repartition-filter, second-join-repartition-filter\n'
  + '      <-- KSTREAM-SOURCE-0000000000\n'
  + '    Processor: first-join-repartition-filter (stores: [])\n'
  + '      --> first-join-repartition-sink\n'
  + '      <-- KSTREAM-MAP-0000000007\n'
  + '    Processor: second-join-repartition-filter (stores: [])\n'
  + '      --> second-join-repartition-sink\n'
  + '      <-- KSTREAM-MAP-0000000007\n'
  + '    Sink: first-join-repartition-sink (topic: first-join-repartition)\n'
  + '      <-- first-join-repartition-filter\n'
  + '    Sink: second-join-repartition-sink (topic: second-join-repartition)\n'
  + '      <-- second-join-repartition-filter\n'
  + '\n'
  + '  Sub-topology: 1\n'
  + '    Source: first-join-repartition-source (topics: [first-join-repartition])\n'
  + '      --> first-join\n'
  + '    Source: KSTREAM-SOURCE-0000000002 (topics: [topic2])\n'
  + '      --> KTABLE-SOURCE-0000000003\n'
  + '    Processor: first-join (stores: [topic2-STATE-STORE-0000000001])\n'
  + '      --> KSTREAM-SINK-0000000012\n'
  + '      <-- first-join-repartition-source\n'
  + '    Sink: KSTREAM-SINK-0000000012 (topic: out-one)\n'
  + '      <-- first-join\n'
  + '    Processor: KTABLE-SOURCE-0000000003 (stores: [topic2-STATE-STORE-0000000001])\n'
  + '      --> none\n'
  + '      <-- KSTREAM-SOURCE-0000000002\n'
  + '\n'
  + '  Sub-topology: 2\n'
  + '    Source: second-join-repartition-source (topics: [second-join-repartition])\n'
  + '      --> second-join\n'
  + '    Source: KSTREAM-SOURCE-0000000005 (topics: [topic3])\n'
  + '      --> KTABLE-SOURCE-0000000006\n'
  + '    Processor: second-join (stores: [topic3-STATE-STORE-0000000004])\n'
  + '      --> KSTREAM-SINK-0000000017\n'
  + '      <-- second-join-repartition-source\n'
  + '    Sink: KSTREAM-SINK-0000000017 (topic: out-two)\n'
  + '      <-- second-join\n'
  + '    Processor: KTABLE-SOURCE-0000000006 (stores: [topic3-STATE-STORE-0000000004])\n'
  + '      --> none\n'
  + '      <-- KSTREAM-SOURCE-0000000005\n\n'
