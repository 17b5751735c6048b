// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamGlobalKTableJoinTest.java
//
// Java captures the join output with MockApiProcessorSupplier; here it goes to an output topic
// (`output`) and is read back with key, value and timestamp. Java's init() can also build the
// global table on a versioned store (Materialized.as(Stores.persistentVersionedKeyValueStore(...)),
// initWithVersionedStore), but no @Test of this class uses it: every test runs on the default
// un-versioned store, as here.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import type { TestInputTopic, TestOutputTopic } from '../../src/testing/index.js'

type KVT = readonly [number | null, string | null, number]

const streamTopic = 'streamTopic'
const globalTableTopic = 'globalTableTopic'
const outputTopic = 'output'
const expectedKeys = [0, 1, 2, 3]

// MockValueJoiner.TOSTRING_JOINER: value1 + "+" + value2 (Java prints null as "null")
const TOSTRING_JOINER = (value1: string | null, value2: string | null): string => `${value1}+${value2}`

describe('KStreamGlobalKTableJoinTest', () => {
  let builder: StreamsBuilder
  let driver: TopologyTestDriver
  let inputStreamTopic: TestInputTopic<number, string>
  let inputTableTopic: TestInputTopic<string, string>
  let output: TestOutputTopic<number, string>

  beforeEach(() => {
    // use un-versioned store by default
    builder = new StreamsBuilder()
    const stream = builder.stream<number, string>(streamTopic, { keySerde: Serdes.int32(), valueSerde: Serdes.string() })
    // value of stream optionally contains key of table
    const table = builder.globalTable<string, string>(globalTableTopic, { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    const keyMapper = (_key: number, value: string): string => {
      const tokens = value.split(',')
      // Value is comma delimited. If second token is present, it's the key to the global ktable.
      // If not present, use null to indicate no match
      return (tokens.length > 1 ? tokens[1]! : null) as string
    }
    stream.join(table, keyMapper, TOSTRING_JOINER).to(outputTopic, { keySerde: Serdes.int32(), valueSerde: Serdes.string() })

    driver = new TopologyTestDriver(builder.build())
    output = driver.createOutputTopic(outputTopic, Serdes.int32(), Serdes.string())

    // auto-advance stream timestamps by default, but not global table timestamps
    inputStreamTopic = driver.createInputTopic(streamTopic, Serdes.int32(), Serdes.string(), { startTimestampMs: 0, autoAdvanceMs: 1 })
    inputTableTopic = driver.createInputTopic(globalTableTopic, Serdes.string(), Serdes.string())
  })

  afterEach(async () => {
    await driver.close()
  })

  async function pushToStream(messageCount: number, valuePrefix: string, includeForeignKey: boolean, includeNullKey: boolean): Promise<void> {
    for (let i = 0; i < messageCount; i++) {
      let value = valuePrefix + expectedKeys[i]
      if (includeForeignKey) {
        value = value + ',FKey' + expectedKeys[i]
      }
      let key: number | null = expectedKeys[i]!
      if (includeNullKey && i === 0) {
        key = null
      }
      await inputStreamTopic.pipeInput(key, value)
    }
  }

  async function pushToGlobalTable(messageCount: number, valuePrefix: string): Promise<void> {
    for (let i = 0; i < messageCount; i++) {
      await inputTableTopic.pipeInput('FKey' + expectedKeys[i], valuePrefix + expectedKeys[i])
    }
  }

  async function pushNullValueToGlobalTable(messageCount: number): Promise<void> {
    for (let i = 0; i < messageCount; i++) {
      await inputTableTopic.pipeInput('FKey' + expectedKeys[i], null)
    }
  }

  function checkAndClearProcessResult(...expected: KVT[]): void {
    const actual = output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp] as const)
    expect(actual).toEqual(expected)
  }

  it('shouldNotRequireCopartitioning', () => {
    // TopologyWrapper.getInternalTopologyBuilder(builder.build()).copartitionGroups()
    const copartitionGroups = builder.build().copartitionGroups
    expect(copartitionGroups.length, 'KStream-GlobalKTable joins do not need to be co-partitioned').toBe(0)
  })

  it('shouldNotJoinWithEmptyGlobalTableOnStreamUpdates', async () => {
    // push two items to the primary stream. the globalTable is empty
    await pushToStream(2, 'X', true, false)
    checkAndClearProcessResult()
  })

  it('shouldNotJoinOnGlobalTableUpdates', async () => {
    // push two items to the primary stream. the globalTable is empty
    await pushToStream(2, 'X', true, false)
    checkAndClearProcessResult()

    // push two items to the globalTable. this should not produce any item.
    await pushToGlobalTable(2, 'Y')
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce two items.
    await pushToStream(4, 'X', true, false)
    checkAndClearProcessResult([0, 'X0,FKey0+Y0', 2], [1, 'X1,FKey1+Y1', 3])

    // push all items to the globalTable. this should not produce any item
    await pushToGlobalTable(4, 'YY')
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce four items.
    await pushToStream(4, 'X', true, false)
    checkAndClearProcessResult([0, 'X0,FKey0+YY0', 6], [1, 'X1,FKey1+YY1', 7], [2, 'X2,FKey2+YY2', 8], [3, 'X3,FKey3+YY3', 9])

    // push all items to the globalTable. this should not produce any item
    await pushToGlobalTable(4, 'YYY')
    checkAndClearProcessResult()
  })

  it('shouldJoinOnlyIfMatchFoundOnStreamUpdates', async () => {
    // push two items to the globalTable. this should not produce any item.
    await pushToGlobalTable(2, 'Y')
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce two items.
    await pushToStream(4, 'X', true, false)
    checkAndClearProcessResult([0, 'X0,FKey0+Y0', 0], [1, 'X1,FKey1+Y1', 1])
  })

  it('shouldClearGlobalTableEntryOnNullValueUpdates', async () => {
    // push all four items to the globalTable. this should not produce any item.
    await pushToGlobalTable(4, 'Y')
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce four items.
    await pushToStream(4, 'X', true, false)
    checkAndClearProcessResult([0, 'X0,FKey0+Y0', 0], [1, 'X1,FKey1+Y1', 1], [2, 'X2,FKey2+Y2', 2], [3, 'X3,FKey3+Y3', 3])

    // push two items with null to the globalTable as deletes. this should not produce any item.
    await pushNullValueToGlobalTable(2)
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce two items.
    await pushToStream(4, 'XX', true, false)
    checkAndClearProcessResult([2, 'XX2,FKey2+Y2', 6], [3, 'XX3,FKey3+Y3', 7])
  })

  it('shouldNotJoinOnNullKeyMapperValues', async () => {
    // push all items to the globalTable. this should not produce any item
    await pushToGlobalTable(4, 'Y')
    checkAndClearProcessResult()

    // push all four items to the primary stream with no foreign key, resulting in null keyMapper values.
    // this should not produce any item.
    await pushToStream(4, 'XXX', false, false)
    checkAndClearProcessResult()
  })

  it('shouldJoinOnNullKeyWithNonNullKeyMapperValues', async () => {
    // push two items to the globalTable. this should not produce any item.
    await pushToGlobalTable(2, 'Y')
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce two items.
    await pushToStream(4, 'X', true, true)
    checkAndClearProcessResult([null, 'X0,FKey0+Y0', 0], [1, 'X1,FKey1+Y1', 1])
  })
})
