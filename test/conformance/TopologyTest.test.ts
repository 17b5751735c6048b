// Ported from apache/kafka's streams/src/test/java/org/apache/kafka/streams/TopologyTest.java
// The tests that build with StreamsBuilder compare builder.build().describe() with Kafka's
// TopologyDescription text, exactly. The Processor API tests (new Topology()) are in the second
// describe block at the end, on TopologyBuilder.
//
// The trailing buildTopology().hasPersistentLocalStore() and stateStores().get(i).persistent() checks
// read the stores as built under the default (RocksDB) supplier (processor-topology.ts), with
// Materialized.withStoreType(...) given as `storeType`.
//
// Not ported:
// - Java-only: the null-argument checks of the Processor API (13 tests: shouldNotAllowNull*,
//   shouldNotAddNullStateStoreSupplier, shouldNotAllowToAdd{Processor,Sink}WithNullParents), which
//   TypeScript's types rule out; sinkShouldReturnNullTopicWithDynamicRouting and
//   sinkShouldReturnTopicNameExtractorWithDynamicRouting (the TopologyDescription.Sink object: describe()
//   is text here).
// - Missing API Topology.addSource(name, Pattern): testPatternMatchesAlreadyProvidedTopicSource,
//   testNamedTopicMatchesAlreadyProvidedPattern, singleSourcePatternShouldHaveSingleSubtopology,
//   processorWithMultipleSourcesShouldHaveSingleSubtopology.
// - Missing API StreamJoined.withThisStoreSupplier/withOtherStoreSupplier + Stores.inMemoryWindowStore:
//   streamStream{,Left,Outer}JoinTopologyWithCustomStoresSuppliers.
// - Missing API new StreamsBuilder(TopologyConfig) (named topology "my-topology", default.dsl.store):
//   every *WithTopologyConfigShouldPreserveTopologyStructure test.
import { beforeEach, describe, expect, it } from 'vitest'
import { TopologyError } from '../../src/core/errors.js'
import { JoinWindows, SessionWindows, SlidingWindows, StreamsBuilder, TimeWindows, TopologyBuilder } from '../../src/dsl/index.js'
import type { ProcessorSupplierWithStores, StateStoreOptions } from '../../src/dsl/index.js'
import type { ProcessorSupplier } from '../../src/processors/api.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import type { KStream } from '../../src/dsl/index.js'
import type { KeyValue } from '../../src/core/record.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { RecordContext } from '../../src/topology/types.js'
import { hasPersistentLocalStore, persistentStores } from './processor-topology.js'
import { comparable, ExpectedDescription, parseDescription, type NodeDescription } from './topology-description.js'

// MockValueJoiner.TOSTRING_JOINER
const TOSTRING_JOINER = (value1: string | null, value2: string | null): string => `${value1}+${value2}`
// StreamJoined.with(Serdes.Integer(), Serdes.String(), Serdes.String())
const streamJoined = { keySerde: Serdes.int32(), valueSerde: Serdes.string(), otherValueSerde: Serdes.string() }
// The deprecated JoinWindows.of(ofMillis(100)): 100 ms before and after, grace 24h - 2 * 100 ms.
const DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD = 24 * 60 * 60 * 1000
const joinWindowsOf100 = JoinWindows.ofTimeDifferenceAndGrace(100, Math.max(DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD - 100 * 2, 0))

/**
 * Java's expected description of a cogroup of one stream: the aggregate at index `first` (after the
 * generated store name, when there is one), then the merge.
 */
function cogroupDescription(first: number, store?: string): string {
  const n = (i: number) => String(i).padStart(10, '0')
  const agg = `COGROUPKSTREAM-AGGREGATE-${n(first)}`
  const merge = `COGROUPKSTREAM-MERGE-${n(first + 1)}`
  return (
    'Topologies:\n' +
    '   Sub-topology: 0\n' +
    '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
    `      --> ${agg}\n` +
    `    Processor: ${agg} (stores: [${store ?? `COGROUPKSTREAM-AGGREGATE-STATE-STORE-${n(first - 1)}`}])\n` +
    `      --> ${merge}\n` +
    '      <-- KSTREAM-SOURCE-0000000000\n' +
    `    Processor: ${merge} (stores: [])\n` +
    '      --> none\n' +
    `      <-- ${agg}\n\n`
  )
}

function twoStreams(builder: StreamsBuilder): [KStream<number, string>, KStream<number, string>] {
  return [builder.stream<number, string>('input-topic1'), builder.stream<number, string>('input-topic2')]
}

// Serdes.Long() of Materialized.with(null, Serdes.Long()): Tributary counts are numbers, stored with float64.
const countSerde = Serdes.float64()

// The table tests' `(key, value) -> null` selector.
const nullSelector = (): KeyValue<unknown, unknown> => null as unknown as KeyValue<unknown, unknown>

