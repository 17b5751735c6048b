// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/StreamsBuilderTest.java
//
// Java inspects `builder.internalTopologyBuilder.rewriteTopology(config).buildTopology()` (a
// ProcessorTopology): `processors()` lists every non-global node (sources, processors, sinks) in the
// order they were added, `stateStores()` the non-global stores in the order processors connect to
// them, `processorConnectedStateStores(name)` one processor's stores. The helpers below read the same
// from Tributary's built Topology (`nodes`, `stores`, `subtopologies`, `internalTopics`).
//
// Where Java captures processor output with MockApiProcessorSupplier, the stream is written to an
// output topic with `.to(...)` and read back with key, value and timestamp.
//
// Adaptations (same semantics):
// - Java's `StreamJoined.as(N).withName(N)` is `{ name: N, storeName: N }`; `StreamJoined.with(serdes).withName(N)`
//   is `{ name: N, keySerde, valueSerde, otherValueSerde }`.
// - `split(Named.as("branch-processor")).branch(p, Branched.as("-1"))`: Tributary names a branch
//   `<split name>-<branch key>`, so the branch keys are '1' and '2' (same final names).
// - `KTable.toStream(mapper, named)` is Kafka's `toStream(named).selectKey(mapper)` (KTableImpl), written so here.
// - `JoinWindows.of(1h)` (deprecated) in the inner-join test is `ofTimeDifferenceAndGrace(1h, 22h)`:
//   the same window and grace (24h - 2 * 1h); an inner join's names do not depend on the grace.
// - Java builds with `new Properties()`/optimization configs; Tributary's `build()` takes none.
//
// Not ported: see the list at the bottom of this file.
import { describe, expect, it } from 'vitest'
import { TopologyError } from '../../src/core/errors.js'
import { JoinWindows, SessionWindows, StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import type { KeyValueStore } from '../../src/state/types.js'
import type { Topology } from '../../src/topology/topology.js'
import { globalNodeNames, stateStoreNames, storeTypes } from './processor-topology.js'

const STREAM_TOPIC = 'stream-topic'
const STREAM_OPERATION_NAME = 'stream-operation'
const STREAM_TOPIC_TWO = 'stream-topic-two'
const TABLE_TOPIC = 'table-topic'

const HOUR = 3_600_000

// MockValueJoiner.TOSTRING_JOINER
const TOSTRING_JOINER = (value1: unknown, value2: unknown): string => `${String(value1)}+${String(value2)}`

/** StreamsTestUtils.getStreamsConfig(Serdes.String(), Serdes.String()) as driver options. */
const stringDefaults = { defaultKeySerde: Serdes.string(), defaultValueSerde: Serdes.string() }


/** ProcessorTopology.processors(): the names of every non-global node, in the order they were added. */
function processorNames(topology: Topology): string[] {
  const global = globalNodeNames(topology)
  return [...topology.nodes.values()].map((n) => n.name).filter((name) => !global.has(name))
}


/** ProcessorTopology.globalStateStores() */
function globalStateStoreNames(topology: Topology): string[] {
  return [...topology.stores.entries()].filter(([, spec]) => spec.global === true).map(([name]) => name)
}

/** ProcessorTopology.processorConnectedStateStores(name) */
function processorConnectedStateStores(topology: Topology, name: string): Set<string> {
  const node = topology.nodes.get(name)
  expect(node, `no node named ${name}; nodes: ${processorNames(topology).join(', ')}`).toBeDefined()
  return new Set(node?.type === 'processor' ? node.stores : [])
}

/** ProcessorTopology.storeToChangelogTopic(): full changelog topic names. */
function storeToChangelogTopic(topology: Topology, applicationId: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, spec] of topology.stores) {
    if (spec.global === true || spec.changelogTopic === undefined) continue
    result[name] = spec.changelogIsInternal ? `${applicationId}-${spec.changelogTopic}` : spec.changelogTopic
  }
  return result
}

/** subtopologyToTopicsInfo().get(subtopology).stateChangelogTopics: internal changelogs of its stores. */
function stateChangelogTopics(topology: Topology, subtopology: number, applicationId: string): string[] {
  const sub = topology.subtopologies.find((s) => s.id === subtopology && s.global !== true)
  expect(sub, `no sub-topology ${subtopology}`).toBeDefined()
  return (sub?.stores ?? []).flatMap((store) => {
    const spec = topology.stores.get(store)
    return spec?.changelogIsInternal === true && spec.changelogTopic !== undefined ? [`${applicationId}-${spec.changelogTopic}`] : []
  })
}

function assertNamesForOperation(topology: Topology, ...expected: string[]): void {
  expect(processorNames(topology)).toEqual(expected)
}

function assertNamesForStateStore(names: string[], ...expected: string[]): void {
  expect(names).toEqual(expected)
}

function assertBuildDoesNotThrow(builder: StreamsBuilder): void {
  expect(() => builder.build()).not.toThrow()
}

