// Ported from apache/kafka's streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamKStreamJoinTest.java
// Where Java captures the join result with MockApiProcessorSupplier, the result is written to the
// topic `output` and read back with the driver (key, value and timestamp, in order).
//
// Not ported (Tributary has no custom join store suppliers: StreamJoined.withThisStoreSupplier /
// withOtherStoreSupplier, Stores.inMemoryWindowStore, StreamJoined.withDslStoreSuppliers,
// StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG): shouldThrowExceptionThisStoreSupplier*,
// shouldThrowExceptionOtherStoreSupplier*, shouldThrowExceptionWhen*JoinStoreSetsRetainDuplicatesFalse,
// shouldExceptionWhenJoinStoresDoNotHaveUniqueNames, shouldJoinWithCustomStoreSuppliers,
// shouldJoinWithDslStoreSuppliersIfNoStoreSupplied, shouldJoinWithDslStoreSuppliersFromStreamsConfig.
// Java-only: shouldThrottleEmitNonJoinedOuterRecordsEvenWhenClockDrift (drives KStreamKStreamJoinRightSide
// directly with a MockInternalNewProcessorContext and a Mockito spy of the outer store).
import { afterEach, describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder } from '../../src/dsl/index.js'
import type { KStream } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import type { TestInputTopic, TestOutputTopic } from '../../src/testing/index.js'
import type { Topology } from '../../src/topology/topology.js'

const topic1 = 'topic1'
const topic2 = 'topic2'
const str = Serdes.string()
const int = Serdes.int32()
// Consumed.with(Serdes.Integer(), Serdes.String())
const consumed = { keySerde: int, valueSerde: str }
// MockValueJoiner.TOSTRING_JOINER
const TOSTRING_JOINER = (value1: string | null, value2: string | null): string => `${value1}+${value2}`

type KeyValueTimestamp<K, V> = readonly [K, V, number]
const kvt = <K, V>(key: K, value: V, timestamp: number): KeyValueTimestamp<K, V> => [key, value, timestamp]

/** Stands in for MockApiProcessor: reads (and so clears) what the join wrote to the output topic. */
function processorOf<K, V>(output: TestOutputTopic<K, V>) {
  return {
    checkAndClearProcessResult(...expected: KeyValueTimestamp<K, V>[]): void {
      expect(output.readRecordsToList().map((r) => kvt(r.key, r.value, r.timestamp))).toEqual(expected)
    },
  }
}

function expectSingleCopartitionGroup(topology: Topology): void {
  // TopologyWrapper.getInternalTopologyBuilder(builder.build()).copartitionGroups()
  expect(topology.copartitionGroups.length).toBe(1)
  expect(new Set(topology.copartitionGroups[0])).toEqual(new Set([topic1, topic2]))
}

let driver: TopologyTestDriver | undefined
afterEach(async () => {
  await driver?.close()
  driver = undefined
})

/**
 * The common setup of testJoin, testOuterJoin, testWindowing and testAsymmetricWindowing*:
 * stream1 (topic1) joined with stream2 (topic2), StreamJoined.with(Integer, String, String).
 */
function setUpJoin(
  join: (stream1: KStream<number, string>, stream2: KStream<number, string>) => KStream<number, string>,
) {
  const builder = new StreamsBuilder()
  const stream1 = builder.stream<number, string>(topic1, consumed)
  const stream2 = builder.stream<number, string>(topic2, consumed)
  const joined = join(stream1, stream2)
  joined.to('output', { keySerde: int, valueSerde: str })

  expectSingleCopartitionGroup(builder.build())

  driver = new TopologyTestDriver(builder.build())
  const inputTopic1: TestInputTopic<number, string> = driver.createInputTopic(topic1, int, str, { startTimestampMs: 0, autoAdvanceMs: 0 })
  const inputTopic2: TestInputTopic<number, string> = driver.createInputTopic(topic2, int, str, { startTimestampMs: 0, autoAdvanceMs: 0 })
  const processor = processorOf(driver.createOutputTopic('output', int, str))
  return { inputTopic1, inputTopic2, processor }
}