describe('TopologyTest', () => {
  it('streamStreamJoinTopologyWithDefaultStoresNames', () => {
    const builder = new StreamsBuilder()
    const [stream1, stream2] = twoStreams(builder)
    stream1.join(stream2, TOSTRING_JOINER, joinWindowsOf100, streamJoined)
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n' +
        '      --> KSTREAM-WINDOWED-0000000002\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n' +
        '      --> KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n' +
        '      --> KSTREAM-JOINTHIS-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n' +
        '      --> KSTREAM-JOINOTHER-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KSTREAM-JOINOTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000002\n' +
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-JOINOTHER-0000000005\n\n',
    )
  })

  it('streamStreamJoinTopologyWithCustomStoresNames', () => {
    const builder = new StreamsBuilder()
    const [stream1, stream2] = twoStreams(builder)
    stream1.join(stream2, TOSTRING_JOINER, joinWindowsOf100, { ...streamJoined, storeName: 'custom-name' })
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n' +
        '      --> KSTREAM-WINDOWED-0000000002\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n' +
        '      --> KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [custom-name-this-join-store])\n' +
        '      --> KSTREAM-JOINTHIS-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [custom-name-other-join-store])\n' +
        '      --> KSTREAM-JOINOTHER-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KSTREAM-JOINOTHER-0000000005 (stores: [custom-name-this-join-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [custom-name-other-join-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000002\n' +
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-JOINOTHER-0000000005\n\n',
    )
  })

  it('streamStreamLeftJoinTopologyWithDefaultStoresNames', () => {
    const builder = new StreamsBuilder()
    const [stream1, stream2] = twoStreams(builder)
    stream1.leftJoin(stream2, TOSTRING_JOINER, JoinWindows.ofTimeDifferenceWithNoGrace(100), streamJoined)
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n' +
        '      --> KSTREAM-WINDOWED-0000000002\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n' +
        '      --> KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n' +
        '      --> KSTREAM-JOINTHIS-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-OUTEROTHER-0000000005-store])\n' +
        '      --> KSTREAM-OUTEROTHER-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000002\n' +
        '    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store, KSTREAM-OUTERSHARED-0000000004-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005\n\n',
    )
  })

  it('streamStreamLeftJoinTopologyWithCustomStoresNames', () => {
    const builder = new StreamsBuilder()
    const [stream1, stream2] = twoStreams(builder)
    stream1.leftJoin(stream2, TOSTRING_JOINER, JoinWindows.ofTimeDifferenceWithNoGrace(100), { ...streamJoined, storeName: 'custom-name' })
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n' +
        '      --> KSTREAM-WINDOWED-0000000002\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n' +
        '      --> KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [custom-name-this-join-store])\n' +
        '      --> KSTREAM-JOINTHIS-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [custom-name-outer-other-join-store])\n' +
        '      --> KSTREAM-OUTEROTHER-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [custom-name-outer-other-join-store, custom-name-left-shared-join-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000002\n' +
        '    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [custom-name-this-join-store, custom-name-left-shared-join-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005\n\n',
    )
  })

  it('streamStreamOuterJoinTopologyWithDefaultStoresNames', () => {
    const builder = new StreamsBuilder()
    const [stream1, stream2] = twoStreams(builder)
    stream1.outerJoin(stream2, TOSTRING_JOINER, JoinWindows.ofTimeDifferenceWithNoGrace(100), streamJoined)
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n' +
        '      --> KSTREAM-WINDOWED-0000000002\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n' +
        '      --> KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-OUTERTHIS-0000000004-store])\n' +
        '      --> KSTREAM-OUTERTHIS-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-OUTEROTHER-0000000005-store])\n' +
        '      --> KSTREAM-OUTEROTHER-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [KSTREAM-OUTERTHIS-0000000004-store, KSTREAM-OUTERSHARED-0000000004-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-OUTERTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000002\n' +
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-OUTERTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005\n\n',
    )
  })

  it('streamStreamOuterJoinTopologyWithCustomStoresNames', () => {
    const builder = new StreamsBuilder()
    const [stream1, stream2] = twoStreams(builder)
    stream1.outerJoin(stream2, TOSTRING_JOINER, JoinWindows.ofTimeDifferenceWithNoGrace(100), { ...streamJoined, storeName: 'custom-name' })
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n' +
        '      --> KSTREAM-WINDOWED-0000000002\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n' +
        '      --> KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [custom-name-outer-this-join-store])\n' +
        '      --> KSTREAM-OUTERTHIS-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [custom-name-outer-other-join-store])\n' +
        '      --> KSTREAM-OUTEROTHER-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [custom-name-outer-this-join-store, custom-name-outer-shared-join-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000003\n' +
        '    Processor: KSTREAM-OUTERTHIS-0000000004 (stores: [custom-name-outer-other-join-store, custom-name-outer-shared-join-store])\n' +
        '      --> KSTREAM-MERGE-0000000006\n' +
        '      <-- KSTREAM-WINDOWED-0000000002\n' +
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-OUTERTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005\n\n',
    )
  })

  it('topologyWithDynamicRoutingShouldDescribeExtractorClass', () => {
    const builder = new StreamsBuilder()
    // Java: an anonymous TopicNameExtractor whose toString() is overridden; Kafka describes the sink
    // with the extractor's toString().
    const topicNameExtractor = Object.assign((key: unknown, _value: unknown, recordContext: RecordContext): string => `${recordContext.metadata?.topic}-${key}`, {
      toString: (): string => 'anonymous topic name extractor. topic is [recordContext.topic()]-[key]',
    })
    builder.stream('input-topic').to(topicNameExtractor)
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-SINK-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000001 (extractor class: anonymous topic name extractor. topic is [recordContext.topic()]-[key])\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
  })

  it('kGroupedStreamZeroArgCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream('input-topic').groupByKey().count()
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000002\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(true)
  })

  it('kGroupedStreamNamedMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    // Materialized.as("count-store") .withStoreType(IN_MEMORY)
    builder.stream('input-topic').groupByKey().count({ storeName: 'count-store', storeType: 'memory' })
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000001\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000001 (stores: [count-store])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(false)
  })

  it('kGroupedStreamAnonymousMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    // Materialized.with(null, Serdes.Long()) .withStoreType(ROCKS_DB)
    builder.stream('input-topic').groupByKey().count({ valueSerde: countSerde, storeType: 'rocksdb' })
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000003\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(true)
  })

  it('kGroupedStreamAnonymousStoreTypedMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    // Materialized.as(Materialized.StoreType.IN_MEMORY)
    builder.stream('input-topic').groupByKey().count({ storeType: 'memory' })
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000003\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(false)
  })

  it('timeWindowZeroArgCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream('input-topic').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1)).count()
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000002\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(true)
  })

  it('timeWindowNamedMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream('input-topic').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1)).count({ storeName: 'count-store', storeType: 'memory' })
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000001\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000001 (stores: [count-store])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(false)
  })

  it('timeWindowAnonymousMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream('input-topic').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1)).count({ valueSerde: countSerde, storeType: 'rocksdb' })
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000003\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(true)
  })

  it('timeWindowAnonymousStoreTypeMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    // Materialized.as(Materialized.StoreType.IN_MEMORY)
    builder.stream('input-topic').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1)).count({ storeType: 'memory' })
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000003\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(false)
  })

  // The Java test uses TimeWindows here too, despite its name.
  it('slidingWindowZeroArgCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream('input-topic').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1)).count()
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000002\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(true)
  })

  // The Java test uses TimeWindows here too, despite its name.
  it('slidingWindowNamedMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream('input-topic').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1)).count({ storeName: 'count-store', storeType: 'memory' })
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000001\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000001 (stores: [count-store])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(false)
  })

  it('sessionWindowZeroArgCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream('input-topic').groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1)).count()
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000002\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(true)
  })

  it('sessionWindowNamedMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream('input-topic').groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1)).count({ storeName: 'count-store', storeType: 'memory' })
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000001\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000001 (stores: [count-store])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(false)
  })

  it('sessionWindowAnonymousMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream('input-topic').groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1)).count({ valueSerde: countSerde, storeType: 'rocksdb' })
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000003\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(true)
  })

  it('sessionWindowAnonymousStoreTypedMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    // Materialized.as(Materialized.StoreType.IN_MEMORY)
    builder.stream('input-topic').groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1)).count({ storeType: 'memory' })
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n' +
        '      --> KSTREAM-AGGREGATE-0000000003\n' +
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )
    expect(hasPersistentLocalStore(topology)).toBe(false)
  })

  const tableCountWithGeneratedNames =
    'Topologies:\n' +
    '   Sub-topology: 0\n' +
    '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n' +
    '      --> KTABLE-SOURCE-0000000002\n' +
    '    Processor: KTABLE-SOURCE-0000000002 (stores: [input-topic-STATE-STORE-0000000000])\n' +
    '      --> KTABLE-SELECT-0000000003\n' +
    '      <-- KSTREAM-SOURCE-0000000001\n' +
    '    Processor: KTABLE-SELECT-0000000003 (stores: [])\n' +
    '      --> KSTREAM-SINK-0000000005\n' +
    '      <-- KTABLE-SOURCE-0000000002\n' +
    '    Sink: KSTREAM-SINK-0000000005 (topic: KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition)\n' +
    '      <-- KTABLE-SELECT-0000000003\n' +
    '\n' +
    '  Sub-topology: 1\n' +
    '    Source: KSTREAM-SOURCE-0000000006 (topics: [KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition])\n' +
    '      --> KTABLE-AGGREGATE-0000000007\n' +
    '    Processor: KTABLE-AGGREGATE-0000000007 (stores: [KTABLE-AGGREGATE-STATE-STORE-0000000004])\n' +
    '      --> none\n' +
    '      <-- KSTREAM-SOURCE-0000000006\n' +
    '\n'

  it('tableZeroArgCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.table('input-topic').groupBy(nullSelector).count()
    const topology = builder.build()
    expect(topology.describe()).toBe(tableCountWithGeneratedNames)
    // one for ktable, and one for count operation
    expect(topology.stores.size).toBe(2)
    expect(persistentStores(topology)).toEqual([true, true])
  })

  it('tableNamedMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.table('input-topic').groupBy(nullSelector).count({ storeName: 'count-store', storeType: 'memory' })
    const topology = builder.build()
    expect(topology.describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n' +
        '      --> KTABLE-SOURCE-0000000002\n' +
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [input-topic-STATE-STORE-0000000000])\n' +
        '      --> KTABLE-SELECT-0000000003\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KTABLE-SELECT-0000000003 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000004\n' +
        '      <-- KTABLE-SOURCE-0000000002\n' +
        '    Sink: KSTREAM-SINK-0000000004 (topic: count-store-repartition)\n' +
        '      <-- KTABLE-SELECT-0000000003\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000005 (topics: [count-store-repartition])\n' +
        '      --> KTABLE-AGGREGATE-0000000006\n' +
        '    Processor: KTABLE-AGGREGATE-0000000006 (stores: [count-store])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000005\n' +
        '\n',
    )
    // one for ktable, and one for count operation
    expect(topology.stores.size).toBe(2)
    expect(persistentStores(topology)).toEqual([true, false])
  })

  it('tableAnonymousMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.table('input-topic').groupBy(nullSelector).count({ valueSerde: countSerde, storeType: 'rocksdb' })
    const topology = builder.build()
    expect(topology.describe()).toBe(tableCountWithGeneratedNames)
    // one for ktable, and one for count operation
    expect(topology.stores.size).toBe(2)
    expect(persistentStores(topology)).toEqual([true, true])
  })

  it('tableAnonymousStoreTypedMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    // Materialized.as(Materialized.StoreType.IN_MEMORY)
    builder.table('input-topic').groupBy(nullSelector).count({ storeType: 'memory' })
    const topology = builder.build()
    expect(topology.describe()).toBe(tableCountWithGeneratedNames)
    // one for ktable, and one for count operation
    expect(topology.stores.size).toBe(2)
    // ktable store is rocksDB (default), count store is in-memory
    expect(persistentStores(topology)).toEqual([true, false])
  })

  it('kTableNonMaterializedMapValuesShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    const table = builder.table<unknown, unknown>('input-topic')
    table.mapValues(() => null)
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n' +
        '      --> KTABLE-SOURCE-0000000002\n' +
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n' +
        '      --> KTABLE-MAPVALUES-0000000003\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KTABLE-MAPVALUES-0000000003 (stores: [])\n' +
        '      --> none\n' +
        '      <-- KTABLE-SOURCE-0000000002\n\n',
    )
  })

  // Materialized.with(null, null).withStoreType(IN_MEMORY): a Materialized without a store name.
  // Without a name no store is built; the index is burnt all the same.
  it('kTableAnonymousMaterializedMapValuesShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    const table = builder.table<unknown, unknown>('input-topic')
    table.mapValues(() => null, { storeType: 'memory' })
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n' +
        '      --> KTABLE-SOURCE-0000000002\n' +
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n' +
        '      --> KTABLE-MAPVALUES-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KTABLE-MAPVALUES-0000000004 (stores: [])\n' +
        '      --> none\n' +
        '      <-- KTABLE-SOURCE-0000000002\n\n',
    )
  })

  it('kTableNamedMaterializedMapValuesShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    const table = builder.table<unknown, unknown>('input-topic')
    table.mapValues(() => null, { storeName: 'store-name' })
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n' +
        '      --> KTABLE-SOURCE-0000000002\n' +
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n' +
        '      --> KTABLE-MAPVALUES-0000000003\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KTABLE-MAPVALUES-0000000003 (stores: [store-name])\n' +
        '      --> none\n' +
        '      <-- KTABLE-SOURCE-0000000002\n\n',
    )
  })

  it('kTableNonMaterializedFilterShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    const table = builder.table<unknown, unknown>('input-topic')
    table.filter(() => false)
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n' +
        '      --> KTABLE-SOURCE-0000000002\n' +
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n' +
        '      --> KTABLE-FILTER-0000000003\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KTABLE-FILTER-0000000003 (stores: [])\n' +
        '      --> none\n' +
        '      <-- KTABLE-SOURCE-0000000002\n\n',
    )
  })

  // Materialized.with(null, null): options with materialization fields at their defaults.
  it('kTableAnonymousMaterializedFilterShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    const table = builder.table<unknown, unknown>('input-topic')
    table.filter(() => false, { cachingEnabled: true })
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n' +
        '      --> KTABLE-SOURCE-0000000002\n' +
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n' +
        '      --> KTABLE-FILTER-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KTABLE-FILTER-0000000004 (stores: [])\n' +
        '      --> none\n' +
        '      <-- KTABLE-SOURCE-0000000002\n\n',
    )
  })

  it('kTableNamedMaterializedFilterShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    const table = builder.table<unknown, unknown>('input-topic')
    table.filter(() => false, { storeName: 'store-name' })
    expect(builder.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n' +
        '      --> KTABLE-SOURCE-0000000002\n' +
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n' +
        '      --> KTABLE-FILTER-0000000003\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '    Processor: KTABLE-FILTER-0000000003 (stores: [store-name])\n' +
        '      --> none\n' +
        '      <-- KTABLE-SOURCE-0000000002\n\n',
    )
  })

  // The cogroup tests. The *NamedMaterialized* ones give Materialized.as("aggregate-store")
  // .withStoreType(IN_MEMORY).
  it('timeWindowedCogroupedZeroArgCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream<unknown, unknown>('input-topic').groupByKey().cogroup((_key, value: unknown) => value).windowedBy(TimeWindows.ofSizeWithNoGrace(1)).aggregate(() => '')
    const topology = builder.build()
    expect(topology.describe()).toBe(cogroupDescription(2))
    expect(hasPersistentLocalStore(topology)).toBe(true)
  })

  it('timeWindowedCogroupedNamedMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream<unknown, unknown>('input-topic').groupByKey().cogroup((_key, value: unknown) => value).windowedBy(TimeWindows.ofSizeWithNoGrace(1)).aggregate(() => '', { storeName: 'aggregate-store', storeType: 'memory' })
    const topology = builder.build()
    expect(topology.describe()).toBe(cogroupDescription(1, 'aggregate-store'))
    expect(hasPersistentLocalStore(topology)).toBe(false)
  })

  it('slidingWindowedCogroupedZeroArgCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream<unknown, unknown>('input-topic').groupByKey().cogroup((_key, value: unknown) => value).windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(1)).aggregate(() => '')
    const topology = builder.build()
    expect(topology.describe()).toBe(cogroupDescription(2))
    expect(hasPersistentLocalStore(topology)).toBe(true)
  })

  it('slidingWindowedCogroupedNamedMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream<unknown, unknown>('input-topic').groupByKey().cogroup((_key, value: unknown) => value).windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(1)).aggregate(() => '', { storeName: 'aggregate-store', storeType: 'memory' })
    const topology = builder.build()
    expect(topology.describe()).toBe(cogroupDescription(1, 'aggregate-store'))
    expect(hasPersistentLocalStore(topology)).toBe(false)
  })

  it('sessionWindowedCogroupedZeroArgCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream<unknown, unknown>('input-topic').groupByKey().cogroup((_key, value: unknown) => value).windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1)).aggregate(() => '', () => '')
    const topology = builder.build()
    expect(topology.describe()).toBe(cogroupDescription(2))
    expect(hasPersistentLocalStore(topology)).toBe(true)
  })

  it('sessionWindowedCogroupedNamedMaterializedCountShouldPreserveTopologyStructure', () => {
    const builder = new StreamsBuilder()
    builder.stream<unknown, unknown>('input-topic').groupByKey().cogroup((_key, value: unknown) => value).windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1)).aggregate(() => '', () => '', { storeName: 'aggregate-store', storeType: 'memory' })
    const topology = builder.build()
    expect(topology.describe()).toBe(cogroupDescription(1, 'aggregate-store'))
    expect(hasPersistentLocalStore(topology)).toBe(false)
  })

  it('topologyWithStaticTopicNameExtractorShouldRespectEqualHashcodeContract', () => {
    const topologyWithStaticTopicName = (): ReturnType<StreamsBuilder['build']> => {
      const builder = new StreamsBuilder()
      builder.stream('from-topic-name').to('to-topic-name')
      return builder.build()
    }
    const topologyA = topologyWithStaticTopicName()
    const topologyB = topologyWithStaticTopicName()
    // TopologyDescription equality (and equal hash codes) ~ equal describe() text.
    expect(topologyA.describe()).toBe(topologyB.describe())
  })
})

