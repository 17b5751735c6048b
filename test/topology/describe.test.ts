import { describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'

describe('topology.describe()', () => {
  it('prints a stateless topology in the TopologyDescription format', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('input').filter(() => true).to('output')
    expect(builder.build().describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])',
        '      --> KSTREAM-FILTER-0000000001',
        '    Processor: KSTREAM-FILTER-0000000001 (stores: [])',
        '      --> KSTREAM-SINK-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Sink: KSTREAM-SINK-0000000002 (topic: output)',
        '      <-- KSTREAM-FILTER-0000000001',
        '',
        '',
      ].join('\n'),
    )
  })

  it('cuts a sub-topology at the repartition topic a key change before an aggregation needs', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('input').selectKey((_k, v) => v).groupByKey().count()
    const topology = builder.build()
    expect(topology.describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])',
        '      --> KSTREAM-KEY-SELECT-0000000001',
        '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])',
        '      --> KSTREAM-FILTER-0000000005',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-FILTER-0000000005 (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-KEY-SELECT-0000000001',
        '    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition)',
        '      <-- KSTREAM-FILTER-0000000005',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition])',
        '      --> KSTREAM-AGGREGATE-0000000003',
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000006',
        '',
        '',
      ].join('\n'),
    )
    expect([...topology.internalTopics.values()].map((t) => [t.name, t.purpose])).toEqual([
      ['KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition', 'repartition'],
      ['KSTREAM-AGGREGATE-STATE-STORE-0000000002-changelog', 'changelog'],
    ])
    expect(topology.topicName('KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition', 'app')).toBe(
      'app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition',
    )
    expect(topology.topicName('input', 'app')).toBe('input')
  })

  it('uses the names users pin, for operators, stores and the repartition', () => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('rides', { name: 'rides-source' })
      .map((k, v) => [v, k], { name: 'by-zone' })
      .groupByKey({ name: 'zone' })
      .count({ name: 'count-rides', storeName: 'rides-per-zone' })
      .toStream({ name: 'counts' })
      .to('zone-counts', { name: 'zone-counts-sink' })
    expect(builder.build().describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: rides-source (topics: [rides])',
        '      --> by-zone',
        '    Processor: by-zone (stores: [])',
        '      --> zone-repartition-filter',
        '      <-- rides-source',
        '    Processor: zone-repartition-filter (stores: [])',
        '      --> zone-repartition-sink',
        '      <-- by-zone',
        '    Sink: zone-repartition-sink (topic: zone-repartition)',
        '      <-- zone-repartition-filter',
        '',
        '  Sub-topology: 1',
        '    Source: zone-repartition-source (topics: [zone-repartition])',
        '      --> count-rides',
        '    Processor: count-rides (stores: [rides-per-zone])',
        '      --> counts',
        '      <-- zone-repartition-source',
        '    Processor: counts (stores: [])',
        '      --> zone-counts-sink',
        '      <-- count-rides',
        '    Sink: zone-counts-sink (topic: zone-counts)',
        '      <-- counts',
        '',
        '',
      ].join('\n'),
    )
  })

  it('does not repartition when the key did not change (mapValues, filter)', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, number>('in').mapValues((v) => v + 1).filter(() => true).groupByKey().count()
    const topology = builder.build()
    expect(topology.subtopologies).toHaveLength(1)
    expect([...topology.internalTopics.keys()]).toEqual(['KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog'])
  })

  it('a table groupBy always goes through a repartition topic; the table source topic is the table changelog if reused', () => {
    const builder = new StreamsBuilder()
    builder.table<string, string>('drivers', { storeName: 'drivers' }).groupBy((k, v) => [v, k]).count({ storeName: 'per-zone' })
    const topology = builder.build({ optimization: 'reuse.ktable.source.topics' })
    expect(topology.subtopologies.map((s) => s.sourceTopics)).toEqual([['drivers'], ['per-zone-repartition']])
    expect(topology.stores.get('drivers')).toMatchObject({ changelogTopic: 'drivers', changelogIsInternal: false, definition: { loggingEnabled: false } })
    expect(topology.stores.get('per-zone')).toMatchObject({ changelogTopic: 'per-zone-changelog', changelogIsInternal: true })
  })

  it('two streams of the same topic become one source read once', () => {
    const builder = new StreamsBuilder()
    const serde = Serdes.string()
    builder.stream<string, string>('in', { valueSerde: serde }).to('a')
    builder.stream<string, string>('in', { valueSerde: serde }).to('b')
    const topology = builder.build()
    const sources = [...topology.nodes.values()].filter((n) => n.type === 'source')
    expect(sources.map((s) => s.name)).toEqual(['KSTREAM-SOURCE-0000000000'])
    expect(topology.describe()).toContain('--> KSTREAM-SINK-0000000001, KSTREAM-SINK-0000000003')
  })

  it('toMermaid draws sub-topologies, topics and stores', () => {
    const builder = new StreamsBuilder()
    builder.stream<string, string>('input').groupByKey().count({ storeName: 'counts' })
    const mermaid = builder.build().toMermaid()
    expect(mermaid.startsWith('flowchart TD\n')).toBe(true)
    expect(mermaid).toContain('subgraph sub0["Sub-topology 0"]')
    expect(mermaid).toContain('t_input --> n_KSTREAM_SOURCE_0000000000')
    expect(mermaid).toContain('[("counts")]')
  })
})