/** KStreamKStreamJoinTest.runJoin without custom store suppliers. */
async function runJoin(streamJoined: { keySerde: typeof str; valueSerde: typeof int; otherValueSerde: typeof int }, joinWindows: JoinWindows): Promise<Topology> {
  const builder = new StreamsBuilder()
  const left = builder.stream<string, number>('left', { keySerde: str, valueSerde: int })
  const right = builder.stream<string, number>('right', { keySerde: str, valueSerde: int })
  const joinedStream = left.join(right, (a, b) => a + b, joinWindows, streamJoined)
  joinedStream.to('output', { keySerde: str, valueSerde: int })

  const topology = builder.build()
  driver = new TopologyTestDriver(topology)
  const inputTopicLeft = driver.createInputTopic('left', str, int, { startTimestampMs: 0, autoAdvanceMs: 0 })
  const inputTopicRight = driver.createInputTopic('right', str, int, { startTimestampMs: 0, autoAdvanceMs: 0 })
  const processor = processorOf(driver.createOutputTopic('output', str, int))

  await inputTopicLeft.pipeInput('A', 1, 1)
  await inputTopicLeft.pipeInput('B', 1, 2)

  await inputTopicRight.pipeInput('A', 1, 1)
  await inputTopicRight.pipeInput('B', 2, 2)

  processor.checkAndClearProcessResult(kvt('A', 2, 1), kvt('B', 3, 2))
  await driver.close()
  driver = undefined
  return topology
}

const expectedTopologyWithUserNamedRepartitionTopics =
  'Topologies:\n' +
  '   Sub-topology: 0\n' +
  '    Source: KSTREAM-SOURCE-0000000000 (topics: [topic])\n' +
  '      --> KSTREAM-MAP-0000000003\n' +
  '    Processor: KSTREAM-MAP-0000000003 (stores: [])\n' +
  '      --> second-join-left-repartition-filter, first-join-left-repartition-filter\n' +
  '      <-- KSTREAM-SOURCE-0000000000\n' +
  '    Processor: first-join-left-repartition-filter (stores: [])\n' +
  '      --> first-join-left-repartition-sink\n' +
  '      <-- KSTREAM-MAP-0000000003\n' +
  '    Processor: second-join-left-repartition-filter (stores: [])\n' +
  '      --> second-join-left-repartition-sink\n' +
  '      <-- KSTREAM-MAP-0000000003\n' +
  '    Sink: first-join-left-repartition-sink (topic: first-join-left-repartition)\n' +
  '      <-- first-join-left-repartition-filter\n' +
  '    Sink: second-join-left-repartition-sink (topic: second-join-left-repartition)\n' +
  '      <-- second-join-left-repartition-filter\n' +
  '\n' +
  '  Sub-topology: 1\n' +
  '    Source: KSTREAM-SOURCE-0000000001 (topics: [topic2])\n' +
  '      --> first-join-other-windowed\n' +
  '    Source: first-join-left-repartition-source (topics: [first-join-left-repartition])\n' +
  '      --> first-join-this-windowed\n' +
  '    Processor: first-join-other-windowed (stores: [KSTREAM-JOINOTHER-0000000010-store])\n' +
  '      --> first-join-other-join\n' +
  '      <-- KSTREAM-SOURCE-0000000001\n' +
  '    Processor: first-join-this-windowed (stores: [KSTREAM-JOINTHIS-0000000009-store])\n' +
  '      --> first-join-this-join\n' +
  '      <-- first-join-left-repartition-source\n' +
  '    Processor: first-join-other-join (stores: [KSTREAM-JOINTHIS-0000000009-store])\n' +
  '      --> first-join-merge\n' +
  '      <-- first-join-other-windowed\n' +
  '    Processor: first-join-this-join (stores: [KSTREAM-JOINOTHER-0000000010-store])\n' +
  '      --> first-join-merge\n' +
  '      <-- first-join-this-windowed\n' +
  '    Processor: first-join-merge (stores: [])\n' +
  '      --> KSTREAM-SINK-0000000012\n' +
  '      <-- first-join-this-join, first-join-other-join\n' +
  '    Sink: KSTREAM-SINK-0000000012 (topic: out-one)\n' +
  '      <-- first-join-merge\n' +
  '\n' +
  '  Sub-topology: 2\n' +
  '    Source: KSTREAM-SOURCE-0000000002 (topics: [topic3])\n' +
  '      --> second-join-other-windowed\n' +
  '    Source: second-join-left-repartition-source (topics: [second-join-left-repartition])\n' +
  '      --> second-join-this-windowed\n' +
  '    Processor: second-join-other-windowed (stores: [KSTREAM-JOINOTHER-0000000019-store])\n' +
  '      --> second-join-other-join\n' +
  '      <-- KSTREAM-SOURCE-0000000002\n' +
  '    Processor: second-join-this-windowed (stores: [KSTREAM-JOINTHIS-0000000018-store])\n' +
  '      --> second-join-this-join\n' +
  '      <-- second-join-left-repartition-source\n' +
  '    Processor: second-join-other-join (stores: [KSTREAM-JOINTHIS-0000000018-store])\n' +
  '      --> second-join-merge\n' +
  '      <-- second-join-other-windowed\n' +
  '    Processor: second-join-this-join (stores: [KSTREAM-JOINOTHER-0000000019-store])\n' +
  '      --> second-join-merge\n' +
  '      <-- second-join-this-windowed\n' +
  '    Processor: second-join-merge (stores: [])\n' +
  '      --> KSTREAM-SINK-0000000021\n' +
  '      <-- second-join-this-join, second-join-other-join\n' +
  '    Sink: KSTREAM-SINK-0000000021 (topic: out-two)\n' +
  '      <-- second-join-merge\n\n'

