import { describe, expect, it } from 'vitest'
import { TopologyError } from '../../../src/core/errors.js'
import { JoinWindows, StreamsBuilder, TimeWindows } from '../../../src/dsl/index.js'
import { compileLogicalGraph } from '../../../src/dsl/logical/compile.js'
import { insertRepartitions, mergeDuplicateSources } from '../../../src/dsl/logical/passes.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { count, graph, NEXT_INDEX, repartitionTopics, sink, source, stateless, subtopologyShapes } from './fixtures.js'

const str = Serdes.string()

describe('mergeDuplicateSources', () => {
  it('keeps the first source of a topic set, in any order, and moves the second one\'s children to it', () => {
    const g = graph([source(0, ['a', 'b']), source(1, ['b', 'a']), stateless(2, 1, false), stateless(3, 0, false)])
    const merged = mergeDuplicateSources(g)
    expect(merged.nodes.map((n) => [n.id, n.parents])).toEqual([
      [0, []],
      [2, [0]],
      [3, [0]],
    ])
  })

  it('returns the graph itself when no two sources read the same topics', () => {
    const g = graph([source(0, ['a']), source(1, ['a', 'b']), stateless(2, 1, false)])
    expect(mergeDuplicateSources(g)).toBe(g)
  })

  it('rejects one topic read with two different serdes', () => {
    const g = graph([source(0, ['a'], str as never), source(1, ['a'], Serdes.json() as never)])
    expect(() => mergeDuplicateSources(g)).toThrow(TopologyError)
    expect(() => mergeDuplicateSources(g)).toThrow(/Sources "source-0" and "source-1" both read \[a\]/)
  })

  it('is what lets two builder.stream() calls on one topic compile: one source feeds both branches', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('rides', { keySerde: str, valueSerde: str }).filter(() => true).to('kept')
    b.stream<string, string>('rides', { keySerde: str, valueSerde: str }).mapValues((v) => v).to('mapped')
    const topology = b.build()
    const sources = [...topology.nodes.values()].filter((n) => n.type === 'source')
    expect(sources.map((s) => [s.name, s.type === 'source' ? s.children : []])).toEqual([
      ['KSTREAM-SOURCE-0000000000', ['KSTREAM-FILTER-0000000001', 'KSTREAM-MAPVALUES-0000000004']],
    ])
    expect(topology.subtopologies).toHaveLength(1)
    // Without the pass the same graph reads the topic twice, which the assembler refuses.
    const g = graph([source(0, ['rides']), source(1, ['rides'])])
    expect(() => compileLogicalGraph(g, [])).toThrow(/already reads/)
    expect(() => compileLogicalGraph(g, [mergeDuplicateSources])).not.toThrow()
  })
})