// The Processor API half of TopologyTest: Java's `new Topology()` is Tributary's `new TopologyBuilder()`,
// Java's mocked StoreBuilder of a name a key-value store of that name. Java compares TopologyDescription
// objects; here describe() text is parsed back into the same shape (topology-description.ts).
describe('TopologyTest', () => {
  let topology: TopologyBuilder
  let expectedDescription: ExpectedDescription
  beforeEach(() => {
    topology = new TopologyBuilder()
    expectedDescription = new ExpectedDescription()
  })

  /** A processor that forwards what it gets (MockApiProcessorSupplier). */
  const mockProcessor = (): ProcessorSupplier => () => ({ process: () => undefined })
  /** StoreBuilder mocked with only a name. */
  const storeBuilder = (name = 'store'): StateStoreOptions<unknown, unknown> => ({ name, type: 'keyValue' })

  const addSource = (name: string, ...topics: string[]) => {
    topology.addSource(name, topics)
    return expectedDescription.source(name, ...topics)
  }
  const addProcessorWithStore = (name: string, stores: readonly string[], newStores: boolean, ...parents: NodeDescription[]) => {
    topology.addProcessor(name, mockProcessor(), ...parents.map((p) => p.name))
    if (newStores) for (const store of stores) topology.addStateStore(storeBuilder(store), name)
    else topology.connectProcessorAndStateStores(name, ...stores)
    return expectedDescription.processor(name, stores, ...parents)
  }
  const addProcessor = (name: string, ...parents: NodeDescription[]) => addProcessorWithStore(name, [], true, ...parents)
  const addProcessorWithNewStore = (name: string, stores: readonly string[], ...parents: NodeDescription[]) => addProcessorWithStore(name, stores, true, ...parents)
  const addProcessorWithExistingStore = (name: string, stores: readonly string[], ...parents: NodeDescription[]) => addProcessorWithStore(name, stores, false, ...parents)
  const addSink = (name: string, topic: string, ...parents: NodeDescription[]) => {
    topology.addSink(name, topic, ...parents.map((p) => p.name))
    return expectedDescription.sink(name, topic, ...parents)
  }
  const addGlobalStoreToTopologyAndExpectedDescription = (store: string, sourceName: string, topic: string, processorName: string, id: number) => {
    topology.addGlobalStore(storeBuilder(store), sourceName, topic, processorName, mockProcessor())
    expectedDescription.addGlobalStore(store, sourceName, topic, processorName, id)
  }
  const describedAsExpected = () => expect(comparable(parseDescription(topology.describe()))).toEqual(comparable(expectedDescription.described))

  it('shouldNotAllowZeroTopicsWhenAddingSource', () => {
    expect(() => topology.addSource('source', [])).toThrow(TopologyError)
  })

  it('shouldNotAllowZeroStoreNameWhenConnectingProcessorAndStateStores', () => {
    expect(() => topology.connectProcessorAndStateStores('processor')).toThrow(TopologyError)
  })

  it('shouldNotAllowToAddSourcesWithSameName', () => {
    topology.addSource('source', 'topic-1')
    expect(() => topology.addSource('source', 'topic-2')).toThrow(TopologyError)
  })

  it('shouldNotAllowToAddTopicTwice', () => {
    topology.addSource('source', 'topic-1')
    expect(() => topology.addSource('source-2', 'topic-1')).toThrow(TopologyError)
  })

  it('shouldNotAllowToAddProcessorWithSameName', () => {
    topology.addSource('source', 'topic-1')
    topology.addProcessor('processor', mockProcessor(), 'source')
    expect(() => topology.addProcessor('processor', mockProcessor(), 'source')).toThrow(TopologyError)
  })

  it('shouldNotAllowToAddProcessorWithEmptyParents', () => {
    topology.addSource('source', 'topic-1')
    expect(() => topology.addProcessor('processor', mockProcessor())).toThrow(TopologyError)
  })

  it('shouldFailOnUnknownSource', () => {
    expect(() => topology.addProcessor('processor', mockProcessor(), 'source')).toThrow(TopologyError)
  })

  it('shouldFailIfNodeIsItsOwnParent', () => {
    expect(() => topology.addProcessor('processor', mockProcessor(), 'processor')).toThrow(TopologyError)
  })

  it('shouldNotAllowToAddSinkWithSameName', () => {
    topology.addSource('source', 'topic-1')
    topology.addSink('sink', 'topic-2', 'source')
    expect(() => topology.addSink('sink', 'topic-3', 'source')).toThrow(TopologyError)
  })

  it('shouldNotAllowToAddSinkWithEmptyParents', () => {
    topology.addSource('source', 'topic-1')
    topology.addProcessor('processor', mockProcessor(), 'source')
    expect(() => topology.addSink('sink', 'topic-2')).toThrow(TopologyError)
  })

  it('shouldFailWithUnknownParent', () => {
    expect(() => topology.addSink('sink', 'topic-2', 'source')).toThrow(TopologyError)
  })

  it('shouldFailIfSinkIsItsOwnParent', () => {
    expect(() => topology.addSink('sink', 'topic-2', 'sink')).toThrow(TopologyError)
  })

  it('shouldFailIfSinkIsParent', () => {
    topology.addSource('source', 'topic-1')
    topology.addSink('sink-1', 'topic-2', 'source')
    expect(() => topology.addSink('sink-2', 'topic-3', 'sink-1')).toThrow(TopologyError)
  })

  it('shouldNotAllowToAddStateStoreToNonExistingProcessor', () => {
    expect(() => topology.addStateStore(storeBuilder(), 'no-such-processor')).toThrow(TopologyError)
  })

  it('shouldNotAllowToAddStateStoreToSource', () => {
    topology.addSource('source-1', 'topic-1')
    expect(() => topology.addStateStore(storeBuilder(), 'source-1')).toThrow(TopologyError)
  })

  it('shouldNotAllowToAddStateStoreToSink', () => {
    topology.addSource('source-1', 'topic-1')
    topology.addSink('sink-1', 'topic-1', 'source-1')
    expect(() => topology.addStateStore(storeBuilder(), 'sink-1')).toThrow(TopologyError)
  })

  it('shouldNotAllowToAddStoreWithSameNameAndDifferentInstance', () => {
    topology.addStateStore(storeBuilder())
    const otherStoreBuilder = storeBuilder('store')
    expect(() => topology.addStateStore(otherStoreBuilder)).toThrow(TopologyError)
  })

  it('shouldAllowToShareStoreUsingSameStoreBuilder', () => {
    const builder = storeBuilder()
    // MockProcessorSupplierProvidingStore: a supplier whose stores() is the one StoreBuilder.
    const mockProcessorSupplierProvidingStore = (): ProcessorSupplierWithStores => Object.assign(mockProcessor(), { stores: [builder] })
    topology.addSource('source', 'topic-1')
    topology.addProcessor('processor-1', mockProcessorSupplierProvidingStore(), 'source')
    topology.addProcessor('processor-2', mockProcessorSupplierProvidingStore(), 'source')
    // Java only checks that this does not throw; both processors are connected to the one store.
    const processors = parseDescription(topology.describe())[0]!.nodes
    expect([processors.get('processor-1')?.detail, processors.get('processor-2')?.detail]).toEqual([['store'], ['store']])
  })

  it('shouldThrowOnUnassignedStateStoreAccess', async () => {
    const sourceNodeName = 'source'
    const goodNodeName = 'goodGuy'
    const badNodeName = 'badGuy'
    // LocalMockProcessorSupplier: a processor that asks for "store" when it is initialized.
    const localMockProcessorSupplier = (): ProcessorSupplier => () => ({
      init: (context) => void context.getStateStore('store'),
      process: () => undefined,
    })
    topology
      .addSource(sourceNodeName, 'topic')
      .addProcessor(goodNodeName, localMockProcessorSupplier(), sourceNodeName)
      .addStateStore(storeBuilder(), goodNodeName)
      .addProcessor(badNodeName, localMockProcessorSupplier(), sourceNodeName)
    const driver = new TopologyTestDriver(topology.build())
    try {
      await expect(driver.createInputTopic('topic', Serdes.string(), Serdes.string()).pipeInput('k', 'v')).rejects.toThrow(
        /Processor "badGuy" asked for state store "store" but is not connected to it/,
      )
    } finally {
      await driver.close().catch(() => undefined)
    }
  })

  it('shouldNotAllowToAddGlobalStoreWithSourceNameEqualsProcessorName', () => {
    expect(() => topology.addGlobalStore(storeBuilder('anyName'), 'sameName', 'anyTopicName', 'sameName', mockProcessor())).toThrow(TopologyError)
  })

  it('shouldDescribeEmptyTopology', () => {
    describedAsExpected()
    expect(topology.describe()).toBe('Topologies:\n ')
  })

  it('singleSourceShouldHaveSingleSubtopology', () => {
    const expectedSourceNode = addSource('source', 'topic')
    expectedDescription.addSubtopology(0, [expectedSourceNode])
    describedAsExpected()
  })

  it('singleSourceWithListOfTopicsShouldHaveSingleSubtopology', () => {
    const expectedSourceNode = addSource('source', 'topic1', 'topic2', 'topic3')
    expectedDescription.addSubtopology(0, [expectedSourceNode])
    describedAsExpected()
  })

  it('multipleSourcesShouldHaveDistinctSubtopologies', () => {
    const expectedSourceNode1 = addSource('source1', 'topic1')
    expectedDescription.addSubtopology(0, [expectedSourceNode1])
    const expectedSourceNode2 = addSource('source2', 'topic2')
    expectedDescription.addSubtopology(1, [expectedSourceNode2])
    const expectedSourceNode3 = addSource('source3', 'topic3')
    expectedDescription.addSubtopology(2, [expectedSourceNode3])
    describedAsExpected()
  })

  it('sourceAndProcessorShouldHaveSingleSubtopology', () => {
    const expectedSourceNode = addSource('source', 'topic')
    const expectedProcessorNode = addProcessor('processor', expectedSourceNode)
    expectedDescription.addSubtopology(0, [expectedSourceNode, expectedProcessorNode])
    describedAsExpected()
  })

  it('sourceAndProcessorWithStateShouldHaveSingleSubtopology', () => {
    const expectedSourceNode = addSource('source', 'topic')
    const expectedProcessorNode = addProcessorWithNewStore('processor', ['store'], expectedSourceNode)
    expectedDescription.addSubtopology(0, [expectedSourceNode, expectedProcessorNode])
    describedAsExpected()
  })

  it('sourceAndProcessorWithMultipleStatesShouldHaveSingleSubtopology', () => {
    const expectedSourceNode = addSource('source', 'topic')
    const expectedProcessorNode = addProcessorWithNewStore('processor', ['store1', 'store2'], expectedSourceNode)
    expectedDescription.addSubtopology(0, [expectedSourceNode, expectedProcessorNode])
    describedAsExpected()
  })

  it('sourceWithMultipleProcessorsShouldHaveSingleSubtopology', () => {
    const expectedSourceNode = addSource('source', 'topic')
    const expectedProcessorNode1 = addProcessor('processor1', expectedSourceNode)
    const expectedProcessorNode2 = addProcessor('processor2', expectedSourceNode)
    expectedDescription.addSubtopology(0, [expectedSourceNode, expectedProcessorNode1, expectedProcessorNode2])
    describedAsExpected()
  })

  it('multipleSourcesWithProcessorsShouldHaveDistinctSubtopologies', () => {
    const expectedSourceNode1 = addSource('source1', 'topic1')
    const expectedProcessorNode1 = addProcessor('processor1', expectedSourceNode1)
    const expectedSourceNode2 = addSource('source2', 'topic2')
    const expectedProcessorNode2 = addProcessor('processor2', expectedSourceNode2)
    const expectedSourceNode3 = addSource('source3', 'topic3')
    const expectedProcessorNode3 = addProcessor('processor3', expectedSourceNode3)
    expectedDescription.addSubtopology(0, [expectedSourceNode1, expectedProcessorNode1])
    expectedDescription.addSubtopology(1, [expectedSourceNode2, expectedProcessorNode2])
    expectedDescription.addSubtopology(2, [expectedSourceNode3, expectedProcessorNode3])
    describedAsExpected()
  })

  it('multipleSourcesWithSinksShouldHaveDistinctSubtopologies', () => {
    const expectedSourceNode1 = addSource('source1', 'topic1')
    const expectedSinkNode1 = addSink('sink1', 'sinkTopic1', expectedSourceNode1)
    const expectedSourceNode2 = addSource('source2', 'topic2')
    const expectedSinkNode2 = addSink('sink2', 'sinkTopic2', expectedSourceNode2)
    const expectedSourceNode3 = addSource('source3', 'topic3')
    const expectedSinkNode3 = addSink('sink3', 'sinkTopic3', expectedSourceNode3)
    expectedDescription.addSubtopology(0, [expectedSourceNode1, expectedSinkNode1])
    expectedDescription.addSubtopology(1, [expectedSourceNode2, expectedSinkNode2])
    expectedDescription.addSubtopology(2, [expectedSourceNode3, expectedSinkNode3])
    describedAsExpected()
  })

  it('processorsWithSameSinkShouldHaveSameSubtopology', () => {
    const expectedSourceNode1 = addSource('source', 'topic')
    const expectedProcessorNode1 = addProcessor('processor1', expectedSourceNode1)
    const expectedSourceNode2 = addSource('source2', 'topic2')
    const expectedProcessorNode2 = addProcessor('processor2', expectedSourceNode2)
    const expectedSourceNode3 = addSource('source3', 'topic3')
    const expectedProcessorNode3 = addProcessor('processor3', expectedSourceNode3)
    const expectedSinkNode = addSink('sink', 'sinkTopic', expectedProcessorNode1, expectedProcessorNode2, expectedProcessorNode3)
    expectedDescription.addSubtopology(0, [
      expectedSourceNode1,
      expectedProcessorNode1,
      expectedSourceNode2,
      expectedProcessorNode2,
      expectedSourceNode3,
      expectedProcessorNode3,
      expectedSinkNode,
    ])
    describedAsExpected()
  })

  it('processorsWithSharedStateShouldHaveSameSubtopology', () => {
    const store1 = ['store1']
    const store2 = ['store2']
    const bothStores = [store1[0]!, store2[0]!]
    const expectedSourceNode1 = addSource('source', 'topic')
    const expectedProcessorNode1 = addProcessorWithNewStore('processor1', store1, expectedSourceNode1)
    const expectedSourceNode2 = addSource('source2', 'topic2')
    const expectedProcessorNode2 = addProcessorWithNewStore('processor2', store2, expectedSourceNode2)
    const expectedSourceNode3 = addSource('source3', 'topic3')
    const expectedProcessorNode3 = addProcessorWithExistingStore('processor3', bothStores, expectedSourceNode3)
    expectedDescription.addSubtopology(0, [
      expectedSourceNode1,
      expectedProcessorNode1,
      expectedSourceNode2,
      expectedProcessorNode2,
      expectedSourceNode3,
      expectedProcessorNode3,
    ])
    describedAsExpected()
  })

  it('shouldDescribeGlobalStoreTopology', () => {
    addGlobalStoreToTopologyAndExpectedDescription('globalStore', 'source', 'globalTopic', 'processor', 0)
    describedAsExpected()
  })

  it('shouldDescribeMultipleGlobalStoreTopology', () => {
    addGlobalStoreToTopologyAndExpectedDescription('globalStore1', 'source1', 'globalTopic1', 'processor1', 0)
    addGlobalStoreToTopologyAndExpectedDescription('globalStore2', 'source2', 'globalTopic2', 'processor2', 1)
    describedAsExpected()
  })

  it('readOnlyStateStoresShouldHaveTheirOwnSubTopology', () => {
    const sourceName = 'source'
    const storeName = 'store'
    const topicName = 'topic'
    const processorName = 'processor'
    topology.addReadOnlyStateStore(storeBuilder(storeName), sourceName, topicName, processorName, mockProcessor())
    const expectedSource = expectedDescription.source(sourceName, topicName)
    const expectedProcessor = expectedDescription.processor(processorName, [storeName], expectedSource)
    expectedDescription.addSubtopology(0, [expectedSource, expectedProcessor])
    describedAsExpected()
  })

  it('readOnlyStateStoresShouldNotLog', () => {
    const sourceName = 'source'
    const storeName = 'store'
    const topicName = 'topic'
    const processorName = 'processor'
    topology.addReadOnlyStateStore(storeBuilder(storeName), sourceName, topicName, processorName, mockProcessor())
    const stateStoreFactory = topology.build().stores.get(storeName)
    expect(stateStoreFactory?.definition.loggingEnabled).toBe(false)
  })

})
