// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamImplTest.java
//
// The tests of ValueJoinerWithKey (KIP-149) arguments, and of KStream.toTable. A null ValueJoinerWithKey is
// refused when the join is declared. Java throws NullPointerException("joiner can't be null");
// Tributary throws a TopologyError whose message says the same and what to pass instead.
// Java's deprecated JoinWindows.of(ofMillis(10)) is JoinWindows.ofTimeDifferenceWithNoGrace(10)
// here (the windows' grace plays no part); StreamJoined.as("name") is { storeName: 'name' },
// Joined.as("name") and Named.as("name") are { name: 'name' }.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TopologyError } from '../../src/core/errors.js'
import { JoinWindows, StreamsBuilder } from '../../src/dsl/index.js'
import type { GlobalKTable, KStream, KTable, ValueJoinerWithKey } from '../../src/dsl/index.js'
import type { Serde } from '../../src/serde/serde.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

// MockMapper.selectValueMapper(): (key, value) -> value
const selectValueMapper = (_key: string, value: string): string => value

// Java's `(ValueJoinerWithKey<? super String, ? super String, ? super String, ?>) null`
const nullJoinerWithKey = null as unknown as ValueJoinerWithKey<string, string | null, string | null, unknown>

function expectJoinerCantBeNull(declare: () => unknown): void {
  expect(declare).toThrow(TopologyError)
  expect(declare).toThrow("joiner can't be null")
}

describe('KStreamImplTest', () => {
  let builder: StreamsBuilder
  let testStream: KStream<string, string>
  let testTable: KTable<string, string>
  let testGlobalTable: GlobalKTable<string, string>

  beforeEach(() => {
    builder = new StreamsBuilder()
    testStream = builder.stream<string, string>('source')
    testTable = builder.table<string, string>('topic')
    testGlobalTable = builder.globalTable<string, string>('global')
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnJoin', () => {
    expectJoinerCantBeNull(() => testStream.join(testStream, nullJoinerWithKey, JoinWindows.ofTimeDifferenceWithNoGrace(10)))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnJoinWithStreamJoined', () => {
    expectJoinerCantBeNull(() => testStream.join(testStream, nullJoinerWithKey, JoinWindows.ofTimeDifferenceWithNoGrace(10), { storeName: 'name' }))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnLeftJoin', () => {
    expectJoinerCantBeNull(() => testStream.leftJoin(testStream, nullJoinerWithKey, JoinWindows.ofTimeDifferenceWithNoGrace(10)))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnLeftJoinWithStreamJoined', () => {
    expectJoinerCantBeNull(() => testStream.leftJoin(testStream, nullJoinerWithKey, JoinWindows.ofTimeDifferenceWithNoGrace(10), { storeName: 'name' }))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnOuterJoin', () => {
    expectJoinerCantBeNull(() => testStream.outerJoin(testStream, nullJoinerWithKey, JoinWindows.ofTimeDifferenceWithNoGrace(10)))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnOuterJoinWithStreamJoined', () => {
    expectJoinerCantBeNull(() => testStream.outerJoin(testStream, nullJoinerWithKey, JoinWindows.ofTimeDifferenceWithNoGrace(10), { storeName: 'name' }))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnTableJoin', () => {
    expectJoinerCantBeNull(() => testStream.join(testTable, nullJoinerWithKey))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnTableJoinWithJoiner', () => {
    expectJoinerCantBeNull(() => testStream.join(testTable, nullJoinerWithKey, { name: 'name' }))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnTableLeftJoin', () => {
    expectJoinerCantBeNull(() => testStream.leftJoin(testTable, nullJoinerWithKey))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnTableLeftJoinWithJoined', () => {
    expectJoinerCantBeNull(() => testStream.leftJoin(testTable, nullJoinerWithKey, { name: 'name' }))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnJoinWithGlobalTable', () => {
    expectJoinerCantBeNull(() => testStream.join(testGlobalTable, selectValueMapper, nullJoinerWithKey))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnJoinWithGlobalTableWithNamed', () => {
    // Java casts its null to ValueJoiner here; a null is a null.
    expectJoinerCantBeNull(() => testStream.join(testGlobalTable, selectValueMapper, nullJoinerWithKey, { name: 'name' }))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnLeftJoinWithGlobalTable', () => {
    expectJoinerCantBeNull(() => testStream.leftJoin(testGlobalTable, selectValueMapper, nullJoinerWithKey))
  })

  it('shouldNotAllowNullValueJoinerWithKeyOnLeftJoinWithGlobalTableWithNamed', () => {
    expectJoinerCantBeNull(() => testStream.leftJoin(testGlobalTable, selectValueMapper, nullJoinerWithKey, { name: 'name' }))
  })
})