describe('StreamsBuilderTest', () => {
  it('shouldNotThrowNullPointerIfOptimizationsNotSpecified', () => {
    const builder = new StreamsBuilder()
    expect(() => builder.build()).not.toThrow()
  })

  it('shouldAllowJoinUnmaterializedFilteredKTable', () => {
    const builder = new StreamsBuilder()
    const filteredKTable = builder.table<string, string>(TABLE_TOPIC).filter(() => true)
    builder.stream<string, string>(STREAM_TOPIC).join(filteredKTable, TOSTRING_JOINER)
    const topology = builder.build()

    const stores = stateStoreNames(topology)
    expect(stores.length).toBe(1)
    expect(processorConnectedStateStores(topology, 'KSTREAM-JOIN-0000000005')).toEqual(new Set([stores[0]]))
    expect(processorConnectedStateStores(topology, 'KTABLE-FILTER-0000000003').size).toBe(0)
  })

  it('shouldAllowJoinUnmaterializedMapValuedKTable', () => {
    const builder = new StreamsBuilder()
    const mappedKTable = builder.table<string, string>(TABLE_TOPIC).mapValues((v) => v)
    builder.stream<string, string>(STREAM_TOPIC).join(mappedKTable, TOSTRING_JOINER)
    const topology = builder.build()

    const stores = stateStoreNames(topology)
    expect(stores.length).toBe(1)
    expect(processorConnectedStateStores(topology, 'KSTREAM-JOIN-0000000005')).toEqual(new Set([stores[0]]))
    expect(processorConnectedStateStores(topology, 'KTABLE-MAPVALUES-0000000003').size).toBe(0)
  })

  it('shouldAllowJoinMaterializedFilteredKTable', () => {
    const builder = new StreamsBuilder()
    const filteredKTable = builder.table<string, string>(TABLE_TOPIC).filter(() => true, { storeName: 'store' })
    builder.stream<string, string>(STREAM_TOPIC).join(filteredKTable, TOSTRING_JOINER)
    const topology = builder.build()

    expect(stateStoreNames(topology).length).toBe(1)
    expect(processorConnectedStateStores(topology, 'KSTREAM-JOIN-0000000005')).toEqual(new Set(['store']))
    expect(processorConnectedStateStores(topology, 'KTABLE-FILTER-0000000003')).toEqual(new Set(['store']))
  })

  it('shouldAllowJoinMaterializedMapValuedKTable', () => {
    const builder = new StreamsBuilder()
    const mappedKTable = builder.table<string, string>(TABLE_TOPIC).mapValues((v) => v, { storeName: 'store' })
    builder.stream<string, string>(STREAM_TOPIC).join(mappedKTable, TOSTRING_JOINER)
    const topology = builder.build()

    expect(stateStoreNames(topology).length).toBe(1)
    expect(processorConnectedStateStores(topology, 'KSTREAM-JOIN-0000000005')).toEqual(new Set(['store']))
    expect(processorConnectedStateStores(topology, 'KTABLE-MAPVALUES-0000000003')).toEqual(new Set(['store']))
  })

  it('shouldAllowJoinUnmaterializedJoinedKTable', () => {
    const builder = new StreamsBuilder()
    const table1 = builder.table<string, string>('table-topic1')
    const table2 = builder.table<string, string>('table-topic2')
    builder.stream<string, string>(STREAM_TOPIC).join(table1.join(table2, TOSTRING_JOINER), TOSTRING_JOINER)
    const topology = builder.build()

    const stores = stateStoreNames(topology)
    expect(stores.length).toBe(2)
    expect(processorConnectedStateStores(topology, 'KSTREAM-JOIN-0000000010')).toEqual(new Set([stores[0], stores[1]]))
    expect(processorConnectedStateStores(topology, 'KTABLE-MERGE-0000000007').size).toBe(0)
  })

  it('shouldAllowJoinMaterializedJoinedKTable', () => {
    const builder = new StreamsBuilder()
    const table1 = builder.table<string, string>('table-topic1')
    const table2 = builder.table<string, string>('table-topic2')
    builder.stream<string, string>(STREAM_TOPIC).join(table1.join(table2, TOSTRING_JOINER, { storeName: 'store' }), TOSTRING_JOINER)
    const topology = builder.build()

    expect(stateStoreNames(topology).length).toBe(3)
    expect(processorConnectedStateStores(topology, 'KSTREAM-JOIN-0000000010')).toEqual(new Set(['store']))
    expect(processorConnectedStateStores(topology, 'KTABLE-MERGE-0000000007')).toEqual(new Set(['store']))
  })

  it('shouldAllowJoinMaterializedSourceKTable', () => {
    const builder = new StreamsBuilder()
    const table = builder.table<string, string>(TABLE_TOPIC)
    builder.stream<string, string>(STREAM_TOPIC).join(table, TOSTRING_JOINER)
    const topology = builder.build()

    const stores = stateStoreNames(topology)
    expect(stores.length).toBe(1)
    expect(processorConnectedStateStores(topology, 'KTABLE-SOURCE-0000000002')).toEqual(new Set([stores[0]]))
    expect(processorConnectedStateStores(topology, 'KSTREAM-JOIN-0000000004')).toEqual(new Set([stores[0]]))
  })

  it('shouldProcessingFromSinkTopic', async () => {
    const builder = new StreamsBuilder()
    const source = builder.stream<string, string>('topic-source')
    source.to('topic-sink')
    source.to('processed') // MockApiProcessorSupplier

    const driver = new TopologyTestDriver(builder.build(), stringDefaults)
    try {
      const inputTopic = driver.createInputTopic('topic-source', Serdes.string(), Serdes.string(), { startTimestampMs: 0, autoAdvanceMs: 0 })
      const processed = driver.createOutputTopic('processed', Serdes.string(), Serdes.string())
      await inputTopic.pipeInput('A', 'aa')

      // no exception was thrown
      expect(processed.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['A', 'aa', 0]])
    } finally {
      await driver.close()
    }
  })

  it('shouldProcessViaRepartitionTopic', async () => {
    const builder = new StreamsBuilder()
    const source = builder.stream<string, string>('topic-source')
    const through = source.repartition()
    source.to('source-processed') // sourceProcessorSupplier
    through.to('through-processed') // throughProcessorSupplier

    const driver = new TopologyTestDriver(builder.build(), stringDefaults)
    try {
      const inputTopic = driver.createInputTopic('topic-source', Serdes.string(), Serdes.string(), { startTimestampMs: 0, autoAdvanceMs: 0 })
      const sourceProcessed = driver.createOutputTopic('source-processed', Serdes.string(), Serdes.string())
      const throughProcessed = driver.createOutputTopic('through-processed', Serdes.string(), Serdes.string())
      await inputTopic.pipeInput('A', 'aa')

      expect(sourceProcessed.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['A', 'aa', 0]])
      expect(throughProcessed.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['A', 'aa', 0]])
    } finally {
      await driver.close()
    }
  })

  it('shouldMergeStreams', async () => {
    const topic1 = 'topic-1'
    const topic2 = 'topic-2'
    const builder = new StreamsBuilder()
    const source1 = builder.stream<string, string>(topic1)
    const source2 = builder.stream<string, string>(topic2)
    const merged = source1.merge(source2)
    merged.to('processed') // MockApiProcessorSupplier

    const driver = new TopologyTestDriver(builder.build(), stringDefaults)
    try {
      const inputTopic1 = driver.createInputTopic(topic1, Serdes.string(), Serdes.string(), { startTimestampMs: 0, autoAdvanceMs: 0 })
      const inputTopic2 = driver.createInputTopic(topic2, Serdes.string(), Serdes.string(), { startTimestampMs: 0, autoAdvanceMs: 0 })
      const processed = driver.createOutputTopic('processed', Serdes.string(), Serdes.string())

      await inputTopic1.pipeInput('A', 'aa')
      await inputTopic2.pipeInput('B', 'bb')
      await inputTopic2.pipeInput('C', 'cc')
      await inputTopic1.pipeInput('D', 'dd')

      expect(processed.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
        ['A', 'aa', 0],
        ['B', 'bb', 0],
        ['C', 'cc', 0],
        ['D', 'dd', 0],
      ])
    } finally {
      await driver.close()
    }
  })

  it('shouldUseSerdesDefinedInMaterializedToConsumeTable', async () => {
    const results = new Map<bigint | null, string | null>()
    const topic = 'topic'
    const builder = new StreamsBuilder()
    builder
      .table<bigint, string>(topic, { storeName: 'store', keySerde: Serdes.int64(), valueSerde: Serdes.string() })
      .toStream()
      .foreach((k, v) => results.set(k, v))

    const driver = new TopologyTestDriver(builder.build(), stringDefaults)
    try {
      const inputTopic = driver.createInputTopic(topic, Serdes.int64(), Serdes.string())
      await inputTopic.pipeInput(1n, 'value1')
      await inputTopic.pipeInput(2n, 'value2')

      const store = driver.getKeyValueStore<bigint, string>('store')
      expect(await store.get(1n)).toBe('value1')
      expect(await store.get(2n)).toBe('value2')
      expect(results.get(1n)).toBe('value1')
      expect(results.get(2n)).toBe('value2')
    } finally {
      await driver.close()
    }
  })

  it('shouldUseSerdesDefinedInMaterializedToConsumeGlobalTable', async () => {
    const topic = 'topic'
    const builder = new StreamsBuilder()
    builder.globalTable<bigint, string>(topic, { storeName: 'store', keySerde: Serdes.int64(), valueSerde: Serdes.string() })

    const driver = new TopologyTestDriver(builder.build(), stringDefaults)
    try {
      const inputTopic = driver.createInputTopic(topic, Serdes.int64(), Serdes.string())
      await inputTopic.pipeInput(1n, 'value1')
      await inputTopic.pipeInput(2n, 'value2')
      const store = driver.getKeyValueStore<bigint, string>('store')

      expect(await store.get(1n)).toBe('value1')
      expect(await store.get(2n)).toBe('value2')
    } finally {
      await driver.close()
    }
  })

  it('shouldNotMaterializeStoresIfNotRequired', () => {
    const topic = 'topic'
    const builder = new StreamsBuilder()
    builder.table<bigint, string>(topic, { keySerde: Serdes.int64(), valueSerde: Serdes.string() })
    const topology = builder.build()

    expect(stateStoreNames(topology).length).toBe(0)
  })

  it('shouldReuseSourceTopicAsChangelogsWithOptimization20', () => {
    // Java: TOPOLOGY_OPTIMIZATION_CONFIG = OPTIMIZE ('all'); its source-topic part is Tributary's
    // 'reuse.ktable.source.topics' ('all' also merges repartition topics, which Tributary does not).
    const topic = 'topic'
    const builder = new StreamsBuilder()
    builder.table<bigint, string>(topic, { storeName: 'store' })
    const topology = builder.build({ optimization: 'reuse.ktable.source.topics' })

    expect(storeToChangelogTopic(topology, 'appId')).toEqual({ store: 'topic' })
    expect([...topology.stores.keys()]).toEqual(['store'])
    expect(topology.stores.get('store')?.definition.loggingEnabled).toBe(false)
    // nonSourceChangelogTopics() of sub-topology 0
    expect(stateChangelogTopics(topology, 0, 'appId')).toEqual([])
  })

  it('shouldNotReuseRepartitionTopicAsChangelogs', () => {
    // Java: TOPOLOGY_OPTIMIZATION_CONFIG = OPTIMIZE; its source-topic part is 'reuse.ktable.source.topics'.
    const topic = 'topic'
    const builder = new StreamsBuilder()
    builder.stream<bigint, string>(topic).repartition().toTable({ storeName: 'store' })
    const topology = builder.build({ optimization: 'reuse.ktable.source.topics' })

    expect(storeToChangelogTopic(topology, 'appId')).toEqual({ store: 'appId-store-changelog' })
    expect([...topology.stores.keys()]).toEqual(['store'])
    expect(topology.stores.get('store')?.definition.loggingEnabled).toBe(true)
    expect(stateChangelogTopics(topology, 1, 'appId')).toEqual(['appId-store-changelog'])
  })

  it('shouldNotReuseSourceTopicAsChangelogsByDefault', () => {
    const topic = 'topic'
    const builder = new StreamsBuilder()
    builder.table<bigint, string>(topic, { storeName: 'store' })
    const topology = builder.build()

    expect(storeToChangelogTopic(topology, 'appId')).toEqual({ store: 'appId-store-changelog' })
    expect([...topology.stores.keys()]).toEqual(['store'])
    expect(topology.stores.get('store')?.definition.loggingEnabled).toBe(true)
    expect(stateChangelogTopics(topology, 0, 'appId')).toEqual(['appId-store-changelog'])
  })

  it('shouldThrowExceptionWhenNoTopicPresent', () => {
    const builder = new StreamsBuilder()
    builder.stream([])
    expect(() => builder.build()).toThrow(TopologyError)
  })

  it('shouldThrowExceptionWhenTopicNamesAreNull', () => {
    // Java: NullPointerException from build(); TypeScript's types forbid it, plain JavaScript does not.
    const builder = new StreamsBuilder()
    builder.stream([null, null] as unknown as string[])
    expect(() => builder.build()).toThrow()
  })

  it('shouldUseSpecifiedNameForStreamSourceProcessor', () => {
    const expected = 'source-node'
    const builder = new StreamsBuilder()
    builder.stream(STREAM_TOPIC, { name: expected })
    builder.stream(STREAM_TOPIC_TWO)
    const topology = builder.build()
    assertNamesForOperation(topology, expected, 'KSTREAM-SOURCE-0000000001')
  })

  it('shouldUseSpecifiedNameForTableSourceProcessor', () => {
    const expected = 'source-node'
    const builder = new StreamsBuilder()
    builder.table(STREAM_TOPIC, { name: expected })
    builder.table(STREAM_TOPIC_TWO)
    const topology = builder.build()

    assertNamesForOperation(topology, `${expected}-source`, expected, 'KSTREAM-SOURCE-0000000004', 'KTABLE-SOURCE-0000000005')
  })

  it('shouldUseSpecifiedNameForGlobalTableSourceProcessor', () => {
    const expected = 'source-processor'
    const builder = new StreamsBuilder()
    builder.globalTable(STREAM_TOPIC, { name: expected })
    builder.globalTable(STREAM_TOPIC_TWO)
    const topology = builder.build()

    assertNamesForStateStore(globalStateStoreNames(topology), 'stream-topic-STATE-STORE-0000000000', 'stream-topic-two-STATE-STORE-0000000003')
  })

  it('shouldUseSpecifiedNameForSinkProcessor', () => {
    const expected = 'sink-processor'
    const builder = new StreamsBuilder()
    const stream = builder.stream(STREAM_TOPIC)
    stream.to(STREAM_TOPIC_TWO, { name: expected })
    stream.to(STREAM_TOPIC_TWO)
    const topology = builder.build()
    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000000', expected, 'KSTREAM-SINK-0000000002')
  })

  it('shouldUseSpecifiedNameForMapOperation', () => {
    const builder = new StreamsBuilder()
    builder.stream(STREAM_TOPIC).map((k, v) => [k, v] as const, { name: STREAM_OPERATION_NAME })
    const topology = builder.build()
    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000000', STREAM_OPERATION_NAME)
  })

  it('shouldUseSpecifiedNameForMapValuesOperation', () => {
    const builder = new StreamsBuilder()
    builder.stream(STREAM_TOPIC).mapValues((v) => v, { name: STREAM_OPERATION_NAME })
    const topology = builder.build()
    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000000', STREAM_OPERATION_NAME)
  })

  it('shouldUseSpecifiedNameForMapValuesWithKeyOperation', () => {
    const builder = new StreamsBuilder()
    builder.stream(STREAM_TOPIC).mapValues((v, _k) => v, { name: STREAM_OPERATION_NAME })
    const topology = builder.build()
    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000000', STREAM_OPERATION_NAME)
  })

  it('shouldUseSpecifiedNameForFilterOperation', () => {
    const builder = new StreamsBuilder()
    builder.stream(STREAM_TOPIC).filter(() => true, { name: STREAM_OPERATION_NAME })
    const topology = builder.build()
    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000000', STREAM_OPERATION_NAME)
  })

  it('shouldUseSpecifiedNameForForEachOperation', () => {
    const builder = new StreamsBuilder()
    builder.stream(STREAM_TOPIC).foreach(() => {}, { name: STREAM_OPERATION_NAME })
    const topology = builder.build()
    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000000', STREAM_OPERATION_NAME)
  })

  // Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("store"), String, String): the store
  // type is chosen per application here (the driver's stores are in memory).
  it('shouldAddGlobalStore', async () => {
    const builder = new StreamsBuilder()
    builder.addGlobalStore<string, string>(
      { name: 'store', type: 'keyValue', keySerde: Serdes.string(), valueSerde: Serdes.string() },
      'topic',
      { keySerde: Serdes.string(), valueSerde: Serdes.string() },
      () => {
        let store!: KeyValueStore<string, string>
        return {
          init(context) {
            store = context.getStateStore('store')
          },
          process(record) {
            return store.put(record.key, record.value)
          },
        }
      },
    )
    const driver = new TopologyTestDriver(builder.build())
    try {
      const inputTopic = driver.createInputTopic('topic', Serdes.string(), Serdes.string())
      await inputTopic.pipeInput('hey', 'there')
      const store = driver.getKeyValueStore<string, string>('store')
      expect(await store.get('hey')).toBe('there')
    } finally {
      await driver.close()
    }
  })

  // buildGlobalStateTopology(): the global sub-topology's nodes. Consumed.with(...).withName("test").
  it('shouldUseSpecifiedNameForGlobalStoreProcessor', () => {
    const builder = new StreamsBuilder()
    builder.addGlobalStore({ name: 'store', type: 'keyValue', keySerde: Serdes.string(), valueSerde: Serdes.string() }, 'topic', { keySerde: Serdes.string(), valueSerde: Serdes.string(), name: 'test' }, () => ({ process: () => undefined }))
    expect([...globalNodeNames(builder.build())]).toEqual(['test-source', 'test'])
  })

  it('shouldUseDefaultNameForGlobalStoreProcessor', () => {
    const builder = new StreamsBuilder()
    builder.addGlobalStore({ name: 'store', type: 'keyValue', keySerde: Serdes.string(), valueSerde: Serdes.string() }, 'topic', { keySerde: Serdes.string(), valueSerde: Serdes.string() }, () => ({ process: () => undefined }))
    expect([...globalNodeNames(builder.build())]).toEqual(['KSTREAM-SOURCE-0000000000', 'KTABLE-SOURCE-0000000001'])
  })

  // Printed.toSysOut().withName("print-processor")
  it('shouldUseSpecifiedNameForPrintOperation', () => {
    const builder = new StreamsBuilder()
    builder.stream(STREAM_TOPIC).print({ name: 'print-processor' })
    const topology = builder.build()
    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000000', 'print-processor')
  })

  it('shouldUseSpecifiedNameForSplitOperation', () => {
    const builder = new StreamsBuilder()
    builder.stream(STREAM_TOPIC).split({ '1': () => true, '2': () => false }, { name: 'branch-processor' })
    const topology = builder.build()
    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000000', 'branch-processor', 'branch-processor-1', 'branch-processor-2')
  })

  it('shouldUseSpecifiedNameForJoinOperationBetweenKStreamAndKTable', () => {
    const builder = new StreamsBuilder()
    const streamOne = builder.stream<string, string>(STREAM_TOPIC)
    const streamTwo = builder.table<string, string>('table-topic')
    streamOne.join(streamTwo, (value1) => value1, { name: STREAM_OPERATION_NAME })
    const topology = builder.build()

    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000002', 'KTABLE-SOURCE-0000000003', STREAM_OPERATION_NAME)
  })

  it('shouldUseSpecifiedNameForLeftJoinOperationBetweenKStreamAndKTable', () => {
    const builder = new StreamsBuilder()
    const streamOne = builder.stream<string, string>(STREAM_TOPIC)
    const streamTwo = builder.table<string, string>(STREAM_TOPIC_TWO)
    streamOne.leftJoin(streamTwo, (value1) => value1, { name: STREAM_OPERATION_NAME })
    const topology = builder.build()

    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000002', 'KTABLE-SOURCE-0000000003', STREAM_OPERATION_NAME)
  })

  it('shouldUseSpecifiedNameForLeftJoinOperationBetweenKStreamAndKStream', () => {
    const builder = new StreamsBuilder()
    const streamOne = builder.stream<string, string>(STREAM_TOPIC)
    const streamTwo = builder.stream<string, string>(STREAM_TOPIC_TWO)

    streamOne.leftJoin(streamTwo, (value1) => value1, JoinWindows.ofTimeDifferenceWithNoGrace(HOUR), {
      storeName: STREAM_OPERATION_NAME,
      name: STREAM_OPERATION_NAME,
    })
    const topology = builder.build()

    assertNamesForStateStore(
      stateStoreNames(topology),
      `${STREAM_OPERATION_NAME}-this-join-store`,
      `${STREAM_OPERATION_NAME}-outer-other-join-store`,
      `${STREAM_OPERATION_NAME}-left-shared-join-store`,
    )
    assertNamesForOperation(
      topology,
      'KSTREAM-SOURCE-0000000000',
      'KSTREAM-SOURCE-0000000001',
      `${STREAM_OPERATION_NAME}-this-windowed`,
      `${STREAM_OPERATION_NAME}-other-windowed`,
      `${STREAM_OPERATION_NAME}-this-join`,
      `${STREAM_OPERATION_NAME}-outer-other-join`,
      `${STREAM_OPERATION_NAME}-merge`,
    )
  })

  it('shouldUseGeneratedStoreNamesForLeftJoinOperationBetweenKStreamAndKStream', () => {
    const builder = new StreamsBuilder()
    const streamOne = builder.stream<string, string>(STREAM_TOPIC)
    const streamTwo = builder.stream<string, string>(STREAM_TOPIC_TWO)

    streamOne.leftJoin(streamTwo, (value1) => value1, JoinWindows.ofTimeDifferenceWithNoGrace(HOUR), {
      keySerde: Serdes.string(),
      valueSerde: Serdes.string(),
      otherValueSerde: Serdes.string(),
      name: STREAM_OPERATION_NAME,
    })
    const topology = builder.build()

    assertNamesForStateStore(
      stateStoreNames(topology),
      'KSTREAM-JOINTHIS-0000000004-store',
      'KSTREAM-OUTEROTHER-0000000005-store',
      'KSTREAM-OUTERSHARED-0000000004-store',
    )
    assertNamesForOperation(
      topology,
      'KSTREAM-SOURCE-0000000000',
      'KSTREAM-SOURCE-0000000001',
      `${STREAM_OPERATION_NAME}-this-windowed`,
      `${STREAM_OPERATION_NAME}-other-windowed`,
      `${STREAM_OPERATION_NAME}-this-join`,
      `${STREAM_OPERATION_NAME}-outer-other-join`,
      `${STREAM_OPERATION_NAME}-merge`,
    )
  })

  it('shouldUseSpecifiedNameForJoinOperationBetweenKStreamAndKStream', () => {
    const builder = new StreamsBuilder()
    const streamOne = builder.stream<string, string>(STREAM_TOPIC)
    const streamTwo = builder.stream<string, string>(STREAM_TOPIC_TWO)

    // JoinWindows.of(Duration.ofHours(1))
    streamOne.join(streamTwo, (value1) => value1, JoinWindows.ofTimeDifferenceAndGrace(HOUR, 24 * HOUR - 2 * HOUR), {
      storeName: STREAM_OPERATION_NAME,
      name: STREAM_OPERATION_NAME,
    })
    const topology = builder.build()

    assertNamesForStateStore(stateStoreNames(topology), `${STREAM_OPERATION_NAME}-this-join-store`, `${STREAM_OPERATION_NAME}-other-join-store`)
    assertNamesForOperation(
      topology,
      'KSTREAM-SOURCE-0000000000',
      'KSTREAM-SOURCE-0000000001',
      `${STREAM_OPERATION_NAME}-this-windowed`,
      `${STREAM_OPERATION_NAME}-other-windowed`,
      `${STREAM_OPERATION_NAME}-this-join`,
      `${STREAM_OPERATION_NAME}-other-join`,
      `${STREAM_OPERATION_NAME}-merge`,
    )
  })

  it('shouldUseGeneratedNameForJoinOperationBetweenKStreamAndKStream', () => {
    const builder = new StreamsBuilder()
    const streamOne = builder.stream<string, string>(STREAM_TOPIC)
    const streamTwo = builder.stream<string, string>(STREAM_TOPIC_TWO)

    // JoinWindows.of(Duration.ofHours(1))
    streamOne.join(streamTwo, (value1) => value1, JoinWindows.ofTimeDifferenceAndGrace(HOUR, 24 * HOUR - 2 * HOUR), {
      keySerde: Serdes.string(),
      valueSerde: Serdes.string(),
      otherValueSerde: Serdes.string(),
      name: STREAM_OPERATION_NAME,
    })
    const topology = builder.build()

    assertNamesForStateStore(stateStoreNames(topology), 'KSTREAM-JOINTHIS-0000000004-store', 'KSTREAM-JOINOTHER-0000000005-store')
    assertNamesForOperation(
      topology,
      'KSTREAM-SOURCE-0000000000',
      'KSTREAM-SOURCE-0000000001',
      `${STREAM_OPERATION_NAME}-this-windowed`,
      `${STREAM_OPERATION_NAME}-other-windowed`,
      `${STREAM_OPERATION_NAME}-this-join`,
      `${STREAM_OPERATION_NAME}-other-join`,
      `${STREAM_OPERATION_NAME}-merge`,
    )
  })

  it('shouldUseSpecifiedNameForOuterJoinOperationBetweenKStreamAndKStream', () => {
    const builder = new StreamsBuilder()
    const streamOne = builder.stream<string, string>(STREAM_TOPIC)
    const streamTwo = builder.stream<string, string>(STREAM_TOPIC_TWO)

    streamOne.outerJoin(streamTwo, (value1) => value1, JoinWindows.ofTimeDifferenceWithNoGrace(HOUR), {
      storeName: STREAM_OPERATION_NAME,
      name: STREAM_OPERATION_NAME,
    })
    const topology = builder.build()
    assertNamesForStateStore(
      stateStoreNames(topology),
      `${STREAM_OPERATION_NAME}-outer-this-join-store`,
      `${STREAM_OPERATION_NAME}-outer-other-join-store`,
      `${STREAM_OPERATION_NAME}-outer-shared-join-store`,
    )
    assertNamesForOperation(
      topology,
      'KSTREAM-SOURCE-0000000000',
      'KSTREAM-SOURCE-0000000001',
      `${STREAM_OPERATION_NAME}-this-windowed`,
      `${STREAM_OPERATION_NAME}-other-windowed`,
      `${STREAM_OPERATION_NAME}-outer-this-join`,
      `${STREAM_OPERATION_NAME}-outer-other-join`,
      `${STREAM_OPERATION_NAME}-merge`,
    )
  })

  it('shouldUseGeneratedStoreNamesForOuterJoinOperationBetweenKStreamAndKStream', () => {
    const builder = new StreamsBuilder()
    const streamOne = builder.stream<string, string>(STREAM_TOPIC)
    const streamTwo = builder.stream<string, string>(STREAM_TOPIC_TWO)

    streamOne.outerJoin(streamTwo, (value1) => value1, JoinWindows.ofTimeDifferenceWithNoGrace(HOUR), {
      keySerde: Serdes.string(),
      valueSerde: Serdes.string(),
      otherValueSerde: Serdes.string(),
      name: STREAM_OPERATION_NAME,
    })
    const topology = builder.build()

    assertNamesForStateStore(
      stateStoreNames(topology),
      'KSTREAM-OUTERTHIS-0000000004-store',
      'KSTREAM-OUTEROTHER-0000000005-store',
      'KSTREAM-OUTERSHARED-0000000004-store',
    )
    assertNamesForOperation(
      topology,
      'KSTREAM-SOURCE-0000000000',
      'KSTREAM-SOURCE-0000000001',
      `${STREAM_OPERATION_NAME}-this-windowed`,
      `${STREAM_OPERATION_NAME}-other-windowed`,
      `${STREAM_OPERATION_NAME}-outer-this-join`,
      `${STREAM_OPERATION_NAME}-outer-other-join`,
      `${STREAM_OPERATION_NAME}-merge`,
    )
  })

  it('shouldUseSpecifiedNameForMergeOperation', () => {
    const topic1 = 'topic-1'
    const topic2 = 'topic-2'
    const builder = new StreamsBuilder()
    const source1 = builder.stream<string, string>(topic1)
    const source2 = builder.stream<string, string>(topic2)
    source1.merge(source2, { name: 'merge-processor' })
    const topology = builder.build()
    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000001', 'merge-processor')
  })

  it('shouldUseSpecifiedNameForProcessOperation', () => {
    const builder = new StreamsBuilder()
    // MockApiProcessorSupplier: a processor that only records what it sees.
    builder.stream(STREAM_TOPIC).process(() => ({ process: () => {} }), { name: 'test-processor' })
    const topology = builder.build()
    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000000', 'test-processor')
  })

  it('shouldUseSpecifiedNameForToStream', () => {
    const builder = new StreamsBuilder()
    builder.table(STREAM_TOPIC).toStream({ name: 'to-stream' })
    const topology = builder.build()
    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000001', 'KTABLE-SOURCE-0000000002', 'to-stream')
  })

  it('shouldUseSpecifiedNameForToStreamWithMapper', () => {
    const builder = new StreamsBuilder()
    // KTable.toStream(KeyValue::pair, Named.as("to-stream")) = toStream(named).selectKey(mapper) in KTableImpl
    builder
      .table(STREAM_TOPIC)
      .toStream({ name: 'to-stream' })
      .selectKey((k) => k)
    const topology = builder.build()
    assertNamesForOperation(topology, 'KSTREAM-SOURCE-0000000001', 'KTABLE-SOURCE-0000000002', 'to-stream', 'KSTREAM-KEY-SELECT-0000000004')
  })

  it('shouldUseSpecifiedNameForAggregateOperationGivenTable', () => {
    const builder = new StreamsBuilder()
    builder
      .table(STREAM_TOPIC)
      .groupBy((k, v) => [k, v] as const, { name: 'group-operation' })
      .count({ name: STREAM_OPERATION_NAME })
    const topology = builder.build()
    assertNamesForStateStore(stateStoreNames(topology), `${STREAM_TOPIC}-STATE-STORE-0000000000`, 'KTABLE-AGGREGATE-STATE-STORE-0000000004')

    assertNamesForOperation(
      topology,
      'KSTREAM-SOURCE-0000000001',
      'KTABLE-SOURCE-0000000002',
      'group-operation',
      `${STREAM_OPERATION_NAME}-sink`,
      `${STREAM_OPERATION_NAME}-source`,
      STREAM_OPERATION_NAME,
    )
  })

  it('shouldAllowStreamsFromSameTopic', () => {
    const builder = new StreamsBuilder()
    builder.stream('topic')
    builder.stream('topic')
    assertBuildDoesNotThrow(builder)
  })

  it('shouldAllowReadingFromSameCollectionOfTopics', () => {
    const builder = new StreamsBuilder()
    builder.stream(['topic1', 'topic2'])
    builder.stream(['topic2', 'topic1'])
    assertBuildDoesNotThrow(builder)
  })

  it('shouldNotAllowReadingFromOverlappingAndUnequalCollectionOfTopics', () => {
    const builder = new StreamsBuilder()
    builder.stream(['topic'])
    builder.stream(['topic', 'anotherTopic'])
    expect(() => builder.build()).toThrow(TopologyError)
  })

  it('shouldNotAllowTablesFromSameTopic', () => {
    const builder = new StreamsBuilder()
    builder.table('topic')
    builder.table('topic')
    expect(() => builder.build()).toThrow(TopologyError)
  })

  it('shouldNowAllowStreamAndTableFromSameTopic', () => {
    const builder = new StreamsBuilder()
    builder.stream('topic')
    builder.table('topic')
    expect(() => builder.build()).toThrow(TopologyError)
  })

  // Consumed.with(AutoOffsetReset.EARLIEST/LATEST) is { offsetResetPolicy: 'earliest' | 'latest' }.
  it('shouldThrowWhenSubscribedToATopicWithDifferentResetPolicies', () => {
    const builder = new StreamsBuilder()
    builder.stream('topic', { offsetResetPolicy: 'earliest' })
    builder.stream('topic', { offsetResetPolicy: 'latest' })
    expect(() => builder.build()).toThrow(TopologyError)
  })

  it('shouldThrowWhenSubscribedToATopicWithSetAndUnsetResetPolicies', () => {
    const builder = new StreamsBuilder()
    builder.stream('topic', { offsetResetPolicy: 'earliest' })
    builder.stream('topic')
    expect(() => builder.build()).toThrow(TopologyError)
  })

  it('shouldThrowWhenSubscribedToATopicWithUnsetAndSetResetPolicies', () => {
    const builder = new StreamsBuilder()
    builder.stream('another-topic')
    builder.stream('another-topic', { offsetResetPolicy: 'latest' })
    expect(() => builder.build()).toThrow(TopologyError)
  })

  it('shouldUseDslStoreSupplierDefinedInMaterialized', () => {
    const topic = 'topic'
    const builder = new StreamsBuilder()
    builder.stream(topic).groupByKey().count({ storeName: 'store', storeType: 'memory' }).toStream()
    expect(storeTypes(builder.build())).toEqual(['memory keyValue'])
  })

  it('shouldUseDslStoreSupplierDefinedConfiguredInStreamsConfig', () => {
    const topic = 'topic'
    const builder = new StreamsBuilder()
    builder.stream(topic).groupByKey().count().toStream()
    expect(storeTypes(builder.build(), 'memory')).toEqual(['memory keyValue'])
  })

  // Java windows this count by JoinWindows.ofTimeDifferenceAndGrace(1h, 0), a Windows<TimeWindow> of
  // 2 h that only builds (its windowsFor throws): TimeWindows of 2 h here.
  it('shouldUseDslStoreSupplierDefinedInMaterializedForWindowedOperation', () => {
    const topic = 'topic'
    const builder = new StreamsBuilder()
    builder.stream(topic).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(2 * HOUR)).count({ storeName: 'store', storeType: 'memory' }).toStream()
    expect(storeTypes(builder.build())).toEqual(['memory window'])
  })

  it('shouldUseDslStoreSupplierDefinedConfiguredInStreamsConfigForWindowedOperation', () => {
    const topic = 'topic'
    const builder = new StreamsBuilder()
    builder.stream(topic).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(2 * HOUR)).count().toStream()
    expect(storeTypes(builder.build(), 'memory')).toEqual(['memory window'])
  })

  it('shouldUseDslStoreSupplierDefinedInMaterializedForSessionWindowedOperation', () => {
    const topic = 'topic'
    const builder = new StreamsBuilder()
    builder.stream(topic).groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(HOUR, 0)).count({ storeName: 'store', storeType: 'memory' }).toStream()
    expect(storeTypes(builder.build())).toEqual(['memory session'])
  })

  it('shouldUseDslStoreSupplierDefinedConfiguredInStreamsConfigForSessionWindowedOperation', () => {
    const topic = 'topic'
    const builder = new StreamsBuilder()
    builder.stream(topic).groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(HOUR, 0)).count().toStream()
    expect(storeTypes(builder.build(), 'memory')).toEqual(['memory session'])
  })

  it('shouldUseSpecifiedDslStoreSuppliersForAllOuterJoinOperationBetweenKStreamAndKStream', () => {
    const builder = new StreamsBuilder()
    const streamOne = builder.stream<string, string>(STREAM_TOPIC)
    const streamTwo = builder.stream<string, string>(STREAM_TOPIC_TWO)
    streamOne.outerJoin(streamTwo, (value1) => value1, JoinWindows.ofTimeDifferenceWithNoGrace(HOUR), {
      storeName: STREAM_OPERATION_NAME,
      name: STREAM_OPERATION_NAME,
      storeType: 'memory',
    })
    expect(storeTypes(builder.build())).toEqual(['memory window', 'memory window', 'memory keyValue'])
  })

  it('shouldUseConfiguredInStreamsConfigIfNoTopologyOverrideDslStoreSuppliersForAllOuterJoinOperationBetweenKStreamAndKStream', () => {
    const builder = new StreamsBuilder()
    const streamOne = builder.stream<string, string>(STREAM_TOPIC)
    const streamTwo = builder.stream<string, string>(STREAM_TOPIC_TWO)
    streamOne.outerJoin(streamTwo, (value1) => value1, JoinWindows.ofTimeDifferenceWithNoGrace(HOUR), { storeName: STREAM_OPERATION_NAME, name: STREAM_OPERATION_NAME })
    expect(storeTypes(builder.build(), 'memory')).toEqual(['memory window', 'memory window', 'memory keyValue'])
  })
})

