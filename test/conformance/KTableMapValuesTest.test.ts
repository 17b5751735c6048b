// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KTableMapValuesTest.java
//
// Java's MockApiProcessorSupplier is replaced by output topics:
// - behind `toStream()` (doTestKTable): `table.toStream().to(output)`;
// - attached to the table node itself (`topology.addProcessor("proc", supplier, table2.name)`, which
//   sees the Change<V> the KTableMapValues forwards): a processor on the table's node (reached through
//   KTable's internals, as Java reaches KTableImpl.name) copies each Change's new and old value to a
//   JSON output topic, so that old values are checked too.
// KTableImpl.enableSendingOldValues(true) is internal in Kafka; the public DSL operation that calls
// it on a table is `groupBy(...)` (KTableImpl.groupBy), used here instead (with a reduce behind it).
// KTableImpl.sendingOldValueEnabled() assertions are not observable here, except through the forwarded Changes.
import { describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { KTable } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { addChangeProcessor, change, readChanges } from './change-capture.js'

const stringSerde = Serdes.string()
const integerSerde = Serdes.int32()
const consumed = { keySerde: stringSerde, valueSerde: stringSerde }
// StreamsTestUtils.getStreamsConfig(Serdes.String(), Serdes.String())
const props = { defaultKeySerde: stringSerde, defaultValueSerde: stringSerde }
const inputStart = { startTimestampMs: 0, autoAdvanceMs: 0 }

/** Java's Integer.valueOf(String). */
const integerValueOf = (s: string): number => {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`NumberFormatException: For input string: "${s}"`)
  return Number.parseInt(s, 10)
}

type KVT<V> = [string | null, V | null, number]

async function doTestKTable(builder: StreamsBuilder, topic1: string, processedTopic: string): Promise<void> {
  const driver = new TopologyTestDriver(builder.build(), props)
  try {
    const inputTopic1 = driver.createInputTopic(topic1, stringSerde, stringSerde, inputStart)
    await inputTopic1.pipeInput('A', '1', 5)
    await inputTopic1.pipeInput('B', '2', 25)
    await inputTopic1.pipeInput('C', '3', 20)
    await inputTopic1.pipeInput('D', '4', 10)
    const processed: KVT<number>[] = driver
      .createOutputTopic(processedTopic, stringSerde, integerSerde)
      .readRecordsToList()
      .map((r) => [r.key, r.value, r.timestamp])
    expect(processed).toEqual([
      ['A', 1, 5],
      ['B', 2, 25],
      ['C', 3, 20],
      ['D', 4, 10],
    ])
  } finally {
    await driver.close()
  }
}

async function testSendingOldValues(builder: StreamsBuilder, topic1: string, table2: KTable<string, number>): Promise<void> {
  const proc = addChangeProcessor(table2, 'proc')

  const driver = new TopologyTestDriver(builder.build(), props)
  try {
    const inputTopic1 = driver.createInputTopic(topic1, stringSerde, stringSerde, inputStart)

    await inputTopic1.pipeInput('A', '01', 5)
    await inputTopic1.pipeInput('B', '01', 10)
    await inputTopic1.pipeInput('C', '01', 15)
    expect(readChanges(driver, proc)).toEqual([
      ['A', change(1, null), 5],
      ['B', change(1, null), 10],
      ['C', change(1, null), 15],
    ])

    await inputTopic1.pipeInput('A', '02', 10)
    await inputTopic1.pipeInput('B', '02', 8)
    expect(readChanges(driver, proc)).toEqual([
      ['A', change(2, 1), 10],
      ['B', change(2, 1), 8],
    ])

    await inputTopic1.pipeInput('A', '03', 20)
    expect(readChanges(driver, proc)).toEqual([['A', change(3, 2), 20]])

    await inputTopic1.pipeInput('A', null, 30)
    expect(readChanges(driver, proc)).toEqual([['A', change(null, 3), 30]])
  } finally {
    await driver.close()
  }
}

