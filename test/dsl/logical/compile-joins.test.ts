import { describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder } from '../../../src/dsl/index.js'
import { Serdes } from '../../../src/serde/serdes.js'
import type { Topology } from '../../../src/topology/topology.js'
import { repartitionTopics, storesOf, subtopologyShapes } from './fixtures.js'

const str = Serdes.string()
const windows = JoinWindows.ofTimeDifferenceAndGrace(1_000, 500)

function streams(b: StreamsBuilder) {
  return [b.stream<string, string>('a', { keySerde: str, valueSerde: str }), b.stream<string, string>('c', { keySerde: str, valueSerde: str })] as const
}

/** Store name -> its stream-join role, for the stores that have one. */
function joinRoles(topology: Topology): Record<string, string> {
  const roles: Record<string, string> = {}
  for (const [name, spec] of topology.stores) if (spec.definition.streamJoinStore !== undefined) roles[name] = spec.definition.streamJoinStore
  return roles
}

describe('stream-stream joins', () => {
  it('buffer each side in a window store that keeps every record, flagged as a join buffer', () => {
    const b = new StreamsBuilder()
    const [a, c] = streams(b)
    a.join(c, (x, y) => `${x}${y}`, windows).to('out')
    const topology = b.build()
    // Each record is its own window: it must outlive both look-aheads, and the grace on top.
    expect(topology.stores.get('KSTREAM-JOINTHIS-0000000004-store')?.definition).toEqual({
      name: 'KSTREAM-JOINTHIS-0000000004-store',
      type: 'window',
      retentionMs: 2_500,
      windowSizeMs: 2_000,
      retainDuplicates: true,
      streamJoinStore: 'window-buffer',
      loggingEnabled: true,
      cachingEnabled: true,
    })
    expect(joinRoles(topology)).toEqual({ 'KSTREAM-JOINTHIS-0000000004-store': 'window-buffer', 'KSTREAM-JOINOTHER-0000000005-store': 'window-buffer' })
    // Each side writes its own buffer and probes the other's.
    expect(storesOf(topology, 'KSTREAM-WINDOWED-0000000002')).toEqual(['KSTREAM-JOINTHIS-0000000004-store'])
    expect(storesOf(topology, 'KSTREAM-JOINTHIS-0000000004')).toEqual(['KSTREAM-JOINOTHER-0000000005-store'])
    expect(storesOf(topology, 'KSTREAM-JOINOTHER-0000000005')).toEqual(['KSTREAM-JOINTHIS-0000000004-store'])
    expect(topology.node('KSTREAM-MERGE-0000000006')).toMatchObject({ parents: ['KSTREAM-JOINTHIS-0000000004', 'KSTREAM-JOINOTHER-0000000005'] })
    expect(topology.copartitionGroups).toEqual([['a', 'c']])
  })

  it('add the shared store of unmatched records to a left join, flagged for the join cache, read by both sides', () => {
    const b = new StreamsBuilder()
    const [a, c] = streams(b)
    a.leftJoin(c, (x, y) => `${x}${y}`, windows).to('out')
    const topology = b.build()
    const shared = 'KSTREAM-OUTERSHARED-0000000004-store'
    expect(topology.stores.get(shared)).toMatchObject({
      definition: { name: shared, type: 'keyValue', loggingEnabled: true, cachingEnabled: true, streamJoinStore: 'outer-shared' },
      valueFormat: 'plain',
      changelogTopic: `${shared}-changelog`,
    })
    expect(topology.internalTopics.get(`${shared}-changelog`)?.config).toEqual({ 'cleanup.policy': 'compact' })
    expect(joinRoles(topology)).toEqual({
      'KSTREAM-JOINTHIS-0000000004-store': 'window-buffer',
      'KSTREAM-OUTEROTHER-0000000005-store': 'window-buffer',
      [shared]: 'outer-shared',
    })
    expect(storesOf(topology, 'KSTREAM-JOINTHIS-0000000004')).toEqual(['KSTREAM-OUTEROTHER-0000000005-store', shared])
    expect(storesOf(topology, 'KSTREAM-OUTEROTHER-0000000005')).toEqual(['KSTREAM-JOINTHIS-0000000004-store', shared])
    expect(topology.subtopologies).toHaveLength(1)
  })

  it('flag the stores of a named outer join, and keep the flags with logging off', () => {
    const b = new StreamsBuilder()
    const [a, c] = streams(b)
    a.outerJoin(c, (x, y) => `${x}${y}`, windows, { storeName: 'match', loggingEnabled: false }).to('out')
    const topology = b.build()
    expect(joinRoles(topology)).toEqual({
      'match-outer-this-join-store': 'window-buffer',
      'match-outer-other-join-store': 'window-buffer',
      'match-outer-shared-join-store': 'outer-shared',
    })
    expect(topology.stores.get('match-outer-shared-join-store')).toMatchObject({ changelogTopic: undefined, definition: { loggingEnabled: false } })
    expect(topology.internalTopics.size).toBe(0)
  })

  it('flag no other store of the topology', () => {
    const b = new StreamsBuilder()
    const [a, c] = streams(b)
    a.leftJoin(c, (x, y) => `${x}${y}`, windows).groupByKey().count({ storeName: 'matches' })
    const topology = b.build()
    expect(topology.stores.get('matches')?.definition.streamJoinStore).toBeUndefined()
    expect(Object.keys(joinRoles(topology))).toHaveLength(3)
  })
})

