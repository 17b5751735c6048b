import { afterEach, describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder } from '../../../src/dsl/index.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../../src/testing/index.js'
import { storeEngines, str } from './fixtures.js'

interface Request {
  readonly rider: string
  readonly zone: string
}
const request = Serdes.json<Request>()

function requestsJoinedWithRiders() {
  const builder = new StreamsBuilder()
  const requests = builder.stream<string, Request>('requests', { keySerde: str, valueSerde: request })
  const riders = builder.table<string, string>('riders', { keySerde: str, valueSerde: str, storeName: 'riders' })
  requests
    .selectKey((_id, r) => r.rider)
    .join(riders, (r, name) => `${r.zone}:${name}`, { keySerde: str, valueSerde: request })
    .to('enriched', { keySerde: str, valueSerde: str })
  return builder.build()
}

describe.each(storeEngines)('co-partitioning and repartitioning before joins (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('a key change before a stream-table join writes a repartition topic; the join is co-partitioned with the table', () => {
    const topology = requestsJoinedWithRiders()
    // Kafka Streams names the topic after the re-keyed stream and numbers the repartition's sink,
    // filter and source before the join (KStreamImpl.repartitionForJoin).
    expect([...topology.internalTopics.keys()]).toEqual(['riders-changelog', 'KSTREAM-KEY-SELECT-0000000003-repartition'])
    expect(topology.copartitionGroups).toEqual([['KSTREAM-KEY-SELECT-0000000003-repartition', 'riders']])
    expect(topology.describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [requests])',
        '      --> KSTREAM-KEY-SELECT-0000000003',
        '    Processor: KSTREAM-KEY-SELECT-0000000003 (stores: [])',
        '      --> KSTREAM-FILTER-0000000005',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-FILTER-0000000005 (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-KEY-SELECT-0000000003',
        '    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-KEY-SELECT-0000000003-repartition)',
        '      <-- KSTREAM-FILTER-0000000005',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-KEY-SELECT-0000000003-repartition])',
        '      --> KSTREAM-JOIN-0000000007',
        '    Processor: KSTREAM-JOIN-0000000007 (stores: [riders])',
        '      --> KSTREAM-SINK-0000000008',
        '      <-- KSTREAM-SOURCE-0000000006',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [riders])',
        '      --> KTABLE-SOURCE-0000000002',
        '    Sink: KSTREAM-SINK-0000000008 (topic: enriched)',
        '      <-- KSTREAM-JOIN-0000000007',
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [riders])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000001',
        '',
        '',
      ].join('\n'),
    )
    expect(topology.subtopologies).toHaveLength(2)
  })

  it('with three partitions, every request meets its rider after the repartition', async () => {
    driver = new TopologyTestDriver(requestsJoinedWithRiders(), { stateStores })
    driver.declareTopic('requests', { partitions: 3 })
    driver.declareTopic('riders', { partitions: 3 })
    const riders = driver.createInputTopic('riders', str, str)
    const requests = driver.createInputTopic('requests', str, request)
    const names = ['ana', 'bo', 'cy', 'di', 'ed', 'flo']
    for (const [i, name] of names.entries()) await riders.pipeInput(`rider-${i}`, name, i)
    for (let i = 0; i < 12; i++) await requests.pipeInput(`req-${i}`, { rider: `rider-${i % 6}`, zone: `z${i}` }, 100 + i)
    const out = driver.createOutputTopic('enriched', str, str).readKeyValuesToList()
    expect(out).toHaveLength(12)
    for (let i = 0; i < 12; i++) expect(out).toContainEqual([`rider-${i % 6}`, `z${i}:${names[i % 6]}`])
    // The repartition topic really was used, by three tasks of the join's sub-topology.
    expect(driver.producedTopicNames()).toContain('topology-test-driver-KSTREAM-KEY-SELECT-0000000003-repartition')
  })

  it('a stream-stream join repartitions each side whose key changed, and only those', () => {
    const builder = new StreamsBuilder()
    const requests = builder.stream<string, Request>('requests', { keySerde: str, valueSerde: request }).selectKey((_k, r) => r.zone)
    const supply = builder.stream<string, string>('supply', { keySerde: str, valueSerde: str })
    requests.join(supply, (r, s) => `${r.rider}@${s}`, JoinWindows.ofTimeDifferenceWithNoGrace(60_000)).to('matches', { keySerde: str, valueSerde: str })
    const topology = builder.build()
    expect([...topology.internalTopics.keys()].filter((t) => t.endsWith('-repartition'))).toEqual(['KSTREAM-KEY-SELECT-0000000001-repartition'])
    expect(topology.copartitionGroups).toEqual([['KSTREAM-KEY-SELECT-0000000001-repartition', 'supply']])
  })

  it('a stream-stream join across partitions: both sides re-keyed, results as with one partition', async () => {
    const builder = new StreamsBuilder()
    const requests = builder.stream<string, Request>('requests', { keySerde: str, valueSerde: request }).selectKey((_k, r) => r.zone)
    const offers = builder.stream<string, string>('offers', { keySerde: str, valueSerde: str }).map((driverId, zone) => [zone, driverId] as const)
    requests
      .join(offers, (r, d) => `${r.rider}<-${d}`, JoinWindows.ofTimeDifferenceWithNoGrace(1_000), { keySerde: str, valueSerde: request, otherValueSerde: str })
      .to('matches', { keySerde: str, valueSerde: str })
    const topology = builder.build()
    expect(topology.copartitionGroups).toEqual([['KSTREAM-KEY-SELECT-0000000001-repartition', 'KSTREAM-MAP-0000000003-repartition']])
    driver = new TopologyTestDriver(topology, { stateStores })
    driver.declareTopic('requests', { partitions: 4 })
    driver.declareTopic('offers', { partitions: 4 })
    const requestsIn = driver.createInputTopic('requests', str, request)
    const offersIn = driver.createInputTopic('offers', str, str)
    for (let i = 0; i < 8; i++) await requestsIn.pipeInput(`req-${i}`, { rider: `r${i}`, zone: `zone-${i % 4}` }, 1_000 + i)
    for (let i = 0; i < 4; i++) await offersIn.pipeInput(`drv-${i}`, `zone-${i}`, 1_500)
    const out = driver.createOutputTopic('matches', str, str).readKeyValuesToList()
    expect(out).toHaveLength(8)
    for (let i = 0; i < 8; i++) expect(out).toContainEqual([`zone-${i % 4}`, `r${i}<-drv-${i % 4}`])
  })
})
