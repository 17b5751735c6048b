import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import { JoinWindows, StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { partitionCountResolver } from '../../src/topology/partition-counts.js'
import type { Topology } from '../../src/topology/topology.js'

const str = Serdes.string()
const counts = (topics: Record<string, number>) => ({ known: (topic: string) => topics[topic] })

/** Zone counts from a 1-partition topic of drivers, re-keyed by zone, joined with a stream of requests per zone. */
function requestsWithDriversPerZone(): Topology {
  const b = new StreamsBuilder()
  const zones = b
    .table<string, string>('driver-zones', { keySerde: str, valueSerde: str })
    .groupBy((_driver, zone) => [zone, zone], { keySerde: str, valueSerde: str, name: 'drivers-by-zone' })
    .count({ storeName: 'drivers-per-zone' })
  b.stream<string, string>('requests', { keySerde: str, valueSerde: str })
    .join(zones, (request, drivers) => `${request}:${drivers}`)
    .to('requests-with-supply', { keySerde: str, valueSerde: str })
  return b.build()
}

/** Two streams re-keyed by zone and joined: a co-partition group of repartition topics only. */
function rekeyedStreamJoin(numPartitions?: number): Topology {
  const b = new StreamsBuilder()
  const requests = b.stream<string, string>('requests', { keySerde: str, valueSerde: str }).selectKey((_id, zone) => zone)
  let offers = b.stream<string, string>('offers', { keySerde: str, valueSerde: str }).selectKey((_id, zone) => zone)
  if (numPartitions !== undefined) offers = offers.repartition({ name: 'offers-by-zone', numPartitions, keySerde: str, valueSerde: str })
  requests
    .join(offers, (r, o) => `${r}<-${o}`, JoinWindows.ofTimeDifferenceWithNoGrace(1_000), { keySerde: str, valueSerde: str, otherValueSerde: str })
    .to('matches', { keySerde: str, valueSerde: str })
  return b.build()
}

describe('partition counts of internal topics', () => {
  it("a join's repartition topic takes the partition count of the topic it is joined with, not its writer's", () => {
    const topology = requestsWithDriversPerZone()
    expect(topology.copartitionGroups).toEqual([['requests', 'drivers-by-zone-repartition']])
    const countOf = partitionCountResolver(topology, counts({ 'driver-zones': 1, requests: 6 }))
    expect(countOf('drivers-by-zone-repartition')).toBe(6)
    // The store of the zone counts lives in the join's sub-topology: its changelog follows.
    expect(countOf('drivers-per-zone-changelog')).toBe(6)
  })

  it('a repartition topic outside any join keeps its writer\'s count', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('requests', { keySerde: str, valueSerde: str }).groupBy((_id, zone) => zone, { keySerde: str, name: 'by-zone' }).count()
    expect(partitionCountResolver(b.build(), counts({ requests: 4 }))('by-zone-repartition')).toBe(4)
  })

  it('a group of repartition topics only takes the largest count their writers give', () => {
    const countOf = partitionCountResolver(rekeyedStreamJoin(), counts({ requests: 2, offers: 5 }))
    expect(countOf('KSTREAM-KEY-SELECT-0000000001-repartition')).toBe(5)
    expect(countOf('KSTREAM-KEY-SELECT-0000000003-repartition')).toBe(5)
  })

  it("an explicit numPartitions sizes a group of repartition topics, and must agree with the group's user topics", () => {
    const explicit = partitionCountResolver(rekeyedStreamJoin(3), counts({ requests: 8, offers: 8 }))
    expect(explicit('KSTREAM-KEY-SELECT-0000000001-repartition')).toBe(3)
    const b = new StreamsBuilder()
    const offers = b.stream<string, string>('offers', { keySerde: str, valueSerde: str }).repartition({ name: 'offers-4', numPartitions: 4, keySerde: str, valueSerde: str })
    b.stream<string, string>('requests', { keySerde: str, valueSerde: str })
      .join(offers, (r, o) => r + o, JoinWindows.ofTimeDifferenceWithNoGrace(1_000))
      .to('out')
    const countOf = partitionCountResolver(b.build(), counts({ requests: 6, offers: 6 }))
    expect(() => countOf('offers-4-repartition')).toThrow(ConfigError)
    expect(() => countOf('offers-4-repartition')).toThrow(/"offers-4-repartition" has 4 partitions, but the topics it is joined with need 6/)
  })

  it('user topics of one group that disagree are reported with their counts', () => {
    const b = new StreamsBuilder()
    const pings = b.stream<string, string>('pings-a', { keySerde: str, valueSerde: str }).merge(b.stream<string, string>('pings-b', { keySerde: str, valueSerde: str }))
    const zones = b.stream<string, string>('zones', { keySerde: str, valueSerde: str }).selectKey((_k, zone) => zone)
    pings.join(zones, (p, z) => p + z, JoinWindows.ofTimeDifferenceWithNoGrace(1_000), { keySerde: str, valueSerde: str, otherValueSerde: str }).to('out')
    const topology = b.build()
    const [group] = topology.copartitionGroups
    const repartition = group?.find((t) => t.endsWith('-repartition')) as string
    const countOf = partitionCountResolver(topology, counts({ 'pings-a': 2, 'pings-b': 3, zones: 1 }))
    expect(() => countOf(repartition)).toThrow(ConfigError)
    expect(() => countOf(repartition)).toThrow(/"pings-a" has 2 partitions, "pings-b" has 3 partitions/)
    expect(() => countOf('pings-a')).toThrow(ConfigError)
  })
})

describe('the test driver sizes repartition topics like the runtime', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('a table re-keyed from a 1-partition topic joins a 6-partition stream: every request meets its zone', async () => {
    driver = new TopologyTestDriver(requestsWithDriversPerZone())
    driver.declareTopic('driver-zones', { partitions: 1 })
    driver.declareTopic('requests', { partitions: 6 })
    const zonesIn = driver.createInputTopic('driver-zones', str, str)
    const requests = driver.createInputTopic('requests', str, str)
    for (let i = 0; i < 12; i++) await zonesIn.pipeInput(`driver-${i}`, `zone-${i % 4}`, i)
    for (let i = 0; i < 8; i++) await requests.pipeInput(`zone-${i % 4}`, `req-${i}`, 100 + i)
    const out = driver.createOutputTopic('requests-with-supply', str, str).readKeyValuesToList()
    expect(out).toHaveLength(8)
    for (let i = 0; i < 8; i++) expect(out).toContainEqual([`zone-${i % 4}`, `req-${i}:3`])
  })

  it('fails like the runtime when the topics of a join disagree', async () => {
    const b = new StreamsBuilder()
    const riders = b.table<string, string>('riders', { keySerde: str, valueSerde: str })
    b.stream<string, string>('requests', { keySerde: str, valueSerde: str }).join(riders, (r, name) => r + name).to('out')
    driver = new TopologyTestDriver(b.build())
    driver.declareTopic('requests', { partitions: 3 })
    driver.declareTopic('riders', { partitions: 2 })
    await expect(driver.createInputTopic('requests', str, str).pipeInput('r1', 'x', 0)).rejects.toThrow(/"requests" has 3 partitions, "riders" has 2 partitions/)
  })
})