describe('joins with tables', () => {
  it('a stream-table join reads the table store and co-partitions stream and table topics', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('rides').join(b.table<string, string>('drivers', { storeName: 'drivers' }), (r, d) => `${r}${d}`).to('out')
    const topology = b.build()
    expect(storesOf(topology, 'KSTREAM-JOIN-0000000003')).toEqual(['drivers'])
    expect(topology.copartitionGroups).toEqual([['rides', 'drivers']])
    expect(subtopologyShapes(topology)).toEqual([{ sourceTopics: ['rides', 'drivers'], stores: ['drivers'] }])
    expect(joinRoles(topology)).toEqual({})
  })

  it('a global-table join needs neither co-partitioning nor a repartition, and its store stays global', () => {
    const b = new StreamsBuilder()
    const riders = b.globalTable<string, string>('riders', { storeName: 'riders' })
    b.stream<string, string>('rides').leftJoin(riders, (k) => k, (v, r) => `${v}${r}`).to('out')
    const topology = b.build()
    expect(topology.copartitionGroups).toEqual([])
    expect(repartitionTopics(topology)).toEqual([])
    expect(topology.stores.get('riders')?.global).toBe(true)
  })

  it('a table-table join reads a derived input through its parent\'s store, and keeps the result only when asked', () => {
    const b = new StreamsBuilder()
    const drivers = b.table<string, string>('drivers').filter(() => true)
    const cars = b.table<string, string>('cars')
    drivers.join(cars, (d, c) => `${d}${c}`, { storeName: 'joined' })
    drivers.join(cars, (d, c) => `${d}${c}`)
    const topology = b.build()
    // The filtered table has no store of its own: the other side looks its rows up in the source's
    // store and applies the filter (Kafka's value getter); no extra node, store or changelog.
    expect([...topology.stores.keys()].sort()).toEqual(['cars-STATE-STORE-0000000004', 'drivers-STATE-STORE-0000000000', 'joined'])
    expect(storesOf(topology, 'KTABLE-JOINOTHER-0000000009')).toEqual(['drivers-STATE-STORE-0000000000'])
    expect(storesOf(topology, 'KTABLE-JOINTHIS-0000000008')).toEqual(['cars-STATE-STORE-0000000004'])
    expect(storesOf(topology, 'KTABLE-MERGE-0000000007')).toEqual(['joined'])
    expect(storesOf(topology, 'KTABLE-MERGE-0000000010')).toEqual([])
    expect(topology.copartitionGroups).toEqual([
      ['drivers', 'cars'],
      ['drivers', 'cars'],
    ])
  })
})
