import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../../src/dsl/index.js'
import { TopologyTestDriver } from '../../../src/testing/index.js'
import { int, rows, storeEngines, str } from './fixtures.js'

type Kind = 'join' | 'leftJoin' | 'outerJoin'
type Row = [number | null, string | null, number]

const keys = [0, 1, 2, 3]
const joiner = (l: string | null, r: string | null): string => `${l}+${r}`

function build(kind: Kind) {
  const builder = new StreamsBuilder()
  const t1 = builder.table<number, string>('topic1', { keySerde: int, valueSerde: str })
  const t2 = builder.table<number, string>('topic2', { keySerde: int, valueSerde: str })
  const joined = kind === 'join' ? t1.join(t2, joiner) : kind === 'leftJoin' ? t1.leftJoin(t2, joiner) : t1.outerJoin(t2, joiner)
  joined.toStream().to('out', { keySerde: int, valueSerde: str })
  return builder.build()
}

/**
 * The input sequence of Kafka Streams' KTableKTable{Inner,Left,Outer}JoinTest.testJoin, with the
 * output each step must produce for each join type.
 */
const expected: Record<Kind, Row[][]> = {
  join: [
    [],
    [[0, 'X0+Y0', 5], [1, 'X1+Y1', 10]],
    [[0, 'XX0+Y0', 7], [1, 'XX1+Y1', 10]],
    [[0, 'XX0+YY0', 7], [1, 'XX1+YY1', 7], [2, 'XX2+YY2', 10], [3, 'XX3+YY3', 15]],
    [[0, 'XXX0+YY0', 6], [1, 'XXX1+YY1', 6], [2, 'XXX2+YY2', 10], [3, 'XXX3+YY3', 15]],
    [[0, null, 6], [1, null, 7]],
    [[2, 'XXXX2+YY2', 13], [3, 'XXXX3+YY3', 15]],
    [[2, null, 10], [3, null, 20]],
  ],
  leftJoin: [
    [[0, 'X0+null', 5], [1, 'X1+null', 6]],
    [[0, 'X0+Y0', 5], [1, 'X1+Y1', 10]],
    [[0, 'XX0+Y0', 7], [1, 'XX1+Y1', 10], [2, 'XX2+null', 7], [3, 'XX3+null', 7]],
    [[0, 'XX0+YY0', 7], [1, 'XX1+YY1', 7], [2, 'XX2+YY2', 10], [3, 'XX3+YY3', 15]],
    [[0, 'XXX0+YY0', 6], [1, 'XXX1+YY1', 6], [2, 'XXX2+YY2', 10], [3, 'XXX3+YY3', 15]],
    [[0, 'XXX0+null', 6], [1, 'XXX1+null', 7]],
    [[0, 'XXXX0+null', 13], [1, 'XXXX1+null', 13], [2, 'XXXX2+YY2', 13], [3, 'XXXX3+YY3', 15]],
    [[0, null, 0], [1, null, 42], [2, null, 10], [3, null, 20]],
  ],
  outerJoin: [
    [[0, 'X0+null', 5], [1, 'X1+null', 6]],
    [[0, 'X0+Y0', 5], [1, 'X1+Y1', 10]],
    [[0, 'XX0+Y0', 7], [1, 'XX1+Y1', 10], [2, 'XX2+null', 7], [3, 'XX3+null', 7]],
    [[0, 'XX0+YY0', 7], [1, 'XX1+YY1', 7], [2, 'XX2+YY2', 10], [3, 'XX3+YY3', 15]],
    [[0, 'XXX0+YY0', 6], [1, 'XXX1+YY1', 6], [2, 'XXX2+YY2', 10], [3, 'XXX3+YY3', 15]],
    [[0, 'XXX0+null', 6], [1, 'XXX1+null', 7]],
    [[0, 'XXXX0+null', 13], [1, 'XXXX1+null', 13], [2, 'XXXX2+YY2', 13], [3, 'XXXX3+YY3', 15]],
    [[0, null, 0], [1, null, 42], [2, 'null+YY2', 10], [3, 'null+YY3', 20]],
  ],
}