const expectedTopologyWithGeneratedRepartitionTopic =
  'Topologies:\n' +
  '   Sub-topology: 0\n' +
  '    Source: KSTREAM-SOURCE-0000000000 (topics: [topic])\n' +
  '      --> KSTREAM-MAP-0000000003\n' +
  '    Processor: KSTREAM-MAP-0000000003 (stores: [])\n' +
  '      --> KSTREAM-FILTER-0000000005\n' +
  '      <-- KSTREAM-SOURCE-0000000000\n' +
  '    Processor: KSTREAM-FILTER-0000000005 (stores: [])\n' +
  '      --> KSTREAM-SINK-0000000004\n' +
  '      <-- KSTREAM-MAP-0000000003\n' +
  '    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-MAP-0000000003-repartition)\n' +
  '      <-- KSTREAM-FILTER-0000000005\n' +
  '\n' +
  '  Sub-topology: 1\n' +
  '    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-MAP-0000000003-repartition])\n' +
  '      --> KSTREAM-WINDOWED-0000000007, KSTREAM-WINDOWED-0000000016\n' +
  '    Source: KSTREAM-SOURCE-0000000001 (topics: [topic2])\n' +
  '      --> KSTREAM-WINDOWED-0000000008\n' +
  '    Source: KSTREAM-SOURCE-0000000002 (topics: [topic3])\n' +
  '      --> KSTREAM-WINDOWED-0000000017\n' +
  '    Processor: KSTREAM-WINDOWED-0000000007 (stores: [KSTREAM-JOINTHIS-0000000009-store])\n' +
  '      --> KSTREAM-JOINTHIS-0000000009\n' +
  '      <-- KSTREAM-SOURCE-0000000006\n' +
  '    Processor: KSTREAM-WINDOWED-0000000008 (stores: [KSTREAM-JOINOTHER-0000000010-store])\n' +
  '      --> KSTREAM-JOINOTHER-0000000010\n' +
  '      <-- KSTREAM-SOURCE-0000000001\n' +
  '    Processor: KSTREAM-WINDOWED-0000000016 (stores: [KSTREAM-JOINTHIS-0000000018-store])\n' +
  '      --> KSTREAM-JOINTHIS-0000000018\n' +
  '      <-- KSTREAM-SOURCE-0000000006\n' +
  '    Processor: KSTREAM-WINDOWED-0000000017 (stores: [KSTREAM-JOINOTHER-0000000019-store])\n' +
  '      --> KSTREAM-JOINOTHER-0000000019\n' +
  '      <-- KSTREAM-SOURCE-0000000002\n' +
  '    Processor: KSTREAM-JOINOTHER-0000000010 (stores: [KSTREAM-JOINTHIS-0000000009-store])\n' +
  '      --> KSTREAM-MERGE-0000000011\n' +
  '      <-- KSTREAM-WINDOWED-0000000008\n' +
  '    Processor: KSTREAM-JOINOTHER-0000000019 (stores: [KSTREAM-JOINTHIS-0000000018-store])\n' +
  '      --> KSTREAM-MERGE-0000000020\n' +
  '      <-- KSTREAM-WINDOWED-0000000017\n' +
  '    Processor: KSTREAM-JOINTHIS-0000000009 (stores: [KSTREAM-JOINOTHER-0000000010-store])\n' +
  '      --> KSTREAM-MERGE-0000000011\n' +
  '      <-- KSTREAM-WINDOWED-0000000007\n' +
  '    Processor: KSTREAM-JOINTHIS-0000000018 (stores: [KSTREAM-JOINOTHER-0000000019-store])\n' +
  '      --> KSTREAM-MERGE-0000000020\n' +
  '      <-- KSTREAM-WINDOWED-0000000016\n' +
  '    Processor: KSTREAM-MERGE-0000000011 (stores: [])\n' +
  '      --> KSTREAM-SINK-0000000012\n' +
  '      <-- KSTREAM-JOINTHIS-0000000009, KSTREAM-JOINOTHER-0000000010\n' +
  '    Processor: KSTREAM-MERGE-0000000020 (stores: [])\n' +
  '      --> KSTREAM-SINK-0000000021\n' +
  '      <-- KSTREAM-JOINTHIS-0000000018, KSTREAM-JOINOTHER-0000000019\n' +
  '    Sink: KSTREAM-SINK-0000000012 (topic: out-one)\n' +
  '      <-- KSTREAM-MERGE-0000000011\n' +
  '    Sink: KSTREAM-SINK-0000000021 (topic: out-to)\n' +
  '      <-- KSTREAM-MERGE-0000000020\n\n'

