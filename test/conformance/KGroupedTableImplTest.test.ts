// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KGroupedTableImplTest.java
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TopologyError } from '../../src/core/errors.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { KGroupedTable, KTable } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { Serde } from '../../src/serde/serde.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { longSerde } from './kafka-serdes.js'

const INVALID_STORE_NAME = '~foo bar~'
const topic = 'input'
const str = Serdes.string()
const dbl = Serdes.float64()
const int = Serdes.int32()


// MockInitializer / MockAggregator / MockReducer / MockMapper
const STRING_INIT = (): string => '0'
const TOSTRING_ADDER = (_k: string, v: string, agg: string): string => `${agg}+${v}`
const TOSTRING_REMOVER = (_k: string, v: string, agg: string): string => `${agg}-${v}`
const STRING_ADDER = (a: string, b: string): string => `${a}+${b}`
const STRING_REMOVER = (a: string, b: string): string => `${a}-${b}`
const INTEGER_ADDER = (a: number, b: number): number => a + b
const INTEGER_SUBTRACTOR = (a: number, b: number): number => a - b
const selectValueKeyValueMapper = <K, V>(_k: K, v: V): [V, V] => [v, v]
// KeyValueMapper<String, Number, KeyValue<String, Integer>>: value.intValue()
const intProjection = (key: string, value: number): [string, number] => [key, Math.trunc(value)]

// StreamsTestUtils.getStreamsConfig(Serdes.String(), Serdes.Integer())
const driverOptions = { defaultKeySerde: str as Serde<unknown>, defaultValueSerde: int as Serde<unknown> }