describe('insertRepartitions', () => {
  it('writes a key-changed stream through a topic in front of the aggregate, with names from the next free index', () => {
    const g = graph([source(0, ['rides']), stateless(1, 0, true), count(2, 1)])
    const out = insertRepartitions(g)
    expect(out.nodes.map((n) => [n.kind, n.id, n.parents])).toEqual([
      ['stream-source', 0, []],
      ['stateless', 1, [0]],
      ['repartition', 3, [1]],
      ['stream-aggregate', 2, [3]],
    ])
    expect(out.nodes[2]).toMatchObject({
      topic: 'store-2-repartition',
      sinkName: `KSTREAM-SINK-0000000${NEXT_INDEX}`,
      filterName: `KSTREAM-FILTER-0000000${NEXT_INDEX + 1}`,
      sourceName: `KSTREAM-SOURCE-0000000${NEXT_INDEX + 2}`,
      name: `KSTREAM-SOURCE-0000000${NEXT_INDEX + 2}`,
      carriesChanges: false,
    })
    expect(out.nextIndex).toBe(NEXT_INDEX + 3)
  })

  it('names the repartition after the user\'s base when the user named it', () => {
    const named = { ...count(2, 1), repartitionBase: 'by-driver', repartitionNamedByUser: true }
    const out = insertRepartitions(graph([source(0, ['rides']), stateless(1, 0, true), named]))
    expect(out.nodes[2]).toMatchObject({
      topic: 'by-driver-repartition',
      sinkName: 'by-driver-repartition-sink',
      filterName: 'by-driver-repartition-filter',
      sourceName: 'by-driver-repartition-source',
    })
    expect(out.nextIndex).toBe(NEXT_INDEX)
  })

  it('follows a key change through key-preserving operators, and adds nothing when no key changed', () => {
    const through = insertRepartitions(graph([source(0, ['rides']), stateless(1, 0, true), stateless(2, 1, false), count(3, 2)]))
    expect(through.nodes.filter((n) => n.kind === 'repartition')).toHaveLength(1)
    const unchanged = graph([source(0, ['rides']), stateless(1, 0, false), count(2, 1), sink(3, 0, 'out')])
    expect(insertRepartitions(unchanged).nodes).toEqual(unchanged.nodes)
  })

  it('gives each aggregation of one re-keyed stream its own repartition topic and sub-topology', () => {
    const b = new StreamsBuilder()
    const grouped = b.stream<string, string>('rides', { keySerde: str, valueSerde: str }).selectKey((_k, v) => v).groupByKey()
    grouped.count()
    grouped.reduce((a) => a)
    const topology = b.build()
    expect(repartitionTopics(topology)).toEqual([
      'KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition',
      'KSTREAM-REDUCE-STATE-STORE-0000000007-repartition',
    ])
    expect(subtopologyShapes(topology)).toEqual([
      { sourceTopics: ['rides'], stores: [] },
      { sourceTopics: ['KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition'], stores: ['KSTREAM-AGGREGATE-STATE-STORE-0000000002'] },
      { sourceTopics: ['KSTREAM-REDUCE-STATE-STORE-0000000007-repartition'], stores: ['KSTREAM-REDUCE-STATE-STORE-0000000007'] },
    ])
  })

  it('lets every aggregation of a grouping the user named share one repartition topic, as Kafka Streams does', () => {
    const b = new StreamsBuilder()
    const byZone = b.stream<string, string>('rides', { keySerde: str, valueSerde: str }).groupBy((_k, v) => v, { keySerde: str, name: 'by-zone' })
    byZone.count({ storeName: 'zone-counts' })
    byZone.windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count({ storeName: 'zone-windows' })
    const topology = b.build()
    expect(repartitionTopics(topology)).toEqual(['by-zone-repartition'])
    expect(subtopologyShapes(topology)).toEqual([
      { sourceTopics: ['rides'], stores: [] },
      { sourceTopics: ['by-zone-repartition'], stores: ['zone-counts', 'zone-windows'] },
    ])
  })

  it('reuses an explicit repartition(): the aggregate after it reads that topic and no other', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('rides').selectKey((_k, v) => v).repartition({ numPartitions: 4 }).groupByKey().count()
    const topology = b.build()
    expect(repartitionTopics(topology)).toEqual(['KSTREAM-REPARTITION-0000000002-repartition'])
    expect(topology.internalTopics.get('KSTREAM-REPARTITION-0000000002-repartition')?.numPartitions).toBe(4)
    expect(topology.subtopologies).toHaveLength(2)
  })

  it('repartitions a table regrouping without the null-key filter, carrying old and new values', () => {
    const b = new StreamsBuilder()
    b.table<string, string>('drivers').groupBy((k, v) => [v, k]).count()
    const topology = b.build()
    expect(repartitionTopics(topology)).toEqual(['KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition'])
    const select = topology.node('KTABLE-SELECT-0000000003')
    expect(select.type === 'processor' && select.children).toEqual(['KSTREAM-SINK-0000000005'])
    const repartitionSink = topology.node('KSTREAM-SINK-0000000005')
    expect(repartitionSink.type === 'sink' && repartitionSink.valueSerde.wrap).toBeTypeOf('function')
  })

  it('repartitions only the join input whose key changed, with the names reserved when the join was declared', () => {
    const b = new StreamsBuilder()
    const rekeyed = b.stream<string, string>('a').selectKey((_k, v) => v)
    rekeyed.join(b.stream<string, string>('c'), (x, y) => `${x}${y}`, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out')
    const topology = b.build()
    expect(repartitionTopics(topology)).toEqual(['KSTREAM-KEY-SELECT-0000000001-repartition'])
    expect(topology.node('KSTREAM-SINK-0000000003')).toMatchObject({ type: 'sink', topic: 'KSTREAM-KEY-SELECT-0000000001-repartition' })
    expect(topology.copartitionGroups).toEqual([['KSTREAM-KEY-SELECT-0000000001-repartition', 'c']])
  })

  it('leaves a global-table join alone after a key change: the table is on every instance', () => {
    const b = new StreamsBuilder()
    const riders = b.globalTable<string, string>('riders')
    b.stream<string, string>('rides').selectKey((_k, v) => v).join(riders, (k) => k, (v, r) => `${v}${r}`).to('out')
    expect(repartitionTopics(b.build())).toEqual([])
  })
})
