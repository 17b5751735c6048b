import { describe, expect, it } from 'vitest'
import { TopologyError } from '../../../src/core/errors.js'
import { SessionWindows, SlidingWindows, StreamsBuilder, Suppressed, TimeWindows } from '../../../src/dsl/index.js'
import { compileLogicalGraph } from '../../../src/dsl/logical/compile.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { count, graph, repartitionTopics, sink, source, stateless, storesOf, subtopologyShapes } from './fixtures.js'

const str = Serdes.string()
const DAY_MS = 86_400_000

describe('compileLogicalGraph', () => {
  it('runs the passes it is given, the default ones unless told otherwise', () => {
    const g = graph([source(0, ['rides']), stateless(1, 0, true), count(2, 1)])
    const plain = compileLogicalGraph(g, [])
    expect(repartitionTopics(plain)).toEqual([])
    expect(subtopologyShapes(plain)).toEqual([{ sourceTopics: ['rides'], stores: ['store-2'] }])
    const optimized = compileLogicalGraph(g)
    expect(repartitionTopics(optimized)).toEqual(['store-2-repartition'])
    expect(subtopologyShapes(optimized)).toEqual([
      { sourceTopics: ['rides'], stores: [] },
      { sourceTopics: ['store-2-repartition'], stores: ['store-2'] },
    ])
  })

  it('rejects an operator that follows a sink', () => {
    const g = graph([source(0, ['rides']), sink(1, 0, 'out'), stateless(2, 1, false)])
    expect(() => compileLogicalGraph(g, [])).toThrow(TopologyError)
    expect(() => compileLogicalGraph(g, [])).toThrow(/"op-2" follows "sink-1", which produces no output/)
  })

  it('compiles a stream repartition into a null-key filter, a sink, an internal topic and a source', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('rides').repartition({ name: 'by-zone', numPartitions: 6 }).to('out')
    const topology = b.build()
    expect(topology.node('by-zone-repartition-filter')).toMatchObject({ type: 'processor', parents: ['KSTREAM-SOURCE-0000000000'] })
    expect(topology.node('by-zone-repartition-sink')).toMatchObject({ type: 'sink', topic: 'by-zone-repartition', parents: ['by-zone-repartition-filter'] })
    expect(topology.node('by-zone-repartition-source')).toMatchObject({ type: 'source', topics: ['by-zone-repartition'] })
    expect(topology.internalTopics.get('by-zone-repartition')).toEqual({
      name: 'by-zone-repartition',
      purpose: 'repartition',
      numPartitions: 6,
      config: { 'cleanup.policy': 'delete' },
    })
  })

  it('gives each aggregation the store its windows need, backed up to a changelog', () => {
    const b = new StreamsBuilder()
    const grouped = b.stream<string, string>('rides', { keySerde: str, valueSerde: str }).groupByKey()
    grouped.count({ storeName: 'total' })
    grouped.windowedBy(TimeWindows.ofSizeAndGrace(60_000, 5_000)).count({ storeName: 'per-minute' })
    grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(120_000, 10_000)).count({ storeName: 'per-session' })
    grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(60_000, 5_000)).count({ storeName: 'sliding' })
    const topology = b.build()
    const stores = Object.fromEntries([...topology.stores].map(([name, s]) => [name, [s.definition, s.valueFormat, s.changelogTopic]]))
    const logged = { loggingEnabled: true, cachingEnabled: true }
    expect(stores).toEqual({
      total: [{ name: 'total', type: 'keyValue', ...logged }, 'timestamped', 'total-changelog'],
      'per-minute': [{ name: 'per-minute', type: 'window', retentionMs: 65_000, windowSizeMs: 60_000, ...logged }, 'timestamped', 'per-minute-changelog'],
      // One more ms than gap + grace: a session ending exactly then can still be merged into.
      'per-session': [{ name: 'per-session', type: 'session', retentionMs: 130_000, ...logged }, 'plain', 'per-session-changelog'],
      sliding: [{ name: 'sliding', type: 'window', retentionMs: 125_000, windowSizeMs: 60_000, ...logged }, 'timestamped', 'sliding-changelog'],
    })
    expect(topology.internalTopics.get('total-changelog')?.config).toEqual({ 'cleanup.policy': 'compact' })
    expect(topology.internalTopics.get('per-minute-changelog')?.config).toEqual({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(65_000 + DAY_MS) })
    expect(storesOf(topology, 'KSTREAM-AGGREGATE-0000000001')).toEqual(['total'])
  })

  it('writes no changelog for an aggregation with logging off; a source table has its own unless its topic is reused', () => {
    const declare = (b: StreamsBuilder): void => {
      b.stream<string, string>('rides').groupByKey().count({ storeName: 'total', loggingEnabled: false })
      b.table<string, string>('drivers', { storeName: 'drivers' })
    }
    const plain = new StreamsBuilder()
    declare(plain)
    const topology = plain.build()
    expect(topology.stores.get('total')).toMatchObject({ changelogTopic: undefined, changelogIsInternal: false, definition: { loggingEnabled: false } })
    // Kafka Streams' default (no optimization): the table writes its own changelog.
    expect(topology.stores.get('drivers')).toMatchObject({ changelogTopic: 'drivers-changelog', changelogIsInternal: true, valueFormat: 'timestamped' })
    expect([...topology.internalTopics.keys()]).toEqual(['drivers-changelog'])

    // reuse.ktable.source.topics: the table's topic holds every update already, it is the changelog.
    const reusing = new StreamsBuilder()
    declare(reusing)
    const optimized = reusing.build({ optimization: 'reuse.ktable.source.topics' })
    expect(optimized.stores.get('drivers')).toMatchObject({ changelogTopic: 'drivers', changelogIsInternal: false, valueFormat: 'timestamped' })
    expect(optimized.internalTopics.size).toBe(0)
    expect(() => reusing.build({ optimization: 'all' as never })).toThrow(/'all' is not accepted/)
  })

  it('adds the user\'s stores as they were declared, with no join role whatever their name', () => {
    const b = new StreamsBuilder()
    b.addStateStore({ name: 'KSTREAM-OUTERSHARED-0000000099-store', type: 'keyValue', keySerde: str })
    b.addStateStore({ name: 'seen', type: 'window', retentionMs: 1_000, windowSizeMs: 100, retainDuplicates: true, loggingEnabled: false })
    b.stream<string, string>('rides').process(() => ({ process() {} }), { stores: ['KSTREAM-OUTERSHARED-0000000099-store', 'seen'] })
    const topology = b.build()
    expect(topology.stores.get('KSTREAM-OUTERSHARED-0000000099-store')?.definition).toEqual({
      name: 'KSTREAM-OUTERSHARED-0000000099-store',
      type: 'keyValue',
      loggingEnabled: true,
      cachingEnabled: true,
    })
    expect(topology.stores.get('seen')?.definition).toEqual({
      name: 'seen',
      type: 'window',
      retentionMs: 1_000,
      windowSizeMs: 100,
      retainDuplicates: true,
      loggingEnabled: false,
      cachingEnabled: true,
    })
    expect(storesOf(topology, 'KSTREAM-PROCESSOR-0000000001')).toEqual(['KSTREAM-OUTERSHARED-0000000099-store', 'seen'])
  })

  it('rejects a user store that an operator also defines', () => {
    const b = new StreamsBuilder()
    b.addStateStore({ name: 'total', type: 'keyValue' })
    b.stream<string, string>('rides').groupByKey().count({ storeName: 'total' })
    expect(() => b.build()).toThrow(/State store "total" is added twice/)
  })

  it('compiles split into the branch processor and one child per branch', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('rides').split({ fast: () => true }, { defaultBranch: 'rest' })
    const topology = b.build()
    expect(topology.node('KSTREAM-BRANCH-0000000001')).toMatchObject({
      type: 'processor',
      children: ['KSTREAM-BRANCH-0000000001-fast', 'KSTREAM-BRANCH-0000000001-rest'],
    })
  })

  it('refuses to suppress a table that is not windowed until its window closes', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('rides').groupByKey().count().suppress(Suppressed.untilWindowCloses())
    expect(() => b.build()).toThrow(/untilWindowCloses\(\) needs a windowed table/)
  })
})
