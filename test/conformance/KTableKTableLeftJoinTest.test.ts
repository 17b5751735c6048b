// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KTableKTableLeftJoinTest.java
//
// Java's MockApiProcessorSupplier attached to the join node is replaced by `joined.toStream().to(output)`
// for the new values, keys and timestamps, and by a processor on the join node itself
// (change-capture.ts, through internals as Java's tests reach KTableImpl) for the old values.
// KTableImpl.enableSendingOldValues(true) is the groupBy that calls it.
import { describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { addChangeProcessor, change, readChanges, withoutOldValues } from './change-capture.js'
import type { TestOutputTopic } from '../../src/testing/test-output-topic.js'

const topic1 = 'topic1'
const topic2 = 'topic2'
const output = 'output'
const consumed = { keySerde: Serdes.int32(), valueSerde: Serdes.string() }
const expectedKeys = [0, 1, 2, 3]

// MockValueJoiner.TOSTRING_JOINER: value1 + "+" + value2 (Java prints null as "null")
const TOSTRING_JOINER = (value1: string | null, value2: string | null): string => `${value1}+${value2}`

function newDriver(builder: StreamsBuilder): TopologyTestDriver {
  // StreamsTestUtils.getStreamsConfig(Serdes.Integer(), Serdes.String())
  return new TopologyTestDriver(builder.build(), { defaultKeySerde: Serdes.int32(), defaultValueSerde: Serdes.string() })
}

function assertOutputKeyValueTimestamp(outputTopic: TestOutputTopic<number, string>, expectedKey: number, expectedValue: string | null, expectedTimestamp: number): void {
  const { key, value, timestamp } = outputTopic.readRecord()
  expect({ key, value, timestamp }).toEqual({ key: expectedKey, value: expectedValue, timestamp: expectedTimestamp })
}

/** The record sequence shared by testJoin and testNotSendingOldValue; `steps[i]` checks the output after step i. */
async function runJoinScript(builder: StreamsBuilder, steps: ((out: TestOutputTopic<number, string>, driver: TopologyTestDriver) => void)[]): Promise<void> {
  const driver = newDriver(builder)
  try {
    const inputTopic1 = driver.createInputTopic(topic1, Serdes.int32(), Serdes.string(), { startTimestampMs: 0, autoAdvanceMs: 0 })
    const inputTopic2 = driver.createInputTopic(topic2, Serdes.int32(), Serdes.string(), { startTimestampMs: 0, autoAdvanceMs: 0 })
    const outputTopic = driver.createOutputTopic(output, Serdes.int32(), Serdes.string())

    // push two items to the primary stream. the other table is empty
    for (let i = 0; i < 2; i++) await inputTopic1.pipeInput(expectedKeys[i]!, `X${expectedKeys[i]}`, 5 + i)
    // pass tuple with null key, it will be discarded in join process
    await inputTopic1.pipeInput(null, 'SomeVal', 42)
    steps[0]!(outputTopic, driver)

    // push two items to the other stream. this should produce two items.
    for (let i = 0; i < 2; i++) await inputTopic2.pipeInput(expectedKeys[i]!, `Y${expectedKeys[i]}`, 10 * i)
    // pass tuple with null key, it will be discarded in join process
    await inputTopic2.pipeInput(null, 'AnotherVal', 73)
    steps[1]!(outputTopic, driver)

    // push all four items to the primary stream. this should produce four items.
    for (const expectedKey of expectedKeys) await inputTopic1.pipeInput(expectedKey, `XX${expectedKey}`, 7)
    steps[2]!(outputTopic, driver)

    // push all items to the other stream. this should produce four items.
    for (const expectedKey of expectedKeys) await inputTopic2.pipeInput(expectedKey, `YY${expectedKey}`, expectedKey * 5)
    steps[3]!(outputTopic, driver)

    // push all four items to the primary stream. this should produce four items.
    for (const expectedKey of expectedKeys) await inputTopic1.pipeInput(expectedKey, `XXX${expectedKey}`, 6)
    steps[4]!(outputTopic, driver)

    // push two items with null to the other stream as deletes. this should produce two item.
    await inputTopic2.pipeInput(expectedKeys[0]!, null, 5)
    await inputTopic2.pipeInput(expectedKeys[1]!, null, 7)
    steps[5]!(outputTopic, driver)

    // push all four items to the primary stream. this should produce four items.
    for (const expectedKey of expectedKeys) await inputTopic1.pipeInput(expectedKey, `XXXX${expectedKey}`, 13)
    steps[6]!(outputTopic, driver)

    // push four items to the primary stream with null. this should produce four items.
    await inputTopic1.pipeInput(expectedKeys[0]!, null, 0)
    await inputTopic1.pipeInput(expectedKeys[1]!, null, 42)
    await inputTopic1.pipeInput(expectedKeys[2]!, null, 5)
    await inputTopic1.pipeInput(expectedKeys[3]!, null, 20)
    steps[7]!(outputTopic, driver)
  } finally {
    await driver.close()
  }
}

/** Each step: the records expected (key, value, timestamp), then the topic must be empty. */
function expectRecords(...records: [number, string | null, number][]): (out: TestOutputTopic<number, string>) => void {
  return (out) => {
    for (const [k, v, ts] of records) assertOutputKeyValueTimestamp(out, k, v, ts)
    expect(out.isEmpty()).toBe(true)
  }
}

// The same outputs for testJoin and, as new values, for testNotSendingOldValue.
const leftJoinSteps = [
  expectRecords([0, 'X0+null', 5], [1, 'X1+null', 6]),
  expectRecords([0, 'X0+Y0', 5], [1, 'X1+Y1', 10]),
  expectRecords([0, 'XX0+Y0', 7], [1, 'XX1+Y1', 10], [2, 'XX2+null', 7], [3, 'XX3+null', 7]),
  expectRecords([0, 'XX0+YY0', 7], [1, 'XX1+YY1', 7], [2, 'XX2+YY2', 10], [3, 'XX3+YY3', 15]),
  expectRecords([0, 'XXX0+YY0', 6], [1, 'XXX1+YY1', 6], [2, 'XXX2+YY2', 10], [3, 'XXX3+YY3', 15]),
  expectRecords([0, 'XXX0+null', 6], [1, 'XXX1+null', 7]),
  expectRecords([0, 'XXXX0+null', 13], [1, 'XXXX1+null', 13], [2, 'XXXX2+YY2', 13], [3, 'XXXX3+YY3', 15]),
  expectRecords([0, null, 0], [1, null, 42], [2, null, 10], [3, null, 20]),
]

describe('KTableKTableLeftJoinTest', () => {
  it('testJoin', async () => {
    const builder = new StreamsBuilder()
    const table1 = builder.table<number, string>(topic1, consumed)
    const table2 = builder.table<number, string>(topic2, consumed)
    const joined = table1.leftJoin(table2, TOSTRING_JOINER)
    joined.toStream().to(output)

    const copartitionGroups = builder.build().copartitionGroups
    expect(copartitionGroups.length).toBe(1)
    expect(new Set(copartitionGroups[0])).toEqual(new Set([topic1, topic2]))

    await runJoinScript(builder, leftJoinSteps)
  })

  it('testNotSendingOldValue', async () => {
    const builder = new StreamsBuilder()
    const table1 = builder.table<number, string>(topic1, consumed)
    const table2 = builder.table<number, string>(topic2, consumed)
    const joined = table1.leftJoin(table2, TOSTRING_JOINER)
    // Java: builder.build().addProcessor("proc", supplier, joined.name) and proc.checkAndClearProcessResult(...):
    // the new values through toStream, the old ones (all null) through a processor on the join node.
    joined.toStream().to(output)
    const proc = addChangeProcessor(joined, 'proc', Serdes.int32())
    await runJoinScript(builder, withoutOldValues(leftJoinSteps, proc, Serdes.int32()))
  })

  /**
   * This test was written to reproduce https://issues.apache.org/jira/browse/KAFKA-4492
   * It is based on a fairly complicated join used by the developer that reported the bug.
   * Before the fix this would trigger an IllegalStateException.
   */
  // Java: ((KTableImpl) joined).enableSendingOldValues(true), here through the groupBy that calls it,
  // and the Changes the join node forwards captured by a processor on it (see change-capture.ts).
  it('testSendingOldValue', async () => {
    const builder = new StreamsBuilder()
    const table1 = builder.table<number, string>(topic1, consumed)
    const table2 = builder.table<number, string>(topic2, consumed)
    const joined = table1.leftJoin(table2, TOSTRING_JOINER)
    joined.groupBy((k, v) => [k, v], { keySerde: Serdes.int32(), valueSerde: Serdes.string() }).reduce((a, v) => a + v, (a) => a, { valueSerde: Serdes.string() })
    const proc = addChangeProcessor(joined, 'proc', Serdes.int32())
    const changes = (...expected: [number, string | null, string | null, number][]) => (_out: TestOutputTopic<number, string>, driver: TopologyTestDriver) =>
      expect(readChanges<string, number>(driver, proc, Serdes.int32())).toEqual(expected.map(([k, n, o, ts]) => [k, change(n, o), ts]))
    await runJoinScript(builder, [
      changes([0, 'X0+null', null, 5], [1, 'X1+null', null, 6]),
      changes([0, 'X0+Y0', 'X0+null', 5], [1, 'X1+Y1', 'X1+null', 10]),
      changes([0, 'XX0+Y0', 'X0+Y0', 7], [1, 'XX1+Y1', 'X1+Y1', 10], [2, 'XX2+null', null, 7], [3, 'XX3+null', null, 7]),
      changes([0, 'XX0+YY0', 'XX0+Y0', 7], [1, 'XX1+YY1', 'XX1+Y1', 7], [2, 'XX2+YY2', 'XX2+null', 10], [3, 'XX3+YY3', 'XX3+null', 15]),
      changes([0, 'XXX0+YY0', 'XX0+YY0', 6], [1, 'XXX1+YY1', 'XX1+YY1', 6], [2, 'XXX2+YY2', 'XX2+YY2', 10], [3, 'XXX3+YY3', 'XX3+YY3', 15]),
      changes([0, 'XXX0+null', 'XXX0+YY0', 6], [1, 'XXX1+null', 'XXX1+YY1', 7]),
      changes([0, 'XXXX0+null', 'XXX0+null', 13], [1, 'XXXX1+null', 'XXX1+null', 13], [2, 'XXXX2+YY2', 'XXX2+YY2', 13], [3, 'XXXX3+YY3', 'XXX3+YY3', 15]),
      changes([0, null, 'XXXX0+null', 0], [1, null, 'XXXX1+null', 42], [2, null, 'XXXX2+YY2', 10], [3, null, 'XXXX3+YY3', 20]),
    ])
  })

  it('shouldNotThrowIllegalStateExceptionWhenMultiCacheEvictions', { timeout: 120_000 }, async () => {
    const agg = 'agg'
    const tableOne = 'tableOne'
    const tableTwo = 'tableTwo'
    const tableThree = 'tableThree'
    const tableFour = 'tableFour'
    const tableFive = 'tableFive'
    const tableSix = 'tableSix'
    const inputs = [agg, tableOne, tableTwo, tableThree, tableFour, tableFive, tableSix]

    const builder = new StreamsBuilder()
    const longConsumed = (storeName: string) => ({ keySerde: Serdes.int64(), valueSerde: Serdes.string(), storeName })
    // MockReducer.STRING_ADDER: agg + "+" + value (used as adder and subtractor, as in Java)
    const STRING_ADDER = (aggValue: string, value: string): string => `${aggValue}+${value}`
    // Java: Materialized.as(Stores.inMemoryKeyValueStore(...)); Tributary's driver stores are in memory.
    const aggTable = builder
      .table<bigint, string>(agg, longConsumed('agg-base-store'))
      .groupBy((key, value) => [key, value], { keySerde: Serdes.int64(), valueSerde: Serdes.string() })
      .reduce(STRING_ADDER, STRING_ADDER, { storeName: 'agg-store', valueSerde: Serdes.string() })

    const one = builder.table<bigint, string>(tableOne, longConsumed('tableOne-base-store'))
    const two = builder.table<bigint, string>(tableTwo, longConsumed('tableTwo-base-store'))
    const three = builder.table<bigint, string>(tableThree, longConsumed('tableThree-base-store'))
    const four = builder.table<bigint, string>(tableFour, longConsumed('tableFour-base-store'))
    const five = builder.table<bigint, string>(tableFive, longConsumed('tableFive-base-store'))
    const six = builder.table<bigint, string>(tableSix, longConsumed('tableSix-base-store'))

    const mapper = (value: string): string => value.toUpperCase()

    const seven = one.mapValues(mapper)

    const eight = six.leftJoin(seven, TOSTRING_JOINER)

    aggTable
      .leftJoin(one, TOSTRING_JOINER)
      .leftJoin(two, TOSTRING_JOINER)
      .leftJoin(three, TOSTRING_JOINER)
      .leftJoin(four, TOSTRING_JOINER)
      .leftJoin(five, TOSTRING_JOINER)
      .leftJoin(eight, TOSTRING_JOINER)
      .mapValues(mapper)

    const driver = newDriver(builder)
    try {
      const values = [
        'a', 'AA', 'BBB', 'CCCC', 'DD', 'EEEEEEEE', 'F', 'GGGGGGGGGGGGGGG', 'HHH', 'IIIIIIIIII',
        'J', 'KK', 'LLLL', 'MMMMMMMMMMMMMMMMMMMMMM', 'NNNNN', 'O', 'P', 'QQQQQ', 'R', 'SSSS',
        'T', 'UU', 'VVVVVVVVVVVVVVVVVVV',
      ]
      // Java uses an unseeded java.util.Random; a seeded generator keeps failures reproducible.
      let seed = 42
      const nextInt = (bound: number): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
        return (seed >>> 8) % bound
      }
      for (let i = 0; i < 1000; i++) {
        for (const input of inputs) {
          const key = BigInt(nextInt(1000))
          const value = values[nextInt(values.length)]!
          const inputTopic = driver.createInputTopic(input, Serdes.int64(), Serdes.string())
          await inputTopic.pipeInput(key, value)
        }
      }
    } finally {
      await driver.close()
    }
  })
})