describe('KStreamKStreamJoinTest', () => {
  // Java only checks the warning "Skipping record due to null key or value. topic=[left] partition=[0] offset=[0]"
  // (a log appender); that log line is not ported. Kafka also records the drop on the dropped-records
  // sensor (StreamStreamJoinUtil.skipRecord), which is what is checked here, with the absence of output.
  it('shouldLogAndMeterOnSkippedRecordsWithNullValueWithBuiltInMetricsVersionLatest', async () => {
    const builder = new StreamsBuilder()

    const left = builder.stream<string, number>('left', { keySerde: str, valueSerde: int })
    const right = builder.stream<string, number>('right', { keySerde: str, valueSerde: int })

    left.join(right, (a, b) => a + b, JoinWindows.ofTimeDifferenceWithNoGrace(100), { keySerde: str, valueSerde: int, otherValueSerde: int }).to('output', { keySerde: str, valueSerde: int })

    driver = new TopologyTestDriver(builder.build())
    const inputTopic = driver.createInputTopic('left', str, int)
    await inputTopic.pipeInput('A', null)

    expect(driver.createOutputTopic('output', str, int).readRecordsToList()).toEqual([])
    expect(driver.metrics().droppedRecords).toBe(1)
    expect(driver.metrics().droppedRecordsByReason['null-value']).toBe(1)
  })

  it('shouldReuseRepartitionTopicWithGeneratedName', () => {
    // StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG = NO_OPTIMIZATION: Tributary's default
    const builder = new StreamsBuilder()
    const stream1 = builder.stream<string, string>('topic', { keySerde: str, valueSerde: str })
    const stream2 = builder.stream<string, string>('topic2', { keySerde: str, valueSerde: str })
    const stream3 = builder.stream<string, string>('topic3', { keySerde: str, valueSerde: str })
    const newStream = stream1.map((k, v) => [v, k] as const)
    newStream.join(stream2, (value1, value2) => value1 + value2, JoinWindows.ofTimeDifferenceWithNoGrace(100)).to('out-one')
    newStream.join(stream3, (value1, value2) => value1 + value2, JoinWindows.ofTimeDifferenceWithNoGrace(100)).to('out-to')
    expect(builder.build().describe()).toBe(expectedTopologyWithGeneratedRepartitionTopic)
  })

  it('shouldCreateRepartitionTopicsWithUserProvidedName', () => {
    const builder = new StreamsBuilder()
    const stream1 = builder.stream<string, string>('topic', { keySerde: str, valueSerde: str })
    const stream2 = builder.stream<string, string>('topic2', { keySerde: str, valueSerde: str })
    const stream3 = builder.stream<string, string>('topic3', { keySerde: str, valueSerde: str })
    const newStream = stream1.map((k, v) => [v, k] as const)
    const streamJoined = { keySerde: str, valueSerde: str, otherValueSerde: str }
    newStream.join(stream2, (value1, value2) => value1 + value2, JoinWindows.ofTimeDifferenceWithNoGrace(100), { ...streamJoined, name: 'first-join' }).to('out-one')
    newStream.join(stream3, (value1, value2) => value1 + value2, JoinWindows.ofTimeDifferenceWithNoGrace(100), { ...streamJoined, name: 'second-join' }).to('out-two')
    const topology = builder.build()
    expect(topology.describe()).toBe(expectedTopologyWithUserNamedRepartitionTopics)
  })

  it('shouldDisableLoggingOnStreamJoined', () => {
    const joinWindows = JoinWindows.ofTimeDifferenceAndGrace(100, 50)
    const streamJoined = { keySerde: str, valueSerde: int, otherValueSerde: int, storeName: 'store', loggingEnabled: false }

    const builder = new StreamsBuilder()
    const left = builder.stream<string, number>('left', { keySerde: str, valueSerde: int })
    const right = builder.stream<string, number>('right', { keySerde: str, valueSerde: int })

    left.join(right, (a, b) => a + b, joinWindows, streamJoined)

    const topology = builder.build()

    expect(topology.stores.get('store-this-join-store')?.definition.loggingEnabled).toBe(false)
    expect(topology.stores.get('store-other-join-store')?.definition.loggingEnabled).toBe(false)
  })

  // Java passes withLoggingEnabled(Collections.singletonMap("test", "property")) and checks that both
  // changelog topics carry that config; Tributary's StreamJoinedOptions has only `loggingEnabled: boolean`
  // (no changelog topic config), so that part is left out.
  it('shouldEnableLoggingWithCustomConfigOnStreamJoined', () => {
    const joinWindows = JoinWindows.ofTimeDifferenceAndGrace(100, 50)
    const streamJoined = { keySerde: str, valueSerde: int, otherValueSerde: int, storeName: 'store', loggingEnabled: true }

    const builder = new StreamsBuilder()
    const left = builder.stream<string, number>('left', { keySerde: str, valueSerde: int })
    const right = builder.stream<string, number>('right', { keySerde: str, valueSerde: int })

    left.join(right, (a, b) => a + b, joinWindows, streamJoined)

    const topology = builder.build()

    expect(topology.stores.get('store-this-join-store')?.definition.loggingEnabled).toBe(true)
    expect(topology.stores.get('store-other-join-store')?.definition.loggingEnabled).toBe(true)
    const subtopology0 = topology.subtopologies.find((s) => s.id === 0)!
    const stateChangelogTopics = subtopology0.stores.map((s) => topology.stores.get(s)!.changelogTopic).filter((t) => t !== undefined)
    expect(stateChangelogTopics.length).toBe(2)
    for (const changelog of stateChangelogTopics) expect(topology.internalTopics.get(changelog!)?.purpose).toBe('changelog')
  })

  it('shouldBuildJoinWithCustomStoresAndCorrectWindowSettings', () => {
    // Case where everything matches up
    const joinWindows = JoinWindows.ofTimeDifferenceAndGrace(50, 50)
    const streamJoined = { keySerde: str, valueSerde: int, otherValueSerde: int }
    const builder = new StreamsBuilder()
    const left = builder.stream<string, number>('left', { keySerde: str, valueSerde: int })
    const right = builder.stream<string, number>('right', { keySerde: str, valueSerde: int })

    left.join(right, (a, b) => a + b, joinWindows, streamJoined)

    builder.build()
  })

  // Java supplies the stores through StreamJoined.withDslStoreSuppliers(CapturingStoreSuppliers) and
  // asserts !WrappedStateStore.isTimestamped(store). Tributary has no DslStoreSuppliers; ported as:
  // runJoin with the default stores, then both join window stores must be plain (not timestamped).
  it('shouldJoinWithNonTimestampedStore', async () => {
    const joinWindows = JoinWindows.ofTimeDifferenceWithNoGrace(100)
    const streamJoined = { keySerde: str, valueSerde: int, otherValueSerde: int }

    const topology = await runJoin(streamJoined, joinWindows)
    const windowStores = [...topology.stores.values()].filter((s) => s.definition.type === 'window')
    expect(windowStores.map((s) => s.definition.name).sort()).toEqual(['KSTREAM-JOINOTHER-0000000005-store', 'KSTREAM-JOINTHIS-0000000004-store'])
    for (const store of windowStores) expect(store.valueFormat).toBe('plain')
  })

  it('testJoin', async () => {
    const expectedKeys = [0, 1, 2, 3]
    const { inputTopic1, inputTopic2, processor } = setUpJoin((stream1, stream2) =>
      stream1.join(stream2, TOSTRING_JOINER, JoinWindows.ofTimeDifferenceWithNoGrace(100), { keySerde: int, valueSerde: str, otherValueSerde: str }),
    )

    // push two items to the primary stream; the other window is empty
    for (let i = 0; i < 2; i++) {
      await inputTopic1.pipeInput(expectedKeys[i]!, 'A' + expectedKeys[i]!)
    }
    processor.checkAndClearProcessResult()

    // push two items to the other stream; this should produce two items
    for (let i = 0; i < 2; i++) {
      await inputTopic2.pipeInput(expectedKeys[i]!, 'a' + expectedKeys[i]!)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+a0', 0),
      kvt(1, 'A1+a1', 0)
    )

    // push all four items to the primary stream; this should produce two items
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'B' + expectedKey)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'B0+a0', 0),
      kvt(1, 'B1+a1', 0)
    )

    // push all items to the other stream; this should produce six items
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'b' + expectedKey)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+b0', 0),
      kvt(0, 'B0+b0', 0),
      kvt(1, 'A1+b1', 0),
      kvt(1, 'B1+b1', 0),
      kvt(2, 'B2+b2', 0),
      kvt(3, 'B3+b3', 0)
    )

    // push all four items to the primary stream; this should produce six items
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'C' + expectedKey)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'C0+a0', 0),
      kvt(0, 'C0+b0', 0),
      kvt(1, 'C1+a1', 0),
      kvt(1, 'C1+b1', 0),
      kvt(2, 'C2+b2', 0),
      kvt(3, 'C3+b3', 0)
    )

    // push two items to the other stream; this should produce six items
    for (let i = 0; i < 2; i++) {
      await inputTopic2.pipeInput(expectedKeys[i]!, 'c' + expectedKeys[i]!)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+c0', 0),
      kvt(0, 'B0+c0', 0),
      kvt(0, 'C0+c0', 0),
      kvt(1, 'A1+c1', 0),
      kvt(1, 'B1+c1', 0),
      kvt(1, 'C1+c1', 0)
    )
  })

  it('testOuterJoin', async () => {
    const expectedKeys = [0, 1, 2, 3]
    const { inputTopic1, inputTopic2, processor } = setUpJoin((stream1, stream2) =>
      stream1.outerJoin(stream2, TOSTRING_JOINER, JoinWindows.ofTimeDifferenceAndGrace(100, 24 * 60 * 60 * 1000), { keySerde: int, valueSerde: str, otherValueSerde: str }),
    )

    // push two items to the primary stream; the other window is empty; this should not produce items yet
    for (let i = 0; i < 2; i++) {
      await inputTopic1.pipeInput(expectedKeys[i]!, 'A' + expectedKeys[i]!)
    }
    processor.checkAndClearProcessResult()

    // push two items to the other stream; this should produce two items
    for (let i = 0; i < 2; i++) {
      await inputTopic2.pipeInput(expectedKeys[i]!, 'a' + expectedKeys[i]!)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+a0', 0),
      kvt(1, 'A1+a1', 0)
    )

    // push all four items to the primary stream; this should produce two items
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'B' + expectedKey)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'B0+a0', 0),
      kvt(1, 'B1+a1', 0)
    )

    // push all items to the other stream; this should produce six items
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'b' + expectedKey)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+b0', 0),
      kvt(0, 'B0+b0', 0),
      kvt(1, 'A1+b1', 0),
      kvt(1, 'B1+b1', 0),
      kvt(2, 'B2+b2', 0),
      kvt(3, 'B3+b3', 0)
    )

    // push all four items to the primary stream; this should produce six items
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'C' + expectedKey)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'C0+a0', 0),
      kvt(0, 'C0+b0', 0),
      kvt(1, 'C1+a1', 0),
      kvt(1, 'C1+b1', 0),
      kvt(2, 'C2+b2', 0),
      kvt(3, 'C3+b3', 0)
    )

    // push two items to the other stream; this should produce six items
    for (let i = 0; i < 2; i++) {
      await inputTopic2.pipeInput(expectedKeys[i]!, 'c' + expectedKeys[i]!)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+c0', 0),
      kvt(0, 'B0+c0', 0),
      kvt(0, 'C0+c0', 0),
      kvt(1, 'A1+c1', 0),
      kvt(1, 'B1+c1', 0),
      kvt(1, 'C1+c1', 0)
    )
  })

  it('testWindowing', async () => {
    const expectedKeys = [0, 1, 2, 3]
    const { inputTopic1, inputTopic2, processor } = setUpJoin((stream1, stream2) =>
      stream1.join(stream2, TOSTRING_JOINER, JoinWindows.ofTimeDifferenceWithNoGrace(100), { keySerde: int, valueSerde: str, otherValueSerde: str }),
    )

    let time = 0

    // push two items to the primary stream; the other window is empty; this should produce no items
    for (let i = 0; i < 2; i++) {
      await inputTopic1.pipeInput(expectedKeys[i]!, 'A' + expectedKeys[i]!, time)
    }
    processor.checkAndClearProcessResult()

    // push two items to the other stream; this should produce two items
    for (let i = 0; i < 2; i++) {
      await inputTopic2.pipeInput(expectedKeys[i]!, 'a' + expectedKeys[i]!, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+a0', 0),
      kvt(1, 'A1+a1', 0)
    )

    // push four items to the primary stream with larger and increasing timestamp; this should produce no items
    time = 1000
    for (let i = 0; i < expectedKeys.length; i++) {
      await inputTopic1.pipeInput(expectedKeys[i]!, 'B' + expectedKeys[i]!, time + i)
    }
    processor.checkAndClearProcessResult()

    // push four items to the other stream with fixed larger timestamp; this should produce four items
    time += 100
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'b' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'B0+b0', 1100),
      kvt(1, 'B1+b1', 1100),
      kvt(2, 'B2+b2', 1100),
      kvt(3, 'B3+b3', 1100)
    )

    // push four items to the other stream with incremented timestamp; this should produce three items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'c' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(1, 'B1+c1', 1101),
      kvt(2, 'B2+c2', 1101),
      kvt(3, 'B3+c3', 1101)
    )

    // push four items to the other stream with incremented timestamp; this should produce two items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'd' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(2, 'B2+d2', 1102),
      kvt(3, 'B3+d3', 1102)
    )

    // push four items to the other stream with incremented timestamp; this should produce one item
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'e' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(3, 'B3+e3', 1103)
    )

    // push four items to the other stream with incremented timestamp; this should produce no items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'f' + expectedKey, time)
    }
    processor.checkAndClearProcessResult()

    // push four items to the other stream with timestamp before the window bound; this should produce no items
    time = 1000 - 100 - 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'g' + expectedKey, time)
    }
    processor.checkAndClearProcessResult()

    // push four items to the other stream with with incremented timestamp; this should produce one item
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'h' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'B0+h0', 1000)
    )

    // push four items to the other stream with with incremented timestamp; this should produce two items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'i' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'B0+i0', 1000),
      kvt(1, 'B1+i1', 1001)
    )

    // push four items to the other stream with with incremented timestamp; this should produce three items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'j' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'B0+j0', 1000),
      kvt(1, 'B1+j1', 1001),
      kvt(2, 'B2+j2', 1002)
    )

    // push four items to the other stream with with incremented timestamp; this should produce four items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'k' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'B0+k0', 1000),
      kvt(1, 'B1+k1', 1001),
      kvt(2, 'B2+k2', 1002),
      kvt(3, 'B3+k3', 1003)
    )

    // advance time to not join with existing data
    time = 2000
    for (let i = 0; i < expectedKeys.length; i++) {
      await inputTopic2.pipeInput(expectedKeys[i]!, 'l' + expectedKeys[i]!, time + i)
    }
    processor.checkAndClearProcessResult()

    // push four items with larger timestamps to the primary stream; this should produce four items
    time = 2000 + 100
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'C' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'C0+l0', 2100),
      kvt(1, 'C1+l1', 2100),
      kvt(2, 'C2+l2', 2100),
      kvt(3, 'C3+l3', 2100)
    )

    // push four items with increase timestamps to the primary stream; this should produce three items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'D' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(1, 'D1+l1', 2101),
      kvt(2, 'D2+l2', 2101),
      kvt(3, 'D3+l3', 2101)
    )

    // push four items with increase timestamps to the primary stream; this should produce two items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'E' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(2, 'E2+l2', 2102),
      kvt(3, 'E3+l3', 2102)
    )

    // push four items with increase timestamps to the primary stream; this should produce one item
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'F' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(3, 'F3+l3', 2103)
    )

    // push four items with increase timestamps (now out of window) to the primary stream; this should produce no items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'G' + expectedKey, time)
    }
    processor.checkAndClearProcessResult()

    // push four items with smaller timestamps (before window) to the primary stream; this should produce no items
    time = 2000 - 100 - 1
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'H' + expectedKey, time)
    }
    processor.checkAndClearProcessResult()

    // push four items with increased timestamps to the primary stream; this should produce one item
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'I' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'I0+l0', 2000)
    )

    // push four items with increased timestamps to the primary stream; this should produce two items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'J' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'J0+l0', 2000),
      kvt(1, 'J1+l1', 2001)
    )

    // push four items with increased timestamps to the primary stream; this should produce three items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'K' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'K0+l0', 2000),
      kvt(1, 'K1+l1', 2001),
      kvt(2, 'K2+l2', 2002)
    )

    // push four items with increased timestamps to the primary stream; this should produce four items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic1.pipeInput(expectedKey, 'L' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'L0+l0', 2000),
      kvt(1, 'L1+l1', 2001),
      kvt(2, 'L2+l2', 2002),
      kvt(3, 'L3+l3', 2003)
    )
  })

  it('testAsymmetricWindowingAfter', async () => {
    const expectedKeys = [0, 1, 2, 3]
    const { inputTopic1, inputTopic2, processor } = setUpJoin((stream1, stream2) =>
      stream1.join(stream2, TOSTRING_JOINER, JoinWindows.ofTimeDifferenceWithNoGrace(0).after(100), { keySerde: int, valueSerde: str, otherValueSerde: str }),
    )

    let time = 1000

    // push four items with increasing timestamps to the primary stream; the other window is empty; this should produce no items
    for (let i = 0; i < expectedKeys.length; i++) {
      await inputTopic1.pipeInput(expectedKeys[i]!, 'A' + expectedKeys[i]!, time + i)
    }
    processor.checkAndClearProcessResult()

    // push four items smaller timestamps (out of window) to the secondary stream; this should produce no items
    time = 1000 - 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'a' + expectedKey, time)
    }
    processor.checkAndClearProcessResult()

    // push four items with increased timestamps to the secondary stream; this should produce one item
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'b' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+b0', 1000)
    )

    // push four items with increased timestamps to the secondary stream; this should produce two items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'c' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+c0', 1001),
      kvt(1, 'A1+c1', 1001)
    )

    // push four items with increased timestamps to the secondary stream; this should produce three items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'd' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+d0', 1002),
      kvt(1, 'A1+d1', 1002),
      kvt(2, 'A2+d2', 1002)
    )

    // push four items with increased timestamps to the secondary stream; this should produce four items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'e' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+e0', 1003),
      kvt(1, 'A1+e1', 1003),
      kvt(2, 'A2+e2', 1003),
      kvt(3, 'A3+e3', 1003)
    )

    // push four items with larger timestamps to the secondary stream; this should produce four items
    time = 1000 + 100
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'f' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+f0', 1100),
      kvt(1, 'A1+f1', 1100),
      kvt(2, 'A2+f2', 1100),
      kvt(3, 'A3+f3', 1100)
    )

    // push four items with increased timestamps to the secondary stream; this should produce three items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'g' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(1, 'A1+g1', 1101),
      kvt(2, 'A2+g2', 1101),
      kvt(3, 'A3+g3', 1101)
    )

    // push four items with increased timestamps to the secondary stream; this should produce two items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'h' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(2, 'A2+h2', 1102),
      kvt(3, 'A3+h3', 1102)
    )

    // push four items with increased timestamps to the secondary stream; this should produce one item
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'i' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(3, 'A3+i3', 1103)
    )

    // push four items with increased timestamps (no out of window) to the secondary stream; this should produce no items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'j' + expectedKey, time)
    }
    processor.checkAndClearProcessResult()
  })

  it('testAsymmetricWindowingBefore', async () => {
    const expectedKeys = [0, 1, 2, 3]
    const { inputTopic1, inputTopic2, processor } = setUpJoin((stream1, stream2) =>
      stream1.join(stream2, TOSTRING_JOINER, JoinWindows.ofTimeDifferenceWithNoGrace(0).before(100), { keySerde: int, valueSerde: str, otherValueSerde: str }),
    )

    let time = 1000

    // push four items with increasing timestamps to the primary stream; the other window is empty; this should produce no items
    for (let i = 0; i < expectedKeys.length; i++) {
      await inputTopic1.pipeInput(expectedKeys[i]!, 'A' + expectedKeys[i]!, time + i)
    }
    processor.checkAndClearProcessResult()

    // push four items with smaller timestamps (before the window) to the other stream; this should produce no items
    time = 1000 - 100 - 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'a' + expectedKey, time)
    }
    processor.checkAndClearProcessResult()

    // push four items with increased timestamp to the other stream; this should produce one item
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'b' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+b0', 1000)
    )

    // push four items with increased timestamp to the other stream; this should produce two items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'c' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+c0', 1000),
      kvt(1, 'A1+c1', 1001)
    )

    // push four items with increased timestamp to the other stream; this should produce three items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'd' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+d0', 1000),
      kvt(1, 'A1+d1', 1001),
      kvt(2, 'A2+d2', 1002)
    )

    // push four items with increased timestamp to the other stream; this should produce four items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'e' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+e0', 1000),
      kvt(1, 'A1+e1', 1001),
      kvt(2, 'A2+e2', 1002),
      kvt(3, 'A3+e3', 1003)
    )

    // push four items with larger timestamp to the other stream; this should produce four items
    time = 1000
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'f' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(0, 'A0+f0', 1000),
      kvt(1, 'A1+f1', 1001),
      kvt(2, 'A2+f2', 1002),
      kvt(3, 'A3+f3', 1003)
    )

    // push four items with increase timestamp to the other stream; this should produce three items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'g' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(1, 'A1+g1', 1001),
      kvt(2, 'A2+g2', 1002),
      kvt(3, 'A3+g3', 1003)
    )

    // push four items with increase timestamp to the other stream; this should produce two items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'h' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(2, 'A2+h2', 1002),
      kvt(3, 'A3+h3', 1003)
    )

    // push four items with increase timestamp to the other stream; this should produce one item
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'i' + expectedKey, time)
    }
    processor.checkAndClearProcessResult(
      kvt(3, 'A3+i3', 1003)
    )

    // push four items with increase timestamp (no out of window) to the other stream; this should produce no items
    time += 1
    for (const expectedKey of expectedKeys) {
      await inputTopic2.pipeInput(expectedKey, 'j' + expectedKey, time)
    }
    processor.checkAndClearProcessResult()
  })
})