describe('topology.describe() of less common shapes', () => {
  it('names a dynamic sink by its extractor, and lists split branches as successors', () => {
    const builder = new StreamsBuilder()
    const { big, rest } = builder.stream<string, number>('in').split({ big: (_k, v) => v > 10 }, { defaultBranch: 'rest', name: 'by-size' })
    big.to(function topicPerKey(key) {
      return `big-${key}`
    })
    rest.to('small')
    const text = builder.build().describe()
    expect(text).toContain('    Processor: by-size (stores: [])\n      --> by-size-big, by-size-rest\n')
    expect(text).toContain('(extractor class: topicPerKey)')
    expect(text).toContain('(topic: small)')
  })
})

describe('topology.describe() of a table aggregation', () => {
  it('materializes the table source, then repartitions the regrouped rows to the aggregate (Kafka numbers the repartition before the aggregate)', () => {
    const builder = new StreamsBuilder()
    builder.table<string, string>('t').groupBy((k, v) => [v, k]).count().toStream().to('o')
    expect(builder.build().describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [t])',
        '      --> KTABLE-SOURCE-0000000002',
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [t-STATE-STORE-0000000000])',
        '      --> KTABLE-SELECT-0000000003',
        '      <-- KSTREAM-SOURCE-0000000001',
        '    Processor: KTABLE-SELECT-0000000003 (stores: [])',
        '      --> KSTREAM-SINK-0000000005',
        '      <-- KTABLE-SOURCE-0000000002',
        '    Sink: KSTREAM-SINK-0000000005 (topic: KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition)',
        '      <-- KTABLE-SELECT-0000000003',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition])',
        '      --> KTABLE-AGGREGATE-0000000007',
        '    Processor: KTABLE-AGGREGATE-0000000007 (stores: [KTABLE-AGGREGATE-STATE-STORE-0000000004])',
        '      --> KTABLE-TOSTREAM-0000000008',
        '      <-- KSTREAM-SOURCE-0000000006',
        '    Processor: KTABLE-TOSTREAM-0000000008 (stores: [])',
        '      --> KSTREAM-SINK-0000000009',
        '      <-- KTABLE-AGGREGATE-0000000007',
        '    Sink: KSTREAM-SINK-0000000009 (topic: o)',
        '      <-- KTABLE-TOSTREAM-0000000008',
        '',
        '',
      ].join('\n'),
    )
  })
})