// Not ported (missing API in Tributary):
// - The store-type tests with a TopologyConfig (shouldUseDslStoreSupplierDefinedInMaterializedOverTopologyOverrides,
//   shouldUseDslStoreSupplierDefinedConfiguredInTopologyConfigOverStreamsConfig and its windowed and session variants,
//   shouldUseTopologyOverrideStoreTypeOverConfiguredDslStoreSupplier, shouldUseConfiguredTopologyOverrideDslStoreSuppliers...,
//   shouldUseThisStoreSupplierEvenIfDslStoreSuppliersConfiguredInTopologyConfig): TopologyConfig.
// - shouldUseDslStoreSupplierOverStoreType: the precedence of Java's two configs (dsl.store.suppliers over
//   default.dsl.store); Tributary has one, `storeSupplier`.
// - shouldUseSpecifiedStoreSupplierForEachOuterJoin..., shouldUseSpecifiedStoreSuppliersOuterJoinStoreEvenIfThisSupplierIsSupplied:
//   StreamJoined.withThisStoreSupplier / withOtherStoreSupplier with Stores.inMemoryWindowStore / persistentWindowStore.
// - shouldThrowOnVersionedStoreSupplierForGlobalTable: Materialized.as(Stores.persistentVersionedKeyValueStore(...)).
// - shouldNotAddThirdStateStoreIfStreamStreamJoinFixIsDisabledViaOldApi: deprecated JoinWindows.of(Duration) (spurious-result fix off).
// - shouldUseSpecifiedNameForTransform, shouldUseSpecifiedNameForTransformValues, shouldUseSpecifiedNameForTransformValuesWithKey,
//   shouldUseSpecifiedNameForFlatTransformValueOperation, shouldUseSpecifiedNameForFlatTransformValueWithKeyOperation:
//   deprecated KStream.transform / transformValues / flatTransformValues(supplier, Named).
// - shouldAllowSubscribingToSamePattern, shouldThrowWhenSubscribedToAPatternWith*: StreamsBuilder.stream(Pattern).
