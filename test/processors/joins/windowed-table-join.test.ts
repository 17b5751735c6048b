import { afterEach, describe, expect, it } from 'vitest'
import { isTributaryError } from '../../../src/core/errors.js'
import type { Windowed } from '../../../src/core/windowed.js'
import { SessionWindows, SlidingWindows, StreamsBuilder, TimeWindows, type KTable } from '../../../src/dsl/index.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { TopologyTestDriver, type TestOutputTopic } from '../../../src/testing/index.js'
import { storeEngines, str } from './fixtures.js'

type Kind = 'join' | 'leftJoin' | 'outerJoin'
const windowedKey = Serdes.json<Windowed<string>>()
const count = Serdes.json<number>()

/** `[key@start/end, value, timestamp]`; the topic is drained. */
function windowedRows(topic: TestOutputTopic<Windowed<string>, string>): [string, string | null, number][] {
  return topic.readRecordsToList().map((r) => [`${r.key?.key}@${r.key?.window.start}/${r.key?.window.end}`, r.value, r.timestamp])
}

const joiner = (l: number | null, r: number | null): string => `${l}+${r}`

function joinOf(kind: Kind, left: KTable<Windowed<string>, number>, right: KTable<Windowed<string>, number>) {
  return kind === 'join' ? left.join(right, joiner) : kind === 'leftJoin' ? left.leftJoin(right, joiner) : left.outerJoin(right, joiner)
}

/** Clicks and views counted per key in tumbling windows of 10 ms, then joined per key and window. */
function timeWindowed(kind: Kind) {
  const builder = new StreamsBuilder()
  const counted = (topic: string) =>
    builder
      .stream<string, string>(topic, { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str })
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count({ storeName: `${topic}-counts` })
  joinOf(kind, counted('clicks'), counted('views')).toStream().to('out', { keySerde: windowedKey, valueSerde: str })
  return builder.build()
}

/** The same with session windows (gap 5 ms): a merge retracts the old session. */
function sessionWindowed(kind: Kind) {
  const builder = new StreamsBuilder()
  const counted = (topic: string) =>
    builder
      .stream<string, string>(topic, { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str })
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 0))
      .count({ storeName: `${topic}-sessions` })
  joinOf(kind, counted('clicks'), counted('views')).toStream().to('out', { keySerde: windowedKey, valueSerde: str })
  return builder.build()
}

type Row = [string, string | null, number]

/** What each join type emits after each step of the time-window scenario below. */
const timeExpected: Record<Kind, Row[][]> = {
  join: [[], [['A@0/10', '1+1', 2]], [['A@0/10', '2+1', 3]], [], [], [['A@10/20', '1+1', 12]], [['A@0/10', '3+1', 6]]],
  leftJoin: [
    [['A@0/10', '1+null', 1]],
    [['A@0/10', '1+1', 2]],
    [['A@0/10', '2+1', 3]],
    [],
    [['A@10/20', '1+null', 12]],
    [['A@10/20', '1+1', 12]],
    [['A@0/10', '3+1', 6]],
  ],
  outerJoin: [
    [['A@0/10', '1+null', 1]],
    [['A@0/10', '1+1', 2]],
    [['A@0/10', '2+1', 3]],
    [['B@0/10', 'null+1', 4]],
    [['A@10/20', '1+null', 12]],
    [['A@10/20', '1+1', 12]],
    [['A@0/10', '3+1', 6]],
  ],
}

/** And after each step of the session scenario. */
const sessionExpected: Record<Kind, Row[][]> = {
  join: [[], [['A@0/0', '1+1', 0]], [['A@0/0', null, 0]], [['A@0/3', '2+2', 3]]],
  leftJoin: [[['A@0/0', '1+null', 0]], [['A@0/0', '1+1', 0]], [['A@0/0', null, 0], ['A@0/3', '2+null', 3]], [['A@0/3', '2+2', 3]]],
  outerJoin: [
    [['A@0/0', '1+null', 0]],
    [['A@0/0', '1+1', 0]],
    [['A@0/0', 'null+1', 0], ['A@0/3', '2+null', 3]],
    [['A@0/0', null, 0], ['A@0/3', '2+2', 3]],
  ],
}

