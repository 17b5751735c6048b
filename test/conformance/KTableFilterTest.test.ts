// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KTableFilterTest.java
//
// Java's MockApiProcessorSupplier is replaced by output topics:
// - behind `toStream()` (doTestKTable): `table.toStream().to(output)`;
// - attached to a table node itself (`topology.addProcessor("proc1", supplier, table1.name)`, which
//   sees the Change<V> the node forwards): a processor on the table's node (reached through KTable's
//   internals, as Java reaches KTableImpl.name) copies each Change's new and old value to a JSON
//   output topic, so that old values are checked too.
// KTableImpl.enableSendingOldValues(forceMaterialization) is internal in Kafka:
// - enableSendingOldValues(false) on a filter of an unmaterialized source table is a no-op in Kafka
//   (KTableImpl.enableSendingOldValues returns false before changing anything), and on a filter of a
//   materialized source it only repeats what KTableFilter's constructor already did
//   (`sendOldValues = parent.enableSendingOldValues(false)`): the call is left out;
// - enableSendingOldValues(true) is replaced by `groupBy(...)`, the public DSL operation that calls
//   it (KTableImpl.groupBy), with a reduce behind it.
// KTableImpl.sendingOldValueEnabled() assertions are not observable here, except through the forwarded Changes.
import { describe, expect, it } from 'vitest'
import type { Change } from '../../src/core/windowed.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { KTable } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { addChangeProcessor, change, readChanges } from './change-capture.js'

const stringSerde = Serdes.string()
const integerSerde = Serdes.int32()
const consumed = { keySerde: stringSerde, valueSerde: integerSerde }
// StreamsTestUtils.getStreamsConfig(Serdes.String(), Serdes.Integer()), no cache (Tributary has none)
const props = { defaultKeySerde: stringSerde, defaultValueSerde: integerSerde }
const inputStart = { startTimestampMs: 0, autoAdvanceMs: 0 }

const predicate = (_key: string, value: number): boolean => value % 2 === 0

// MockMapper.noOpKeyValueMapper(), MockReducer.STRING_ADDER / STRING_REMOVER
const noOpKeyValueMapper = <K, V>(k: K, v: V): [K, V] => [k, v]
const STRING_ADDER = (agg: string, v: string): string => `${agg}+${v}`
const STRING_REMOVER = (agg: string, v: string): string => `${agg}-${v}`

type KVT<V> = [string | null, V | null, number]
type ChangeKVT<V> = [string, Change<V>, number]

async function doTestKTable(builder: StreamsBuilder, table2: KTable<string, number>, table3: KTable<string, number>, topic: string): Promise<void> {
  table2.toStream().to('processed-2', { keySerde: stringSerde, valueSerde: integerSerde })
  table3.toStream().to('processed-3', { keySerde: stringSerde, valueSerde: integerSerde })

  const driver = new TopologyTestDriver(builder.build(), props)
  let processed2: KVT<number>[]
  let processed3: KVT<number>[]
  try {
    const inputTopic = driver.createInputTopic(topic, stringSerde, integerSerde, inputStart)
    await inputTopic.pipeInput('A', 1, 10)
    await inputTopic.pipeInput('B', 2, 5)
    await inputTopic.pipeInput('C', 3, 8)
    await inputTopic.pipeInput('D', 4, 14)
    await inputTopic.pipeInput('A', null, 18)
    await inputTopic.pipeInput('B', null, 15)
    const read = (t: string): KVT<number>[] =>
      driver
        .createOutputTopic(t, stringSerde, integerSerde)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp])
    processed2 = read('processed-2')
    processed3 = read('processed-3')
  } finally {
    await driver.close()
  }

  expect(processed2).toEqual([
    ['A', null, 10],
    ['B', 2, 5],
    ['C', null, 8],
    ['D', 4, 14],
    ['A', null, 18],
    ['B', null, 15],
  ])
  expect(processed3).toEqual([
    ['A', 1, 10],
    ['B', null, 5],
    ['C', 3, 8],
    ['D', null, 14],
    ['A', null, 18],
    ['B', null, 15],
  ])
}

