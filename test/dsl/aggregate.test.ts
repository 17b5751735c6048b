import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { num, storeEngines, str } from './fixtures.js'

// Scenarios of Kafka Streams' KGroupedStreamImplTest and KStreamAggregateTest.
describe.each(storeEngines)('groupByKey / groupBy aggregations (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  const words: [string, string, number][] = [
    ['1', 'A', 10],
    ['2', 'B', 15],
    ['1', 'C', 30],
    ['3', 'D', 5],
    ['1', 'E', 20],
  ]

  it('count forwards every update with the largest input timestamp of the key', async () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey().count({ storeName: 'count' }).toStream().to('out')
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('in', str, str)
    for (const [k, v, t] of words) await input.pipeInput(k, v, t)
    expect(driver.createOutputTopic('out', str, num).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['1', 1, 10],
      ['2', 1, 15],
      ['1', 2, 30],
      ['3', 1, 5],
      ['1', 3, 30],
    ])
    const store = driver.getKeyValueStore<string, number>('count')
    expect([await store.get('1'), await store.get('2'), await store.get('3'), await store.get('4')]).toEqual([3, 1, 1, undefined])
  })

  it('reduce starts from the first value; aggregate from the initializer; null keys and values are skipped', async () => {
    const builder = new StreamsBuilder()
    const grouped = builder.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey()
    grouped.reduce((a, v) => a + v, { storeName: 'reduce', valueSerde: str }).toStream().to('reduced', { valueSerde: str })
    grouped.aggregate(() => '0', (_k, v, a) => `${a}+${v}`, { storeName: 'agg', valueSerde: str }).toStream().to('aggregated', { valueSerde: str })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('in', str, str)
    for (const [k, v, t] of words) await input.pipeInput(k, v, t)
    await input.pipeInput(null, 'X', 40)
    await input.pipeInput('1', null, 41)
    expect(driver.createOutputTopic('reduced', str, str).readKeyValuesToMap()).toEqual(new Map([['1', 'ACE'], ['2', 'B'], ['3', 'D']]))
    expect(driver.createOutputTopic('aggregated', str, str).readKeyValuesToMap()).toEqual(
      new Map([['1', '0+A+C+E'], ['2', '0+B'], ['3', '0+D']]),
    )
    // Two aggregations each skip the record with the null key and the one with the null value.
    expect(driver.metrics().droppedRecordsByReason).toMatchObject({ 'null-key': 2, 'null-value': 2 })
  })

  it('groupBy re-keys through a repartition topic, partitioned by the new key', async () => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, { zone: string }>('rides', { keySerde: str, valueSerde: Serdes.json() })
      .groupBy((_id, ride) => ride.zone, { keySerde: str })
      .count({ storeName: 'rides-per-zone' })
      .toStream()
      .to('zone-counts', { keySerde: str })
    driver = new TopologyTestDriver(builder.build(), { stateStores, applicationId: 'fleet' })
    driver.declareTopic('fleet-rides-per-zone-repartition', { partitions: 4 })
    const input = driver.createInputTopic('rides', str, Serdes.json<{ zone: string }>())
    const zones = ['north', 'south', 'east', 'west', 'north', 'north', 'east']
    for (const [i, zone] of zones.entries()) await input.pipeInput(`ride-${i}`, { zone }, i)
    expect(driver.createOutputTopic('zone-counts', str, num).readKeyValuesToMap()).toEqual(
      new Map([['north', 3], ['south', 1], ['east', 2], ['west', 1]]),
    )
    // Every zone was counted in one of the four tasks reading the repartition topic.
    const repartitioned = driver.createOutputTopic('fleet-rides-per-zone-repartition', str, Serdes.json()).readKeyValuesToList()
    expect(repartitioned.map(([zone]) => zone)).toEqual(zones)
    expect(await driver.getKeyValueStore<string, number>('rides-per-zone').get('north')).toBe(3)
  })
})
