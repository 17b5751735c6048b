import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { num, storeEngines, str } from './fixtures.js'

describe.each(storeEngines)('KTable (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('upserts per key, deletes on a tombstone, and skips records without a key', async () => {
    const builder = new StreamsBuilder()
    builder.table<string, number>('ratings', { keySerde: str, valueSerde: num, storeName: 'ratings' }).toStream().to('changes')
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('ratings', str, num)
    await input.pipeInput('d1', 4, 10)
    await input.pipeInput('d2', 5, 11)
    await input.pipeInput('d1', 3, 12)
    await input.pipeInput('d2', null, 13)
    await input.pipeInput(null, 1, 14)
    const store = driver.getKeyValueStore<string, number>('ratings')
    expect([await store.get('d1'), await store.get('d2')]).toEqual([3, undefined])
    const entries: [string, number][] = []
    for await (const [k, v] of store.all()) entries.push([k, v])
    expect(entries).toEqual([['d1', 3]])
    expect(driver.createOutputTopic('changes', str, num).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['d1', 4, 10],
      ['d2', 5, 11],
      ['d1', 3, 12],
      ['d2', null, 13],
    ])
    expect(driver.metrics().droppedRecordsByReason['null-key']).toBe(1)
  })

  it('filter turns a row that stops matching into a deletion downstream; mapValues maps what is left', async () => {
    // A named (materialized) table sends old values: the filter knows which rows were there.
    const builder = new StreamsBuilder()
    builder
      .table<string, number>('ratings', { keySerde: str, valueSerde: num, storeName: 'ratings' })
      .filter((_k, rating) => rating >= 4)
      .mapValues((rating) => rating * 10)
      .toStream()
      .to('good')
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('ratings', str, num)
    await input.pipeInput('d1', 5, 0)
    await input.pipeInput('d2', 2, 1) // never matched: nothing to tell downstream
    await input.pipeInput('d1', 3, 2) // stops matching: a deletion
    await input.pipeInput('d2', 4, 3)
    expect(driver.createOutputTopic('good', str, num).readKeyValuesToList()).toEqual([
      ['d1', 50],
      ['d1', null],
      ['d2', 40],
    ])
  })

  it('without a store upstream, filter sends every rejected row on as a deletion (Kafka without sendOldValues)', async () => {
    const builder = new StreamsBuilder()
    builder.table<string, number>('ratings', { keySerde: str, valueSerde: num }).filter((_k, rating) => rating >= 4).toStream().to('good')
    const topology = builder.build()
    expect(topology.stores.size).toBe(0)
    driver = new TopologyTestDriver(topology, { stateStores })
    const input = driver.createInputTopic('ratings', str, num)
    await input.pipeInput('d1', 5, 0)
    await input.pipeInput('d2', 2, 1)
    await input.pipeInput('d1', 3, 2)
    expect(driver.createOutputTopic('good', str, num).readKeyValuesToList()).toEqual([
      ['d1', 5],
      ['d2', null],
      ['d1', null],
    ])
  })
})