async function doTestNotSendingOldValue(builder: StreamsBuilder, table1: KTable<string, number>, table2: KTable<string, number>, topic1: string): Promise<void> {
  const proc1 = addChangeProcessor(table1, 'proc1')
  const proc2 = addChangeProcessor(table2, 'proc2')

  const driver = new TopologyTestDriver(builder.build(), props)
  try {
    const inputTopic = driver.createInputTopic(topic1, stringSerde, integerSerde, inputStart)

    await inputTopic.pipeInput('A', 1, 5)
    await inputTopic.pipeInput('B', 1, 10)
    await inputTopic.pipeInput('C', 1, 15)

    expect(readChanges(driver, proc1)).toEqual([
      ['A', change(1, null), 5],
      ['B', change(1, null), 10],
      ['C', change(1, null), 15],
    ])
    expect(readChanges(driver, proc2)).toEqual([
      ['A', change(null, null), 5],
      ['B', change(null, null), 10],
      ['C', change(null, null), 15],
    ])

    await inputTopic.pipeInput('A', 2, 15)
    await inputTopic.pipeInput('B', 2, 8)

    expect(readChanges(driver, proc1)).toEqual([
      ['A', change(2, null), 15],
      ['B', change(2, null), 8],
    ])
    expect(readChanges(driver, proc2)).toEqual([
      ['A', change(2, null), 15],
      ['B', change(2, null), 8],
    ])

    await inputTopic.pipeInput('A', 3, 20)

    expect(readChanges(driver, proc1)).toEqual([['A', change(3, null), 20]])
    expect(readChanges(driver, proc2)).toEqual([['A', change(null, null), 20]])

    await inputTopic.pipeInput('A', null, 10)
    await inputTopic.pipeInput('B', null, 20)

    expect(readChanges(driver, proc1)).toEqual([
      ['A', change(null, null), 10],
      ['B', change(null, null), 20],
    ])
    expect(readChanges(driver, proc2)).toEqual([
      ['A', change(null, null), 10],
      ['B', change(null, null), 20],
    ])
  } finally {
    await driver.close()
  }
}

async function doTestSendingOldValue(
  builder: StreamsBuilder,
  table1: KTable<string, number>,
  table2: KTable<string, number>,
  topic1: string,
  parentSendOldVals: boolean,
): Promise<void> {
  const proc1 = addChangeProcessor(table1, 'proc1')
  const proc2 = addChangeProcessor(table2, 'proc2')

  const driver = new TopologyTestDriver(builder.build(), props)
  try {
    const inputTopic = driver.createInputTopic(topic1, stringSerde, integerSerde, inputStart)

    await inputTopic.pipeInput('A', 1, 5)
    await inputTopic.pipeInput('B', 1, 10)
    await inputTopic.pipeInput('C', 1, 15)

    expect(readChanges(driver, proc1)).toEqual([
      ['A', change(1, null), 5],
      ['B', change(1, null), 10],
      ['C', change(1, null), 15],
    ])
    expect(readChanges(driver, proc2)).toEqual([]) // checkEmptyAndClearProcessResult

    await inputTopic.pipeInput('A', 2, 15)
    await inputTopic.pipeInput('B', 2, 8)

    expect(readChanges(driver, proc1)).toEqual([
      ['A', change(2, parentSendOldVals ? 1 : null), 15],
      ['B', change(2, parentSendOldVals ? 1 : null), 8],
    ])
    expect(readChanges(driver, proc2)).toEqual([
      ['A', change(2, null), 15],
      ['B', change(2, null), 8],
    ])

    await inputTopic.pipeInput('A', 3, 20)

    expect(readChanges(driver, proc1)).toEqual([['A', change(3, parentSendOldVals ? 2 : null), 20]])
    expect(readChanges(driver, proc2)).toEqual([['A', change(null, 2), 20]])

    await inputTopic.pipeInput('A', null, 10)
    await inputTopic.pipeInput('B', null, 20)

    expect(readChanges(driver, proc1)).toEqual([
      ['A', change(null, parentSendOldVals ? 3 : null), 10],
      ['B', change(null, parentSendOldVals ? 2 : null), 20],
    ])
    expect(readChanges(driver, proc2)).toEqual([['B', change(null, 2), 20]])
  } finally {
    await driver.close()
  }
}

async function doTestSkipNullOnMaterialization(
  builder: StreamsBuilder,
  table1: KTable<string, string>,
  table2: KTable<string, string>,
  topic1: string,
  shouldSkip: boolean,
): Promise<void> {
  const proc1 = addChangeProcessor(table1, 'proc1')
  const proc2 = addChangeProcessor(table2, 'proc2')

  const driver = new TopologyTestDriver(builder.build(), props)
  let processed1: ChangeKVT<string>[]
  let processed2: ChangeKVT<string>[]
  try {
    const stringinputTopic = driver.createInputTopic(topic1, stringSerde, stringSerde, inputStart)

    await stringinputTopic.pipeInput('A', 'reject', 5)
    await stringinputTopic.pipeInput('B', 'reject', 10)
    await stringinputTopic.pipeInput('C', 'reject', 20)
    processed1 = readChanges(driver, proc1)
    processed2 = readChanges(driver, proc2)
  } finally {
    await driver.close()
  }

  expect(processed1).toEqual([
    ['A', change('reject', null), 5],
    ['B', change('reject', null), 10],
    ['C', change('reject', null), 20],
  ])
  if (shouldSkip) {
    expect(processed2).toEqual([])
  } else {
    expect(processed2).toEqual([
      ['A', change(null, null), 5],
      ['B', change(null, null), 10],
      ['C', change(null, null), 20],
    ])
  }
}