describe('KTableMapValuesTest', () => {
  it('testKTable', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, string>(topic1, consumed)
    // Java: value.charAt(0) - 48
    const table2 = table1.mapValues((value) => value.charCodeAt(0) - 48)

    table2.toStream().to('processed', { keySerde: stringSerde, valueSerde: integerSerde })

    await doTestKTable(builder, topic1, 'processed')
  })

  it('testQueryableKTable', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, string>(topic1, consumed)
    // Materialized.as("anyName").withValueSerde(Serdes.Integer())
    const table2 = table1.mapValues((value) => value.charCodeAt(0) - 48, { storeName: 'anyName', valueSerde: integerSerde })

    table2.toStream().to('processed', { keySerde: stringSerde, valueSerde: integerSerde })

    await doTestKTable(builder, topic1, 'processed')
  })

  // Java reads table2's and table3's value getters (their own stores, KTableMaterializedValueGetterSupplier);
  // here the same stores through the driver.
  it('testQueryableValueGetter', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'
    const storeName2 = 'store2'
    const storeName3 = 'store3'

    const table1 = builder.table<string, string>(topic1, consumed)
    const table2 = table1.mapValues((s) => integerValueOf(s), { storeName: storeName2, valueSerde: integerSerde })
    const table3 = table1.mapValues((value) => integerValueOf(value) * -1, { storeName: storeName3, valueSerde: integerSerde })
    const table4 = table1.mapValues((s) => integerValueOf(s))

    expect(table2.queryableStoreName).toBe(storeName2)
    expect(table3.queryableStoreName).toBe(storeName3)
    expect(table4.queryableStoreName).toBeUndefined()

    const driver = new TopologyTestDriver(builder.build(), props)
    try {
      const inputTopic1 = driver.createInputTopic(topic1, stringSerde, stringSerde, inputStart)
      const store2 = driver.getTimestampedKeyValueStore<string, number>(storeName2)
      const store3 = driver.getTimestampedKeyValueStore<string, number>(storeName3)
      const getter2 = async (key: string) => (await store2.get(key)) ?? null
      const getter3 = async (key: string) => (await store3.get(key)) ?? null
      const make = (value: number, timestamp: number) => ({ value, timestamp }) // ValueAndTimestamp.make

      await inputTopic1.pipeInput('A', '01', 50)
      await inputTopic1.pipeInput('B', '01', 10)
      await inputTopic1.pipeInput('C', '01', 30)

      expect(await getter2('A')).toEqual(make(1, 50))
      expect(await getter2('B')).toEqual(make(1, 10))
      expect(await getter2('C')).toEqual(make(1, 30))

      expect(await getter3('A')).toEqual(make(-1, 50))
      expect(await getter3('B')).toEqual(make(-1, 10))
      expect(await getter3('C')).toEqual(make(-1, 30))

      await inputTopic1.pipeInput('A', '02', 25)
      await inputTopic1.pipeInput('B', '02', 20)

      expect(await getter2('A')).toEqual(make(2, 25))
      expect(await getter2('B')).toEqual(make(2, 20))
      expect(await getter2('C')).toEqual(make(1, 30))

      expect(await getter3('A')).toEqual(make(-2, 25))
      expect(await getter3('B')).toEqual(make(-2, 20))
      expect(await getter3('C')).toEqual(make(-1, 30))

      await inputTopic1.pipeInput('A', '03', 35)

      expect(await getter2('A')).toEqual(make(3, 35))
      expect(await getter2('B')).toEqual(make(2, 20))
      expect(await getter2('C')).toEqual(make(1, 30))

      expect(await getter3('A')).toEqual(make(-3, 35))
      expect(await getter3('B')).toEqual(make(-2, 20))
      expect(await getter3('C')).toEqual(make(-1, 30))

      await inputTopic1.pipeInput('A', null, 1)

      expect(await getter2('A')).toBeNull()
      expect(await getter2('B')).toEqual(make(2, 20))
      expect(await getter2('C')).toEqual(make(1, 30))

      expect(await getter3('A')).toBeNull()
      expect(await getter3('B')).toEqual(make(-2, 20))
      expect(await getter3('C')).toEqual(make(-1, 30))
    } finally {
      await driver.close()
    }
  })

  it('testNotSendingOldValue', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, string>(topic1, consumed)
    const table2 = table1.mapValues((s) => integerValueOf(s))

    const proc = addChangeProcessor(table2, 'proc')

    const driver = new TopologyTestDriver(builder.build(), props)
    try {
      const inputTopic1 = driver.createInputTopic(topic1, stringSerde, stringSerde, inputStart)

      // Java: assertFalse(table1.sendingOldValueEnabled()); assertFalse(table2.sendingOldValueEnabled());

      await inputTopic1.pipeInput('A', '01', 5)
      await inputTopic1.pipeInput('B', '01', 10)
      await inputTopic1.pipeInput('C', '01', 15)
      expect(readChanges(driver, proc)).toEqual([
        ['A', change(1, null), 5],
        ['B', change(1, null), 10],
        ['C', change(1, null), 15],
      ])

      await inputTopic1.pipeInput('A', '02', 10)
      await inputTopic1.pipeInput('B', '02', 8)
      expect(readChanges(driver, proc)).toEqual([
        ['A', change(2, null), 10],
        ['B', change(2, null), 8],
      ])

      await inputTopic1.pipeInput('A', '03', 20)
      expect(readChanges(driver, proc)).toEqual([['A', change(3, null), 20]])

      await inputTopic1.pipeInput('A', null, 30)
      expect(readChanges(driver, proc)).toEqual([['A', change(null, null), 30]])
    } finally {
      await driver.close()
    }
  })

  it('shouldEnableSendingOldValuesOnParentIfMapValuesNotMaterialized', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, string>(topic1, consumed)
    const table2 = table1.mapValues((s) => integerValueOf(s))

    // Java: table2.enableSendingOldValues(true); assertThat(table1/table2.sendingOldValueEnabled(), is(true))
    table2.groupBy((k, v) => [k, v], { keySerde: stringSerde, valueSerde: integerSerde }).reduce((agg, v) => agg + v, (agg, v) => agg - v, { valueSerde: integerSerde })

    await testSendingOldValues(builder, topic1, table2)
  })

  it('shouldNotEnableSendingOldValuesOnParentIfMapValuesMaterialized', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, string>(topic1, consumed)
    const table2 = table1.mapValues((s) => integerValueOf(s), { storeName: 'bob', valueSerde: integerSerde })

    // Java: table2.enableSendingOldValues(true), through the groupBy that calls it. mapValues has a
    // store, so it reads old values there and the source stays unmaterialized:
    // assertThat(table1.sendingOldValueEnabled(), is(false)); assertThat(table2.sendingOldValueEnabled(), is(true))
    table2.groupBy((k, v) => [k, v], { keySerde: stringSerde, valueSerde: integerSerde }).reduce((agg, v) => agg + v, (agg, v) => agg - v, { valueSerde: integerSerde })
    const topology = builder.build()
    expect(topology.describe().toString()).not.toContain('topic1-STATE-STORE')

    await testSendingOldValues(builder, topic1, table2)
  })
})
