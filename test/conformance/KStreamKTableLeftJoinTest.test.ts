// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamKTableLeftJoinTest.java
//
// Java captures the join output with MockApiProcessorSupplier; here it goes to an output topic
// (`output`) and is read back with key, value and timestamp.
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

describe('KStreamKTableLeftJoinTest', () => {
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
    stream.leftJoin(table, TOSTRING_JOINER).to(outputTopic, consumed)
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

  async function pushNullValueToTable(messageCount: number): Promise<void> {
    for (let i = 0; i < messageCount; i++) {
      await inputTableTopic.pipeInput(expectedKeys[i]!, null)
    }
  }

  function checkAndClearProcessResult(...expected: KVT[]): void {
    const actual = output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp] as const)
    expect(actual).toEqual(expected)
  }

  it('shouldRequireCopartitionedStreams', () => {
    // TopologyWrapper.getInternalTopologyBuilder(builder.build()).copartitionGroups()
    const copartitionGroups = builder.build().copartitionGroups
    expect(copartitionGroups.length).toBe(1)
    expect(new Set(copartitionGroups[0])).toEqual(new Set([streamTopic, tableTopic]))
  })

  it('shouldJoinWithEmptyTableOnStreamUpdates', async () => {
    // push two items to the primary stream. the table is empty
    await pushToStream(2, 'X')
    checkAndClearProcessResult([0, 'X0+null', 0], [1, 'X1+null', 1])
  })

  it('shouldNotJoinOnTableUpdates', async () => {
    // push two items to the primary stream. the table is empty
    await pushToStream(2, 'X')
    checkAndClearProcessResult([0, 'X0+null', 0], [1, 'X1+null', 1])

    // push two items to the table. this should not produce any item.
    await pushToTable(2, 'Y')
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce four items.
    await pushToStream(4, 'X')
    checkAndClearProcessResult([0, 'X0+Y0', 0], [1, 'X1+Y1', 1], [2, 'X2+null', 2], [3, 'X3+null', 3])

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

  it('shouldJoinRegardlessIfMatchFoundOnStreamUpdates', async () => {
    // push two items to the table. this should not produce any item.
    await pushToTable(2, 'Y')
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce four items.
    await pushToStream(4, 'X')
    checkAndClearProcessResult([0, 'X0+Y0', 0], [1, 'X1+Y1', 1], [2, 'X2+null', 2], [3, 'X3+null', 3])
  })

  it('shouldClearTableEntryOnNullValueUpdates', async () => {
    // push all four items to the table. this should not produce any item.
    await pushToTable(4, 'Y')
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce four items.
    await pushToStream(4, 'X')
    checkAndClearProcessResult([0, 'X0+Y0', 0], [1, 'X1+Y1', 1], [2, 'X2+Y2', 2], [3, 'X3+Y3', 3])

    // push two items with null to the table as deletes. this should not produce any item.
    await pushNullValueToTable(2)
    checkAndClearProcessResult()

    // push all four items to the primary stream. this should produce four items.
    await pushToStream(4, 'XX')
    checkAndClearProcessResult([0, 'XX0+null', 0], [1, 'XX1+null', 1], [2, 'XX2+Y2', 2], [3, 'XX3+Y3', 3])
  })
})
