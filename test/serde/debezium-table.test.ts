import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { debeziumTimestampExtractor } from '../../src/serde/debezium.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

interface Driver { id: number; name: string; rating: number }

const source = (tsMs: number, snapshot = 'false') => ({ connector: 'postgresql', db: 'fleet', table: 'drivers', ts_ms: tsMs, snapshot })
const wrap = (payload: unknown) => ({ schema: { type: 'struct', name: 'velocity.fleet.drivers.Envelope' }, payload })

function topology() {
  const builder = new StreamsBuilder()
  builder
    .table<number, Driver | null>('driver_profiles', {
      keySerde: Serdes.debeziumKey<number>(Serdes.json(), { field: 'id' }),
      valueSerde: Serdes.debezium<Driver>(Serdes.json()),
      timestampExtractor: debeziumTimestampExtractor,
      storeName: 'drivers',
    })
    .toStream()
    .to('driver_changes', { keySerde: Serdes.json(), valueSerde: Serdes.json() })
  return builder.build()
}

describe.each(['memory', 'rocksdb'] as const)('a table over Debezium change events (%s stores)', (stores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it.each([
    ['plain', (e: unknown) => e],
    ['schema/payload wrapper', wrap],
  ])('mirrors the source table through snapshot, create, update and delete (%s JSON)', async (_, envelope) => {
    driver = new TopologyTestDriver(topology(), stores === 'rocksdb' ? { stateStores: 'rocksdb' } : {})
    // Keys and values are piped as the connector writes them: JSON key structs and envelopes.
    const cdc = driver.createInputTopic('driver_profiles', Serdes.json<unknown>(), Serdes.json<unknown>())
    const ada = { id: 7, name: 'Ada', rating: 4.9 }
    const bo = { id: 8, name: 'Bo', rating: 4.5 }
    await cdc.pipeInput(envelope({ id: 7 }), envelope({ before: null, after: ada, source: source(1_000, 'true'), op: 'r', ts_ms: 1_500 }), 2_000)
    await cdc.pipeInput(envelope({ id: 8 }), envelope({ before: null, after: bo, source: source(3_000), op: 'c', ts_ms: 3_500 }), 4_000)
    await cdc.pipeInput(envelope({ id: 7 }), envelope({ before: ada, after: { ...ada, rating: 5 }, source: source(5_000), op: 'u', ts_ms: 5_500 }), 6_000)
    await cdc.pipeInput(envelope({ id: 8 }), envelope({ before: bo, after: null, source: source(7_000), op: 'd', ts_ms: 7_500 }), 8_000)
    // Debezium follows a delete with a Kafka tombstone for compaction: the table stays deleted.
    await cdc.pipeInput(envelope({ id: 8 }), null, 8_000)

    const store = driver.getKeyValueStore<number, Driver>('drivers')
    expect(await store.get(7)).toEqual({ ...ada, rating: 5 })
    expect(await store.get(8)).toBeUndefined()

    const changes = driver.createOutputTopic('driver_changes', Serdes.json<number>(), Serdes.json<Driver | null>()).readRecordsToList()
    expect(changes.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      [7, ada, 1_000], // the row's timestamp is the commit time in the database (source.ts_ms)
      [8, bo, 3_000],
      [7, { ...ada, rating: 5 }, 5_000],
      [8, null, 8_000], // a delete has no row to carry source.ts_ms: the Kafka timestamp
      // Like Kafka Streams since KAFKA-12508, a table source forwards every update, the repeated tombstone too.
      [8, null, 8_000],
    ])
  })
})