describe.each(storeEngines)('table-table joins of windowed tables (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it.each(['join', 'leftJoin', 'outerJoin'] as const)('%s of two time-windowed counts joins per key and window', async (kind) => {
    driver = new TopologyTestDriver(timeWindowed(kind), { stateStores })
    const clicks = driver.createInputTopic('clicks', str, str)
    const views = driver.createInputTopic('views', str, str)
    const out = driver.createOutputTopic('out', windowedKey, str)
    const steps: (() => Promise<void>)[] = [
      () => clicks.pipeInput('A', 'c', 1),
      () => views.pipeInput('A', 'v', 2),
      () => clicks.pipeInput('A', 'c', 3),
      () => views.pipeInput('B', 'v', 4), // no clicks of B: only the outer join shows it
      () => clicks.pipeInput('A', 'c', 12), // a new window of A; the views of [0,10) do not reach it
      () => views.pipeInput('A', 'v', 11), // the result carries the larger of the two rows' timestamps
      () => clicks.pipeInput('A', 'c', 6), // out of order, within the grace: updates the older window
    ]
    for (const [i, step] of steps.entries()) {
      await step()
      expect(windowedRows(out), `step ${i}`).toEqual(timeExpected[kind][i])
    }
  })

  it.each(['join', 'leftJoin', 'outerJoin'] as const)('%s of two session counts: a merged-away session becomes a tombstone', async (kind) => {
    driver = new TopologyTestDriver(sessionWindowed(kind), { stateStores })
    const clicks = driver.createInputTopic('clicks', str, str)
    const views = driver.createInputTopic('views', str, str)
    const out = driver.createOutputTopic('out', windowedKey, str)
    const steps: (() => Promise<void>)[] = [
      () => clicks.pipeInput('A', 'c', 0),
      () => views.pipeInput('A', 'v', 0),
      () => clicks.pipeInput('A', 'c', 3), // clicks' [0,0] merges into [0,3]
      () => views.pipeInput('A', 'v', 3), // views' too: the sessions meet again
    ]
    for (const [i, step] of steps.entries()) {
      await step()
      expect(windowedRows(out), `step ${i}`).toEqual(sessionExpected[kind][i])
    }
  })

  it('sliding windows join when both sides have the same window', async () => {
    const builder = new StreamsBuilder()
    const counted = (topic: string) =>
      builder.stream<string, string>(topic, { keySerde: str, valueSerde: str }).groupByKey({ keySerde: str }).windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).count()
    counted('clicks').join(counted('views'), joiner).toStream().to('out', { keySerde: windowedKey, valueSerde: str })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const out = driver.createOutputTopic('out', windowedKey, str)
    await driver.createInputTopic('clicks', str, str).pipeInput('A', 'c', 20)
    await driver.createInputTopic('views', str, str).pipeInput('A', 'v', 20)
    expect(windowedRows(out)).toEqual([['A@10/20', '1+1', 20]])
  })

  it('old values flow through a windowed join: a downstream re-grouping subtracts what it added', async () => {
    const builder = new StreamsBuilder()
    const counted = (topic: string) =>
      builder.stream<string, string>(topic, { keySerde: str, valueSerde: str }).groupByKey({ keySerde: str }).windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count()
    counted('clicks')
      .join(counted('views'), (c, v) => c * v)
      .groupBy((w, product) => [String(w.window.start), product], { keySerde: str, valueSerde: count })
      .aggregate(() => 0, (_k, v, sum) => sum + v, (_k, v, sum) => sum - v, { storeName: 'products-per-window', valueSerde: count })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const clicks = driver.createInputTopic('clicks', str, str)
    const views = driver.createInputTopic('views', str, str)
    await clicks.pipeInput('A', 'c', 1)
    await views.pipeInput('A', 'v', 2)
    await clicks.pipeInput('A', 'c', 3) // 1*1 becomes 2*1
    await clicks.pipeInput('B', 'c', 4)
    await views.pipeInput('B', 'v', 5) // + 1*1
    expect(await driver.getKeyValueStore<string, number>('products-per-window').get('0')).toBe(3)
  })

  it('a derived windowed side and a materialized windowed result are kept by key and window', async () => {
    const builder = new StreamsBuilder()
    const counted = (topic: string) =>
      builder.stream<string, string>(topic, { keySerde: str, valueSerde: str }).groupByKey({ keySerde: str }).windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count()
    counted('clicks')
      .mapValues((n) => n * 10)
      .join(counted('views'), (c, v) => `${c}/${v}`, { storeName: 'ratios', valueSerde: str })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const views = driver.createInputTopic('views', str, str)
    await driver.createInputTopic('clicks', str, str).pipeInput('A', 'c', 1)
    await views.pipeInput('A', 'v', 2)
    await views.pipeInput('A', 'v', 12) // another window of A: no clicks there
    const ratios = driver.getKeyValueStore<Windowed<string>, string>('ratios')
    expect(await ratios.get({ key: 'A', window: { start: 0, end: 10 } })).toBe('10/1')
    expect(await ratios.get({ key: 'A', window: { start: 10, end: 20 } })).toBeUndefined()
  })

  it('rejects a join of a windowed table with a plain one', () => {
    const builder = new StreamsBuilder()
    const windowed = builder.stream<string, string>('clicks', { keySerde: str, valueSerde: str }).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count()
    const plain = builder.table<Windowed<string>, number>('plain', { valueSerde: count })
    let caught: unknown
    try {
      windowed.join(plain, joiner)
    } catch (error) {
      caught = error
    }
    expect(isTributaryError(caught) && caught.code).toBe('TRIBUTARY_TOPOLOGY')
    expect(String(caught)).toMatch(/two windowed tables or two plain ones/)
  })
})
