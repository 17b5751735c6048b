import { describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'

const str = Serdes.string()

// What the runtime relies on: which sub-topologies create tasks, which stores are global, which
// topics must be co-partitioned, and which internal topics to create.
describe('compiled join topologies', () => {
  it('marks the global sub-topology and its store; other sub-topologies neither build nor list it', () => {
    const b = new StreamsBuilder()
    const riders = b.globalTable<string, string>('riders', { keySerde: str, valueSerde: str, storeName: 'riders' })
    b.stream<string, string>('rides', { keySerde: str, valueSerde: str })
      .leftJoin(riders, (_k, v) => v, (v, r) => `${v}:${r}`)
      .to('out')
    const topology = b.build()
    const global = topology.subtopologies.filter((s) => s.global === true)
    expect(global.map((s) => [s.sourceTopics, s.stores])).toEqual([[['riders'], ['riders']]])
    const regular = topology.subtopologies.filter((s) => s.global !== true)
    expect(regular.map((s) => [s.sourceTopics, s.stores])).toEqual([[['rides'], []]])
    expect(topology.stores.get('riders')?.global).toBe(true)
    expect(topology.stores.get('riders')?.changelogTopic).toBe('riders')
    expect(topology.internalTopics.size).toBe(0)
  })

  it('a stream-stream join records its window stores, their changelogs and one co-partition group', () => {
    const b = new StreamsBuilder()
    const a = b.stream<string, string>('a', { keySerde: str, valueSerde: str })
    const c = b.stream<string, string>('c', { keySerde: str, valueSerde: str })
    a.outerJoin(c, (x, y) => `${x}${y}`, JoinWindows.ofTimeDifferenceAndGrace(1_000, 500)).to('out')
    const topology = b.build()
    expect(topology.copartitionGroups).toEqual([['a', 'c']])
    const thisStore = topology.stores.get('KSTREAM-OUTERTHIS-0000000004-store')
    expect(thisStore?.definition).toMatchObject({ type: 'window', retainDuplicates: true, retentionMs: 2_500, windowSizeMs: 2_000 })
    expect(topology.stores.get('KSTREAM-OUTERSHARED-0000000004-store')?.definition.type).toBe('keyValue')
    expect([...topology.internalTopics.keys()].sort()).toEqual([
      'KSTREAM-OUTEROTHER-0000000005-store-changelog',
      'KSTREAM-OUTERSHARED-0000000004-store-changelog',
      'KSTREAM-OUTERTHIS-0000000004-store-changelog',
    ])
    expect(topology.subtopologies).toHaveLength(1)
  })

  it('loggingEnabled: false writes no changelogs for the join buffers', () => {
    const b = new StreamsBuilder()
    const a = b.stream<string, string>('a')
    a.leftJoin(b.stream<string, string>('c'), (x, y) => `${x}${y}`, JoinWindows.ofTimeDifferenceWithNoGrace(10), { loggingEnabled: false }).to('out')
    expect(b.build().internalTopics.size).toBe(0)
  })
})