// KStream.toTable (KIP-523). Java's props are StreamsTestUtils.getStreamsConfig(String, String): the
// default serdes are strings, here given to the driver.
describe('KStreamImplTest: toTable', () => {
  const str = Serdes.string()
  const consumed = { keySerde: str, valueSerde: str }
  const props = { defaultKeySerde: str, defaultValueSerde: str }
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  const readRecords = <K>(d: TopologyTestDriver, topic: string, keySerde: Serde<K>) =>
    d
      .createOutputTopic(topic, keySerde, str)
      .readRecordsToList()
      .map((r) => [r.key, r.value, r.timestamp])

  it('shouldNotMaterializedKTableFromKStream', async () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('input', consumed).toTable().toStream().to('output')

    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
        '      --> KSTREAM-TOTABLE-0000000001\n' +
        '    Processor: KSTREAM-TOTABLE-0000000001 (stores: [])\n' +
        '      --> KTABLE-TOSTREAM-0000000003\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KTABLE-TOSTREAM-0000000003 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000004\n' +
        '      <-- KSTREAM-TOTABLE-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000004 (topic: output)\n' +
        '      <-- KTABLE-TOSTREAM-0000000003\n\n',
    )

    driver = new TopologyTestDriver(builder.build(), props)
    const inputTopic = driver.createInputTopic('input', str, str)
    await inputTopic.pipeInput('A', '01', 5)
    await inputTopic.pipeInput('B', '02', 100)
    await inputTopic.pipeInput('C', '03', 0)
    await inputTopic.pipeInput('D', '04', 0)
    await inputTopic.pipeInput('A', '05', 10)
    await inputTopic.pipeInput('A', '06', 8)
    expect(readRecords(driver, 'output', str)).toEqual([
      ['A', '01', 5],
      ['B', '02', 100],
      ['C', '03', 0],
      ['D', '04', 0],
      ['A', '05', 10],
      ['A', '06', 8],
    ])
  })

  // Java's Materialized.as(Stores.inMemoryKeyValueStore("store")): the store type is chosen per
  // application here; the driver's stores are in memory.
  it('shouldMaterializeKTableFromKStream', async () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('input', consumed).toTable({ storeName: 'store' })
    const topology = builder.build()

    expect(topology.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
        '      --> KSTREAM-TOTABLE-0000000001\n' +
        '    Processor: KSTREAM-TOTABLE-0000000001 (stores: [store])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    )

    driver = new TopologyTestDriver(topology, props)
    const inputTopic = driver.createInputTopic('input', str, str)
    const store = driver.getKeyValueStore<string, string>('store')
    await inputTopic.pipeInput('A', '01')
    await inputTopic.pipeInput('B', '02')
    await inputTopic.pipeInput('A', '03')
    const all: [string, string][] = []
    for await (const [key, value] of store.all()) all.push([key, value])
    expect(new Map(all)).toEqual(new Map([['A', '03'], ['B', '02']]))
  })

  // Java's Materialized.with(Serdes.Integer(), null); key.charAt(0) - 'A'.
  it('shouldSupportKeyChangeKTableFromKStream', async () => {
    const int = Serdes.int32()
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('input', consumed)
      .map((key, value) => [key.charCodeAt(0) - 65, value] as const)
      .toTable({ keySerde: int })
      .toStream()
      .to('output', { keySerde: int })
    const topology = builder.build()

    expect(topology.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
        '      --> KSTREAM-MAP-0000000001\n' +
        '    Processor: KSTREAM-MAP-0000000001 (stores: [])\n' +
        '      --> KSTREAM-FILTER-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-FILTER-0000000005 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000004\n' +
        '      <-- KSTREAM-MAP-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-TOTABLE-0000000002-repartition)\n' +
        '      <-- KSTREAM-FILTER-0000000005\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-TOTABLE-0000000002-repartition])\n' +
        '      --> KSTREAM-TOTABLE-0000000002\n' +
        '    Processor: KSTREAM-TOTABLE-0000000002 (stores: [])\n' +
        '      --> KTABLE-TOSTREAM-0000000007\n' +
        '      <-- KSTREAM-SOURCE-0000000006\n' +
        '    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000008\n' +
        '      <-- KSTREAM-TOTABLE-0000000002\n' +
        '    Sink: KSTREAM-SINK-0000000008 (topic: output)\n' +
        '      <-- KTABLE-TOSTREAM-0000000007\n\n',
    )

    driver = new TopologyTestDriver(topology, props)
    const inputTopic = driver.createInputTopic('input', str, str)
    await inputTopic.pipeInput('A', '01', 5)
    await inputTopic.pipeInput('B', '02', 100)
    await inputTopic.pipeInput('C', '03', 0)
    await inputTopic.pipeInput('D', '04', 0)
    await inputTopic.pipeInput('A', '05', 10)
    await inputTopic.pipeInput('A', '06', 8)
    expect(readRecords(driver, 'output', int)).toEqual([
      [0, '01', 5],
      [1, '02', 100],
      [2, '03', 0],
      [3, '04', 0],
      [0, '05', 10],
      [0, '06', 8],
    ])
  })

  it('shouldSupportForeignKeyTableTableJoinWithKTableFromKStream', async () => {
    const builder = new StreamsBuilder()
    const leftTable = builder.stream<string, string>('input1', consumed).toTable()
    const rightTable = builder.stream<string, string>('input2', consumed).toTable()
    const extractor = (value: string): string => value.split('|')[1] as string
    const joiner = (value1: string, value2: string): string => `(${value1},${value2})`
    leftTable.join(rightTable, extractor, joiner).toStream().to('output')
    const topology = builder.build()

    const description = topology.describe().toString()
    // Java's description, as far as the tables from streams go: both keep a store the join reads.
    expect(description).toContain('    Processor: KSTREAM-TOTABLE-0000000001 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000002])\n')
    expect(description).toContain('    Processor: KSTREAM-TOTABLE-0000000004 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000005])\n')
    expect(description).toContain('    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000002])\n')
    expect(description).toContain('    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000005])\n')
    expect(description).toContain('    Sink: KTABLE-SINK-0000000015 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic)\n')

    driver = new TopologyTestDriver(topology, props)
    const left = driver.createInputTopic('input1', str, str)
    const right = driver.createInputTopic('input2', str, str)
    const outputTopic = driver.createOutputTopic('output', str, str)

    // Pre-populate the RHS records. This test is all about what happens when we add/remove LHS records
    await right.pipeInput('rhs1', 'rhsValue1')
    await right.pipeInput('rhs2', 'rhsValue2')
    await right.pipeInput('rhs3', 'rhsValue3') // this unreferenced FK won't show up in any results
    expect(outputTopic.readKeyValuesToMap()).toEqual(new Map())

    await left.pipeInput('lhs1', 'lhsValue1|rhs1')
    await left.pipeInput('lhs2', 'lhsValue2|rhs2')
    expect(outputTopic.readKeyValuesToMap()).toEqual(
      new Map([
        ['lhs1', '(lhsValue1|rhs1,rhsValue1)'],
        ['lhs2', '(lhsValue2|rhs2,rhsValue2)'],
      ]),
    )

    // Add another reference to an existing FK
    await left.pipeInput('lhs3', 'lhsValue3|rhs1')
    expect(outputTopic.readKeyValuesToMap()).toEqual(new Map([['lhs3', '(lhsValue3|rhs1,rhsValue1)']]))

    await left.pipeInput('lhs1', null)
    expect(outputTopic.readKeyValuesToMap()).toEqual(new Map([['lhs1', null]]))
  })

  // key-value mapper: value.charAt(0) - 'a'; Materialized.as("store") with String and Integer serdes.
  it('shouldSupportTriggerMaterializedWithKTableFromKStream', async () => {
    const int = Serdes.int32()
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('input', consumed)
      .toTable()
      .mapValues((value) => value.charCodeAt(0) - 97, { storeName: 'store', valueSerde: int })
      .toStream()
      .to('output', { valueSerde: int })
    const topology = builder.build()

    expect(topology.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
        '      --> KSTREAM-TOTABLE-0000000001\n' +
        '    Processor: KSTREAM-TOTABLE-0000000001 (stores: [])\n' +
        '      --> KTABLE-MAPVALUES-0000000003\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KTABLE-MAPVALUES-0000000003 (stores: [store])\n' +
        '      --> KTABLE-TOSTREAM-0000000004\n' +
        '      <-- KSTREAM-TOTABLE-0000000001\n' +
        '    Processor: KTABLE-TOSTREAM-0000000004 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000005\n' +
        '      <-- KTABLE-MAPVALUES-0000000003\n' +
        '    Sink: KSTREAM-SINK-0000000005 (topic: output)\n' +
        '      <-- KTABLE-TOSTREAM-0000000004\n\n',
    )

    driver = new TopologyTestDriver(topology, props)
    const inputTopic = driver.createInputTopic('input', str, str, { startTimestampMs: 0, autoAdvanceMs: 0 })
    const outputTopic = driver.createOutputTopic('output', str, int)
    const store = driver.getKeyValueStore<string, number>('store')
    await inputTopic.pipeInput('A', 'green', 10)
    await inputTopic.pipeInput('B', 'green', 9)
    await inputTopic.pipeInput('A', 'blue', 12)
    await inputTopic.pipeInput('C', 'yellow', 15)
    await inputTopic.pipeInput('D', 'green', 11)

    const all: [string, number][] = []
    for await (const [key, value] of store.all()) all.push([key, value])
    expect(new Map(all)).toEqual(new Map([['A', 1], ['B', 6], ['C', 24], ['D', 6]]))
    expect(outputTopic.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['A', 6, 10],
      ['B', 6, 9],
      ['A', 1, 12],
      ['C', 24, 15],
      ['D', 6, 11],
    ])
  })
})
