import { describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../../src/dsl/index.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { repartitionTopics, storesOf, subtopologyShapes } from './fixtures.js'

const str = Serdes.string()

// drivers (key: driver id, value: zone id) joined with zones by the zone id in the driver's value.
function driversJoinZones(options: { storeName?: string } = {}, regroup = false) {
  const b = new StreamsBuilder()
  const drivers = b.table<string, string>('drivers', { keySerde: str, valueSerde: str })
  const zones = b.table<string, string>('zones', { keySerde: str, valueSerde: str })
  const joined = drivers.join(zones, (zone) => zone, (driver, zone) => `${driver}@${zone}`, options)
  joined.toStream().to('out')
  if (regroup) joined.groupBy((driver, text) => [text, driver]).count()
  return b.build()
}

const REGISTRATION = 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic'
const RESPONSE = 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic'
const SUBSCRIPTIONS = 'KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010'
/** Kafka's MaterializedInternal name for the result store, numbered after the result processor. */
const RESULT = 'KTABLE-FK-JOIN-OUTPUT-STATE-STORE-0000000019'

describe('foreign-key join', () => {
  it('round-trips through a subscription topic keyed by foreign key and a response topic keyed by the left key', () => {
    const topology = driversJoinZones()
    expect(repartitionTopics(topology)).toEqual([REGISTRATION, RESPONSE])
    expect(topology.node('KTABLE-SINK-0000000008')).toMatchObject({ type: 'sink', topic: REGISTRATION, parents: ['KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007'] })
    expect(topology.node('KTABLE-SINK-0000000015')).toMatchObject({
      type: 'sink',
      topic: RESPONSE,
      parents: ['KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013'],
    })
    // Each topic must line up with the table whose partitions it is read next to.
    expect(topology.copartitionGroups).toEqual([
      [REGISTRATION, 'zones'],
      [RESPONSE, 'drivers'],
    ])
    expect(subtopologyShapes(topology)).toEqual([
      // The result keeps no store: nothing reads it and it is not named (Kafka writes no changelog either).
      { sourceTopics: ['drivers', RESPONSE], stores: ['drivers-STATE-STORE-0000000000'] },
      { sourceTopics: ['zones', REGISTRATION], stores: ['zones-STATE-STORE-0000000003', SUBSCRIPTIONS] },
    ])
  })

  it('keeps subscriptions on the right side and reads each table where its rows live', () => {
    const topology = driversJoinZones()
    expect(topology.stores.get(SUBSCRIPTIONS)).toMatchObject({
      definition: { type: 'keyValue', loggingEnabled: true },
      valueFormat: 'plain',
      changelogTopic: `${SUBSCRIPTIONS}-changelog`,
    })
    expect(topology.internalTopics.get(`${SUBSCRIPTIONS}-changelog`)).toMatchObject({ purpose: 'changelog', config: { 'cleanup.policy': 'compact' } })
    expect(storesOf(topology, 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011')).toEqual([SUBSCRIPTIONS])
    expect(storesOf(topology, 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012')).toEqual(['zones-STATE-STORE-0000000003'])
    expect(storesOf(topology, 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013')).toEqual([SUBSCRIPTIONS])
    expect(storesOf(topology, 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017')).toEqual(['drivers-STATE-STORE-0000000000'])
  })

  it('keeps the result table in a timestamped store when something needs it, under the user\'s name when given', () => {
    expect(driversJoinZones().stores.has(RESULT)).toBe(false)
    expect(storesOf(driversJoinZones(), 'KTABLE-FK-JOIN-OUTPUT-0000000018')).toEqual([])
    // A regrouping needs old values: the result keeps a store under Kafka's generated name.
    const generated = driversJoinZones({}, true)
    expect(generated.stores.get(RESULT)).toMatchObject({ valueFormat: 'timestamped', changelogTopic: `${RESULT}-changelog`, changelogIsInternal: true })
    expect(storesOf(generated, 'KTABLE-FK-JOIN-OUTPUT-0000000018')).toEqual([RESULT])

    const named = driversJoinZones({ storeName: 'drivers-in-zones' })
    expect(named.stores.has(RESULT)).toBe(false)
    expect(storesOf(named, 'KTABLE-FK-JOIN-OUTPUT-0000000018')).toEqual(['drivers-in-zones'])
    expect(named.internalTopics.has('drivers-in-zones-changelog')).toBe(true)
    expect(named.stores.get('drivers-in-zones')?.definition.streamJoinStore).toBeUndefined()
  })
})