describe.each(storeEngines)('table-table joins (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it.each(['join', 'leftJoin', 'outerJoin'] as const)('%s: the sequence of KTableKTable*JoinTest.testJoin', async (kind) => {
    const topology = build(kind)
    expect(topology.copartitionGroups).toEqual([['topic1', 'topic2']])
    driver = new TopologyTestDriver(topology, { stateStores })
    const in1 = driver.createInputTopic('topic1', int, str)
    const in2 = driver.createInputTopic('topic2', int, str)
    const out = driver.createOutputTopic('out', int, str)
    const steps: (() => Promise<void>)[] = [
      async () => {
        for (const k of [0, 1]) await in1.pipeInput(k, `X${k}`, 5 + k)
        await in1.pipeInput(null, 'SomeVal', 42) // a null key is discarded
      },
      async () => {
        for (const k of [0, 1]) await in2.pipeInput(k, `Y${k}`, 10 * k)
        await in2.pipeInput(null, 'AnotherVal', 73)
      },
      async () => {
        for (const k of keys) await in1.pipeInput(k, `XX${k}`, 7)
      },
      async () => {
        for (const k of keys) await in2.pipeInput(k, `YY${k}`, k * 5)
      },
      async () => {
        for (const k of keys) await in1.pipeInput(k, `XXX${k}`, 6)
      },
      async () => {
        await in2.pipeInput(0, null, 5)
        await in2.pipeInput(1, null, 7)
      },
      async () => {
        for (const k of keys) await in1.pipeInput(k, `XXXX${k}`, 13)
      },
      async () => {
        await in1.pipeInput(0, null, 0)
        await in1.pipeInput(1, null, 42)
        await in1.pipeInput(2, null, 5)
        await in1.pipeInput(3, null, 20)
      },
    ]
    for (const [i, step] of steps.entries()) {
      await step()
      expect(rows(out), `step ${i}`).toEqual(expected[kind][i])
    }
  })

  it('old values flow through the join, so a downstream aggregation subtracts what it added', async () => {
    const builder = new StreamsBuilder()
    const rides = builder.table<string, string>('ride-zone', { keySerde: str, valueSerde: str })
    const fares = builder.table<string, string>('ride-fare', { keySerde: str, valueSerde: str })
    rides
      .join(fares, (zone, fare) => `${zone}:${fare}`)
      .groupBy((_ride, zoneAndFare) => [zoneAndFare.split(':')[0] as string, Number(zoneAndFare.split(':')[1])], { keySerde: str, valueSerde: int })
      .aggregate(() => 0, (_k, fare, sum) => sum + fare, (_k, fare, sum) => sum - fare, { storeName: 'fares-per-zone', valueSerde: int })
      .toStream()
      .to('sums', { keySerde: str, valueSerde: int })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const zones = driver.createInputTopic('ride-zone', str, str)
    const faresIn = driver.createInputTopic('ride-fare', str, str)
    await zones.pipeInput('r1', 'north', 1)
    await faresIn.pipeInput('r1', '10', 2)
    await zones.pipeInput('r2', 'north', 3)
    await faresIn.pipeInput('r2', '5', 4)
    await zones.pipeInput('r1', 'south', 5)
    await faresIn.pipeInput('r2', null, 6)
    const store = driver.getKeyValueStore<string, number>('fares-per-zone')
    expect([await store.get('north'), await store.get('south')]).toEqual([0, 10])
  })

  it('a materialized result is queryable; a derived side is materialized for the lookup', async () => {
    const builder = new StreamsBuilder()
    const t1 = builder.table<number, string>('topic1', { keySerde: int, valueSerde: str }).mapValues((v) => v.toUpperCase())
    const t2 = builder.table<number, string>('topic2', { keySerde: int, valueSerde: str })
    t1.join(t2, joiner, { storeName: 'joined', valueSerde: str })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    await driver.createInputTopic('topic2', int, str).pipeInput(1, 'b', 0)
    await driver.createInputTopic('topic1', int, str).pipeInput(1, 'a', 0)
    expect(await driver.getKeyValueStore<number, string>('joined').get(1)).toBe('A+b')
  })

  it('describe() shows the merge node and each side reading the other side\'s store', () => {
    expect(build('join').describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [topic1])',
        '      --> KTABLE-SOURCE-0000000002',
        '    Source: KSTREAM-SOURCE-0000000004 (topics: [topic2])',
        '      --> KTABLE-SOURCE-0000000005',
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [topic1-STATE-STORE-0000000000])',
        '      --> KTABLE-JOINTHIS-0000000007',
        '      <-- KSTREAM-SOURCE-0000000001',
        '    Processor: KTABLE-SOURCE-0000000005 (stores: [topic2-STATE-STORE-0000000003])',
        '      --> KTABLE-JOINOTHER-0000000008',
        '      <-- KSTREAM-SOURCE-0000000004',
        '    Processor: KTABLE-JOINOTHER-0000000008 (stores: [topic1-STATE-STORE-0000000000])',
        '      --> KTABLE-MERGE-0000000006',
        '      <-- KTABLE-SOURCE-0000000005',
        '    Processor: KTABLE-JOINTHIS-0000000007 (stores: [topic2-STATE-STORE-0000000003])',
        '      --> KTABLE-MERGE-0000000006',
        '      <-- KTABLE-SOURCE-0000000002',
        '    Processor: KTABLE-MERGE-0000000006 (stores: [])',
        '      --> KTABLE-TOSTREAM-0000000009',
        '      <-- KTABLE-JOINTHIS-0000000007, KTABLE-JOINOTHER-0000000008',
        '    Processor: KTABLE-TOSTREAM-0000000009 (stores: [])',
        '      --> KSTREAM-SINK-0000000010',
        '      <-- KTABLE-MERGE-0000000006',
        '    Sink: KSTREAM-SINK-0000000010 (topic: out)',
        '      <-- KTABLE-TOSTREAM-0000000009',
        '',
        '',
      ].join('\n'),
    )
  })
})
