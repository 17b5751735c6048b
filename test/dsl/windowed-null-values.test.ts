import { afterEach, describe, expect, it } from 'vitest'
import { SessionWindows, SlidingWindows, StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import type { KGroupedStream } from '../../src/dsl/index.js'
import type { KTable } from '../../src/dsl/index.js'
import type { Windowed } from '../../src/core/windowed.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { num, storeEngines, str, windowedRows, windowedStr } from './fixtures.js'

// Kafka Streams (3.9 and 4.0): KStreamWindowAggregate and KStreamSessionWindowAggregate skip only
// null keys, so a null value reaches the aggregator; KStreamSlidingWindowAggregate skips null values.
describe.each(storeEngines)('null values in windowed aggregations (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function run<V>(build: (grouped: KGroupedStream<string, string>) => KTable<Windowed<string>, V>): TopologyTestDriver {
    const builder = new StreamsBuilder()
    build(builder.stream<string, string>('in', { keySerde: str, valueSerde: str }).groupByKey()).toStream().to('out')
    return new TopologyTestDriver(builder.build(), { stateStores })
  }

  async function pipe(records: [string | null, string | null, number][]): Promise<void> {
    const input = driver!.createInputTopic('in', str, str)
    for (const [k, v, t] of records) await input.pipeInput(k, v, t)
  }

  it('a tumbling aggregate passes a null value to the aggregator (differential seed 1201)', async () => {
    driver = run((g) => g.windowedBy(TimeWindows.ofSizeWithNoGrace(40)).aggregate(() => 'i', (_k, v, a) => `${a},${v}`, { valueSerde: str }))
    await pipe([['k1', null, 0], ['k1', 'x', 5], [null, 'y', 6]])
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, str))).toEqual([
      ['k1@0/40', 'i,null', 0],
      ['k1@0/40', 'i,null,x', 5],
    ])
    expect(driver.metrics().droppedRecordsByReason).toMatchObject({ 'null-key': 1 })
    expect(driver.metrics().droppedRecordsByReason['null-value'] ?? 0).toBe(0)
  })

  it('a hopping count counts null values in every window', async () => {
    driver = run((g) => g.windowedBy(TimeWindows.ofSizeAndGrace(10, 5).advanceBy(5)).count())
    await pipe([['k', null, 7], ['k', 'a', 8]])
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, num))).toEqual([
      ['k@0/10', 1, 7],
      ['k@5/15', 1, 7],
      ['k@0/10', 2, 8],
      ['k@5/15', 2, 8],
    ])
  })

  it('a windowed reduce starting with null forwards a deletion and stores nothing; the reducer later sees null', async () => {
    driver = run((g) => g.windowedBy(TimeWindows.ofSizeWithNoGrace(10)).reduce((a, v) => `${a}+${v}`, { valueSerde: str, storeName: 'reduced' }))
    await pipe([['k', null, 1], ['k', 'b', 2], ['k', null, 3]])
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, str))).toEqual([
      ['k@0/10', null, 1],
      // The window was never stored, so `b` starts it afresh with its own timestamp.
      ['k@0/10', 'b', 2],
      ['k@0/10', 'b+null', 3],
    ])
    expect(await driver.getWindowStore<string, string>('reduced').fetchRange('k', 0, 10)).toEqual([{ windowStart: 0, value: 'b+null' }])
  })

  it('a session aggregate passes a null value to the aggregator', async () => {
    driver = run((g) =>
      g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).aggregate(() => 'i', (_k, v, a) => `${a},${v}`, (_k, a, b) => `${a}|${b}`, { valueSerde: str }),
    )
    await pipe([['k', null, 0], ['k', 'x', 5]])
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, str))).toEqual([
      ['k@0/0', 'i,null', 0],
      ['k@0/0', null, 0],
      ['k@0/5', 'i|i,null,x', 5],
    ])
  })

  it('a session reduce of a lone null forwards a deletion and keeps no session to merge with', async () => {
    driver = run((g) => g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).reduce((a, v) => `${a}+${v}`, { valueSerde: str }))
    await pipe([['k', null, 0], ['k', 'x', 5], ['k', null, 6]])
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, str))).toEqual([
      ['k@0/0', null, 0],
      ['k@5/5', 'x', 5],
      ['k@5/5', null, 5],
      ['k@5/6', 'x+null', 6],
    ])
  })

  it('a session count counts null values', async () => {
    driver = run((g) => g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).count())
    await pipe([['k', null, 0], ['k', null, 3]])
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, num))).toEqual([
      ['k@0/0', 1, 0],
      ['k@0/0', null, 0],
      ['k@0/3', 2, 3],
    ])
  })

  it('a sliding aggregate skips null values and counts them', async () => {
    driver = run((g) => g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).aggregate(() => 'i', (_k, v, a) => `${a},${v}`, { valueSerde: str }))
    await pipe([['k', null, 20], ['k', 'x', 21]])
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, str))).toEqual([['k@11/21', 'i,x', 21]])
    expect(driver.metrics().droppedRecordsByReason).toMatchObject({ 'null-value': 1 })
  })
})