describe('KTableFilterTest', () => {
  it('shouldPassThroughWithoutMaterialization', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, number>(topic1, consumed)
    const table2 = table1.filter(predicate)
    const table3 = table1.filterNot(predicate)

    expect(table1.queryableStoreName).toBeUndefined() // Java: assertNull
    expect(table2.queryableStoreName).toBeUndefined()
    expect(table3.queryableStoreName).toBeUndefined()

    await doTestKTable(builder, table2, table3, topic1)
  })

  it('shouldPassThroughOnMaterialization', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, number>(topic1, consumed)
    const table2 = table1.filter(predicate, { storeName: 'store2' }) // Materialized.as("store2")
    const table3 = table1.filterNot(predicate)

    expect(table1.queryableStoreName).toBeUndefined()
    expect(table2.queryableStoreName).toBe('store2')
    expect(table3.queryableStoreName).toBeUndefined()

    await doTestKTable(builder, table2, table3, topic1)
  })

  // Java reads table2's and table3's value getters (KTableMaterializedValueGetterSupplier: their own
  // stores); here the same stores, store2 and store3, through the driver.
  it('shouldGetValuesOnMaterialization', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, number>(topic1, consumed)
    const table2 = table1.filter(predicate, { storeName: 'store2' })
    const table3 = table1.filterNot(predicate, { storeName: 'store3' })
    const table4 = table1.filterNot(predicate)

    expect(table1.queryableStoreName).toBeUndefined()
    expect(table2.queryableStoreName).toBe('store2')
    expect(table3.queryableStoreName).toBe('store3')
    expect(table4.queryableStoreName).toBeUndefined()

    const driver = new TopologyTestDriver(builder.build(), props)
    try {
      const inputTopic = driver.createInputTopic(topic1, stringSerde, integerSerde, inputStart)
      const store2 = driver.getTimestampedKeyValueStore<string, number>('store2')
      const store3 = driver.getTimestampedKeyValueStore<string, number>('store3')
      const getter2 = async (key: string) => (await store2.get(key)) ?? null
      const getter3 = async (key: string) => (await store3.get(key)) ?? null
      const make = (value: number, timestamp: number) => ({ value, timestamp }) // ValueAndTimestamp.make

      await inputTopic.pipeInput('A', 1, 5)
      await inputTopic.pipeInput('B', 1, 10)
      await inputTopic.pipeInput('C', 1, 15)

      expect(await getter2('A')).toBeNull()
      expect(await getter2('B')).toBeNull()
      expect(await getter2('C')).toBeNull()

      expect(await getter3('A')).toEqual(make(1, 5))
      expect(await getter3('B')).toEqual(make(1, 10))
      expect(await getter3('C')).toEqual(make(1, 15))

      await inputTopic.pipeInput('A', 2, 10)
      await inputTopic.pipeInput('B', 2, 5)

      expect(await getter2('A')).toEqual(make(2, 10))
      expect(await getter2('B')).toEqual(make(2, 5))
      expect(await getter2('C')).toBeNull()

      expect(await getter3('A')).toBeNull()
      expect(await getter3('B')).toBeNull()
      expect(await getter3('C')).toEqual(make(1, 15))

      await inputTopic.pipeInput('A', 3, 15)

      expect(await getter2('A')).toBeNull()
      expect(await getter2('B')).toEqual(make(2, 5))
      expect(await getter2('C')).toBeNull()

      expect(await getter3('A')).toEqual(make(3, 15))
      expect(await getter3('B')).toBeNull()
      expect(await getter3('C')).toEqual(make(1, 15))

      await inputTopic.pipeInput('A', null, 10)
      await inputTopic.pipeInput('B', null, 20)

      expect(await getter2('A')).toBeNull()
      expect(await getter2('B')).toBeNull()
      expect(await getter2('C')).toBeNull()

      expect(await getter3('A')).toBeNull()
      expect(await getter3('B')).toBeNull()
      expect(await getter3('C')).toEqual(make(1, 15))
    } finally {
      await driver.close()
    }
  })

  it('shouldNotSendOldValuesWithoutMaterialization', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, number>(topic1, consumed)
    const table2 = table1.filter(predicate)

    await doTestNotSendingOldValue(builder, table1, table2, topic1)
  })

  it('shouldNotSendOldValuesOnMaterialization', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, number>(topic1, consumed)
    const table2 = table1.filter(predicate, { storeName: 'store2' })

    await doTestNotSendingOldValue(builder, table1, table2, topic1)
  })

  it('shouldNotEnableSendingOldValuesIfNotAlreadyMaterializedAndNotForcedToMaterialize', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, number>(topic1, consumed)
    const table2 = table1.filter(predicate)

    // Java: table2.enableSendingOldValues(false): a no-op here in Kafka (source not materialized, not forced).

    await doTestNotSendingOldValue(builder, table1, table2, topic1)
  })

  it('shouldEnableSendOldValuesWhenNotMaterializedAlreadyButForcedToMaterialize', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, number>(topic1, consumed)
    const table2 = table1.filter(predicate)

    // Java: table2.enableSendingOldValues(true); assertThat(table1/table2.sendingOldValueEnabled(), is(true))
    table2.groupBy(noOpKeyValueMapper).reduce((agg, v) => agg + v, (agg, v) => agg - v, { valueSerde: integerSerde })

    await doTestSendingOldValue(builder, table1, table2, topic1, /* table1.sendingOldValueEnabled() */ true)
  })

  it('shouldEnableSendOldValuesWhenMaterializedAlreadyAndForcedToMaterialize', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, number>(topic1, consumed)
    const table2 = table1.filter(predicate, { storeName: 'store2' })

    // Java: table2.enableSendingOldValues(true), through the groupBy that calls it. The filter has a
    // store, so the unmaterialized source is left alone:
    // assertThat(table1.sendingOldValueEnabled(), is(false)); assertThat(table2.sendingOldValueEnabled(), is(true))
    table2.groupBy(noOpKeyValueMapper).reduce((agg, v) => agg + v, (agg, v) => agg - v, { valueSerde: integerSerde })

    await doTestSendingOldValue(builder, table1, table2, topic1, /* table1.sendingOldValueEnabled() */ false)
  })

  it('shouldSendOldValuesWhenEnabledOnUpStreamMaterialization', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, number>(topic1, { ...consumed, storeName: 'store2' })
    const table2 = table1.filter(predicate)

    // Java: table2.enableSendingOldValues(false): the source is materialized, so KTableFilter's
    // constructor already enabled sending old values on it; the call changes nothing.
    // assertThat(table1/table2.sendingOldValueEnabled(), is(true))

    await doTestSendingOldValue(builder, table1, table2, topic1, /* table1.sendingOldValueEnabled() */ true)
  })

  it('shouldSkipNullToRepartitionWithoutMaterialization', async () => {
    // Do not explicitly set enableSendingOldValues. Let a further downstream stateful operator trigger it instead.
    const builder = new StreamsBuilder()

    const topic1 = 'topic1'

    const stringConsumed = { keySerde: stringSerde, valueSerde: stringSerde }
    const table1 = builder.table<string, string>(topic1, stringConsumed)
    const table2 = table1.filter((_key, value) => value.toLowerCase() === 'accept')
    table2.groupBy(noOpKeyValueMapper).reduce(STRING_ADDER, STRING_REMOVER, { valueSerde: stringSerde })

    await doTestSkipNullOnMaterialization(builder, table1, table2, topic1, true)
  })

  it('shouldSkipNullToRepartitionOnMaterialization', async () => {
    // Do not explicitly set enableSendingOldValues. Let a further downstream stateful operator trigger it instead.
    const builder = new StreamsBuilder()

    const topic1 = 'topic1'

    const stringConsumed = { keySerde: stringSerde, valueSerde: stringSerde }
    const table1 = builder.table<string, string>(topic1, stringConsumed)
    const table2 = table1.filter((_key, value) => value.toLowerCase() === 'accept', { storeName: 'store2' })
    table2.groupBy(noOpKeyValueMapper).reduce(STRING_ADDER, STRING_REMOVER, { storeName: 'mock-result', valueSerde: stringSerde })

    await doTestSkipNullOnMaterialization(builder, table1, table2, topic1, true)
  })
  // shouldNotSkipNullIfVersionedUpstream, shouldSkipNullIfVersionedDownstream: need
  //   Materialized.as(Stores.persistentVersionedKeyValueStore(...)) (versioned stores): not ported.
  // testTypeVariance: checks Java generics (Predicate<Number, Object> on a KTable<Integer, String>): not ported.
})