describe('KGroupedTableImplTest', () => {
  let builder: StreamsBuilder
  let groupedTable: KGroupedTable<string, string>
  let driver: TopologyTestDriver | undefined

  beforeEach(() => {
    builder = new StreamsBuilder()
    groupedTable = builder.table<string, string>('blah', { keySerde: str, valueSerde: str }).groupBy(selectValueKeyValueMapper)
  })

  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  /** MockApiProcessorSupplier on `toStream()`: the table's updates go to an output topic instead. */
  function getReducedResults(inputKTable: KTable<string, number>): string {
    inputKTable.toStream().to('reduced-results', { keySerde: str, valueSerde: int })
    return 'reduced-results'
  }

  /** MockApiProcessor.lastValueAndTimestampPerKey */
  function lastValueAndTimestampPerKey(d: TopologyTestDriver, output: string): Map<string, { value: number | null; timestamp: number }> {
    const result = new Map<string, { value: number | null; timestamp: number }>()
    for (const r of d.createOutputTopic(output, str, int).readRecordsToList()) result.set(r.key as string, { value: r.value, timestamp: r.timestamp })
    return result
  }

  async function assertReduced(d: TopologyTestDriver, output: string): Promise<void> {
    const inputTopic = d.createInputTopic(topic, str, dbl)
    await inputTopic.pipeInput('A', 1.1, 10)
    await inputTopic.pipeInput('B', 2.2, 11)

    let reducedResults = lastValueAndTimestampPerKey(d, output)
    expect(reducedResults.get('A')).toEqual({ value: 1, timestamp: 10 })
    expect(reducedResults.get('B')).toEqual({ value: 2, timestamp: 11 })

    await inputTopic.pipeInput('A', 2.6, 30)
    await inputTopic.pipeInput('B', 1.3, 30)
    await inputTopic.pipeInput('A', 5.7, 50)
    await inputTopic.pipeInput('B', 6.2, 20)

    reducedResults = lastValueAndTimestampPerKey(d, output)
    expect(reducedResults.get('A')).toEqual({ value: 5, timestamp: 50 })
    expect(reducedResults.get('B')).toEqual({ value: 6, timestamp: 30 })
  }

  async function processData(d: TopologyTestDriver): Promise<void> {
    const inputTopic = d.createInputTopic(topic, str, str)
    await inputTopic.pipeInput('A', '1', 10)
    await inputTopic.pipeInput('B', '1', 50)
    await inputTopic.pipeInput('C', '1', 30)
    await inputTopic.pipeInput('D', '2', 40)
    await inputTopic.pipeInput('E', '2', 60)
  }

  it('shouldNotAllowInvalidStoreNameOnAggregate', () => {
    expect(() => {
      groupedTable.aggregate(STRING_INIT, TOSTRING_ADDER, TOSTRING_REMOVER, { storeName: INVALID_STORE_NAME })
      // Kafka rejects the name at once (Materialized.as); Tributary reports DSL mistakes by build() at the latest.
      builder.build()
    }).toThrow(TopologyError)
  })

  it('shouldNotAllowInvalidStoreNameOnReduce', () => {
    expect(() => {
      groupedTable.reduce(
        STRING_ADDER,
        STRING_REMOVER,
        { storeName: INVALID_STORE_NAME },
      )
      // Kafka rejects the name at once (Materialized.as); Tributary reports DSL mistakes by build() at the latest.
      builder.build()
    }).toThrow(TopologyError)
  })

  it('shouldReduce', async () => {
    const reduced = builder
      .table<string, number>(topic, { keySerde: str, valueSerde: dbl, storeName: 'store' })
      .groupBy(intProjection)
      .reduce(INTEGER_ADDER, INTEGER_SUBTRACTOR, { storeName: 'reduced' })

    const output = getReducedResults(reduced)
    driver = new TopologyTestDriver(builder.build(), driverOptions)
    await assertReduced(driver, output)
    expect(reduced.queryableStoreName).toBe('reduced')
  })

  it('shouldReduceWithInternalStoreName', async () => {
    const reduced = builder
      .table<string, number>(topic, { keySerde: str, valueSerde: dbl, storeName: 'store' })
      .groupBy(intProjection)
      .reduce(INTEGER_ADDER, INTEGER_SUBTRACTOR)

    const output = getReducedResults(reduced)
    driver = new TopologyTestDriver(builder.build(), driverOptions)
    await assertReduced(driver, output)
    // Java: assertNull(reduced.queryableStoreName())
    expect(reduced.queryableStoreName ?? null).toBeNull()
  })

  it('shouldReduceAndMaterializeResults', async () => {
    const reduced = builder
      .table<string, number>(topic, { keySerde: str, valueSerde: dbl })
      .groupBy(intProjection)
      .reduce(INTEGER_ADDER, INTEGER_SUBTRACTOR, { storeName: 'reduce', valueSerde: int })

    const output = getReducedResults(reduced)
    driver = new TopologyTestDriver(builder.build(), driverOptions)
    await assertReduced(driver, output)
    {
      const reduce = driver.getKeyValueStore<string, number>('reduce')
      expect(await reduce.get('A')).toBe(5)
      expect(await reduce.get('B')).toBe(6)
    }
    {
      // getTimestampedKeyValueStore("reduce")
      expect(await driver.getTimestampedKeyValueStore('reduce').get('A')).toEqual({ value: 5, timestamp: 50 })
      expect(await driver.getTimestampedKeyValueStore('reduce').get('B')).toEqual({ value: 6, timestamp: 30 })
    }
  })

  it('shouldCountAndMaterializeResults', async () => {
    builder
      .table<string, string>(topic, { keySerde: str, valueSerde: str })
      .groupBy(selectValueKeyValueMapper, { keySerde: str, valueSerde: str })
      .count({ storeName: 'count', valueSerde: longSerde })

    driver = new TopologyTestDriver(builder.build(), driverOptions)
    await processData(driver)
    {
      const counts = driver.getKeyValueStore<string, number>('count')
      expect(await counts.get('1')).toBe(3)
      expect(await counts.get('2')).toBe(2)
    }
    {
      // getTimestampedKeyValueStore("count")
      expect(await driver.getTimestampedKeyValueStore('count').get('1')).toEqual({ value: 3, timestamp: 50 })
      expect(await driver.getTimestampedKeyValueStore('count').get('2')).toEqual({ value: 2, timestamp: 60 })
    }
  })

  it('shouldAggregateAndMaterializeResults', async () => {
    builder
      .table<string, string>(topic, { keySerde: str, valueSerde: str })
      .groupBy(selectValueKeyValueMapper, { keySerde: str, valueSerde: str })
      .aggregate(STRING_INIT, TOSTRING_ADDER, TOSTRING_REMOVER, { storeName: 'aggregate', valueSerde: str })

    driver = new TopologyTestDriver(builder.build(), driverOptions)
    await processData(driver)
    {
      const aggregate = driver.getKeyValueStore<string, string>('aggregate')
      expect(await aggregate.get('1')).toBe('0+1+1+1')
      expect(await aggregate.get('2')).toBe('0+2+2')
    }
    {
      // getTimestampedKeyValueStore("aggregate")
      expect(await driver.getTimestampedKeyValueStore('aggregate').get('1')).toEqual({ value: '0+1+1+1', timestamp: 50 })
      expect(await driver.getTimestampedKeyValueStore('aggregate').get('2')).toEqual({ value: '0+2+2', timestamp: 60 })
    }
  })
})
