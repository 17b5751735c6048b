// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KTableSourceTest.java
//
// Java's MockApiProcessorSupplier is replaced by an output topic:
// - behind `toStream()`: `table.toStream().to(output)`;
// - attached to the table node itself (`topology.addProcessor("proc1", supplier, table1.name)`, which
//   sees the Change<V> the KTableSource forwards): a processor on the table's node (reached through
//   KTable's internals, as Java reaches KTableImpl.name) copies each Change's new and old value to a
//   JSON output topic, so that old values are checked too.
// KTableImpl.enableSendingOldValues(true) (testSendingOldValue) is internal in Kafka; the public DSL
// operation that calls it on a table is `groupBy(...)` (KTableImpl.groupBy), used here instead.
import { describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { addChangeProcessor, change, readChanges } from './change-capture.js'

const stringSerde = Serdes.string()
const stringConsumed = { keySerde: stringSerde, valueSerde: stringSerde }
// StreamsTestUtils.getStreamsConfig(Serdes.String(), Serdes.String())
const props = { defaultKeySerde: stringSerde, defaultValueSerde: stringSerde }
const inputStart = { startTimestampMs: 0, autoAdvanceMs: 0 }

type KVT<V> = [string | null, V | null, number]

describe('KTableSourceTest', () => {
  it('testKTable', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, number>(topic1, { keySerde: stringSerde, valueSerde: Serdes.int32() })

    table1.toStream().to('processed', { keySerde: stringSerde, valueSerde: Serdes.int32() })

    const driver = new TopologyTestDriver(builder.build(), props)
    let processed: KVT<number>[]
    try {
      const inputTopic = driver.createInputTopic(topic1, stringSerde, Serdes.int32())
      await inputTopic.pipeInput('A', 1, 10)
      await inputTopic.pipeInput('B', 2, 11)
      await inputTopic.pipeInput('C', 3, 12)
      await inputTopic.pipeInput('D', 4, 13)
      await inputTopic.pipeInput('A', null, 14)
      await inputTopic.pipeInput('B', null, 15)
      processed = driver
        .createOutputTopic('processed', stringSerde, Serdes.int32())
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp])
    } finally {
      await driver.close()
    }

    expect(processed).toEqual([
      ['A', 1, 10],
      ['B', 2, 11],
      ['C', 3, 12],
      ['D', 4, 13],
      ['A', null, 14],
      ['B', null, 15],
    ])
  })

  // testKTableSourceEmitOnChange: @Disabled in Kafka (KIP-557 disabled until KAFKA-12508): not ported.

  // Java checks only the WARN log "Skipping record due to null key. topic=[topic] partition=[0] offset=[0]"
  // (not portable); KTableSource also records the drop on droppedRecordsSensor, which is checked here.
  it('kTableShouldLogAndMeterOnSkippedRecords', async () => {
    const builder = new StreamsBuilder()
    const topic = 'topic'
    builder.table(topic, stringConsumed)

    const driver = new TopologyTestDriver(builder.build(), props)
    try {
      const inputTopic = driver.createInputTopic(topic, stringSerde, stringSerde, inputStart)
      await inputTopic.pipeInput(null, 'value')

      expect(driver.metrics().droppedRecords).toBe(1)
      expect(driver.metrics().droppedRecordsByReason['null-key']).toBe(1)
    } finally {
      await driver.close()
    }
  })

  // kTableShouldLogOnOutOfOrder: checks only a WARN log message: not ported.

  // Java reads the source's KTableValueGetter (KTableImpl.valueGetterSupplier()); the table is
  // materialized as "store", so the getter reads that timestamped store, read here through the driver.
  it('testValueGetter', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    builder.table(topic1, { ...stringConsumed, storeName: 'store' })

    const driver = new TopologyTestDriver(builder.build(), props)
    try {
      const inputTopic1 = driver.createInputTopic(topic1, stringSerde, stringSerde, inputStart)
      const getter1 = driver.getTimestampedKeyValueStore<string, string>('store')

      await inputTopic1.pipeInput('A', '01', 10)
      await inputTopic1.pipeInput('B', '01', 20)
      await inputTopic1.pipeInput('C', '01', 15)

      expect(await getter1.get('A')).toEqual({ value: '01', timestamp: 10 })
      expect(await getter1.get('B')).toEqual({ value: '01', timestamp: 20 })
      expect(await getter1.get('C')).toEqual({ value: '01', timestamp: 15 })

      await inputTopic1.pipeInput('A', '02', 30)
      await inputTopic1.pipeInput('B', '02', 5)

      expect(await getter1.get('A')).toEqual({ value: '02', timestamp: 30 })
      expect(await getter1.get('B')).toEqual({ value: '02', timestamp: 5 })
      expect(await getter1.get('C')).toEqual({ value: '01', timestamp: 15 })

      await inputTopic1.pipeInput('A', '03', 29)

      expect(await getter1.get('A')).toEqual({ value: '03', timestamp: 29 })
      expect(await getter1.get('B')).toEqual({ value: '02', timestamp: 5 })
      expect(await getter1.get('C')).toEqual({ value: '01', timestamp: 15 })

      await inputTopic1.pipeInput('A', null, 50)
      await inputTopic1.pipeInput('B', null, 3)

      expect(await getter1.get('A')).toBeUndefined() // Java: assertNull
      expect(await getter1.get('B')).toBeUndefined()
      expect(await getter1.get('C')).toEqual({ value: '01', timestamp: 15 })
    } finally {
      await driver.close()
    }
  })

  it('testNotSendingOldValue', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, string>(topic1, stringConsumed)

    const proc1Topic = addChangeProcessor(table1, 'proc1')

    const driver = new TopologyTestDriver(builder.build(), props)
    try {
      const inputTopic1 = driver.createInputTopic(topic1, stringSerde, stringSerde, inputStart)

      await inputTopic1.pipeInput('A', '01', 10)
      await inputTopic1.pipeInput('B', '01', 20)
      await inputTopic1.pipeInput('C', '01', 15)
      expect(readChanges(driver, proc1Topic)).toEqual([
        ['A', change('01', null), 10],
        ['B', change('01', null), 20],
        ['C', change('01', null), 15],
      ])

      await inputTopic1.pipeInput('A', '02', 8)
      await inputTopic1.pipeInput('B', '02', 22)
      expect(readChanges(driver, proc1Topic)).toEqual([
        ['A', change('02', null), 8],
        ['B', change('02', null), 22],
      ])

      await inputTopic1.pipeInput('A', '03', 12)
      expect(readChanges(driver, proc1Topic)).toEqual([['A', change('03', null), 12]])

      await inputTopic1.pipeInput('A', null, 15)
      await inputTopic1.pipeInput('B', null, 20)
      expect(readChanges(driver, proc1Topic)).toEqual([
        ['A', change(null, null), 15],
        ['B', change(null, null), 20],
      ])
    } finally {
      await driver.close()
    }
  })

  it('testSendingOldValue', async () => {
    const builder = new StreamsBuilder()
    const topic1 = 'topic1'

    const table1 = builder.table<string, string>(topic1, stringConsumed)
    // Java: table1.enableSendingOldValues(true); assertTrue(table1.sendingOldValueEnabled());
    // KTableImpl.groupBy calls this.enableSendingOldValues(true).
    table1.groupBy((k, v) => [k, v]).reduce((agg, v) => agg + v, (agg, v) => agg + v)

    const proc1Topic = addChangeProcessor(table1, 'proc1')

    const driver = new TopologyTestDriver(builder.build(), props)
    try {
      const inputTopic1 = driver.createInputTopic(topic1, stringSerde, stringSerde, inputStart)

      await inputTopic1.pipeInput('A', '01', 10)
      await inputTopic1.pipeInput('B', '01', 20)
      await inputTopic1.pipeInput('C', '01', 15)
      expect(readChanges(driver, proc1Topic)).toEqual([
        ['A', change('01', null), 10],
        ['B', change('01', null), 20],
        ['C', change('01', null), 15],
      ])

      await inputTopic1.pipeInput('A', '02', 8)
      await inputTopic1.pipeInput('B', '02', 22)
      expect(readChanges(driver, proc1Topic)).toEqual([
        ['A', change('02', '01'), 8],
        ['B', change('02', '01'), 22],
      ])

      await inputTopic1.pipeInput('A', '03', 12)
      expect(readChanges(driver, proc1Topic)).toEqual([['A', change('03', '02'), 12]])

      await inputTopic1.pipeInput('A', null, 15)
      await inputTopic1.pipeInput('B', null, 20)
      expect(readChanges(driver, proc1Topic)).toEqual([
        ['A', change(null, '03'), 15],
        ['B', change(null, '02'), 20],
      ])
    } finally {
      await driver.close()
    }
  })
})
