import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { num, storeEngines, str, windowedRows, windowedStr } from './fixtures.js'

// Scenarios of Kafka Streams' KStreamWindowAggregateTest, on our driver.
describe.each(storeEngines)('time windows aggregate (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function hoppingConcat(windows: TimeWindows): StreamsBuilder {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('topic1', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(windows)
      .aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, { storeName: 'topic1-Canonized', valueSerde: str })
      .toStream()
      .to('out', { valueSerde: str })
    return builder
  }

  it('hopping windows: every window a record falls in is updated, out-of-order records within grace too', async () => {
    driver = new TopologyTestDriver(hoppingConcat(TimeWindows.ofSizeAndGrace(10, 100).advanceBy(5)).build(), { stateStores })
    const input = driver.createInputTopic('topic1', str, str)
    const records: [string, string, number][] = [
      ['A', '1', 0], ['B', '2', 1], ['C', '3', 2], ['D', '4', 3], ['A', '1', 4],
      ['A', '1', 5], ['B', '2', 6], ['D', '4', 7], ['B', '2', 8], ['C', '3', 9],
      ['A', '1', 10], ['B', '2', 11], ['D', '4', 12], ['B', '2', 13], ['C', '3', 14],
      ['B', '1', 3], ['B', '2', 2], ['B', '3', 9],
    ]
    for (const [k, v, t] of records) await input.pipeInput(k, v, t)
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, str))).toEqual([
      ['A@0/10', '0+1', 0], ['B@0/10', '0+2', 1], ['C@0/10', '0+3', 2], ['D@0/10', '0+4', 3], ['A@0/10', '0+1+1', 4],
      ['A@0/10', '0+1+1+1', 5], ['A@5/15', '0+1', 5], ['B@0/10', '0+2+2', 6], ['B@5/15', '0+2', 6],
      ['D@0/10', '0+4+4', 7], ['D@5/15', '0+4', 7], ['B@0/10', '0+2+2+2', 8], ['B@5/15', '0+2+2', 8],
      ['C@0/10', '0+3+3', 9], ['C@5/15', '0+3', 9], ['A@5/15', '0+1+1', 10], ['A@10/20', '0+1', 10],
      ['B@5/15', '0+2+2+2', 11], ['B@10/20', '0+2', 11], ['D@5/15', '0+4+4', 12], ['D@10/20', '0+4', 12],
      ['B@5/15', '0+2+2+2+2', 13], ['B@10/20', '0+2+2', 13], ['C@5/15', '0+3+3', 14], ['C@10/20', '0+3', 14],
      ['B@0/10', '0+2+2+2+1', 8], ['B@0/10', '0+2+2+2+1+2', 8], ['B@0/10', '0+2+2+2+1+2+3', 9], ['B@5/15', '0+2+2+2+2+3', 13],
    ])
    expect(await driver.getWindowStore<string, string>('topic1-Canonized').fetch('B', 5)).toBe('0+2+2+2+2+3')
  })

  it('drops and counts a record once per window that already closed (end + grace <= stream time)', async () => {
    driver = new TopologyTestDriver(hoppingConcat(TimeWindows.ofSizeAndGrace(10, 90).advanceBy(5)).build(), { stateStores })
    const input = driver.createInputTopic('topic1', str, str)
    await input.pipeInput('k', '100', 100)
    for (let t = 0; t <= 6; t++) await input.pipeInput('k', String(t), t)
    expect(driver.metrics().droppedRecordsByReason.late).toBe(7)
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, str))).toEqual([
      ['k@95/105', '0+100', 100],
      ['k@100/110', '0+100', 100],
      ['k@5/15', '0+5', 5],
      ['k@5/15', '0+5+6', 6],
    ])
  })

  it('tumbling windows with grace: a record is late once stream time passes its window end plus grace', async () => {
    driver = new TopologyTestDriver(hoppingConcat(TimeWindows.ofSizeAndGrace(10, 90)).build(), { stateStores })
    const input = driver.createInputTopic('topic1', str, str)
    await input.pipeInput('k', '100', 200)
    for (const t of [100, 101, 102, 103, 104, 105, 6]) await input.pipeInput('k', String(t), t)
    expect(driver.metrics().droppedRecordsByReason.late).toBe(7)
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, str))).toEqual([['k@200/210', '0+100', 200]])
  })

  it('counts per tumbling window; records with a null key are skipped and counted', async () => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('in', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .count({ storeName: 'counts' })
      .toStream()
      .to('out')
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('in', str, str)
    await input.pipeInput('r1', 'a', 1_000)
    await input.pipeInput('r1', 'b', 59_999)
    await input.pipeInput(null, 'c', 60_000)
    await input.pipeInput('r1', 'd', 60_000)
    await input.pipeInput('r2', 'e', 30_000) // window [0, 60000) closed at stream time 60000
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, num))).toEqual([
      ['r1@0/60000', 1, 1_000],
      ['r1@0/60000', 2, 59_999],
      ['r1@60000/120000', 1, 60_000],
    ])
    expect(driver.metrics().droppedRecordsByReason).toMatchObject({ 'null-key': 1, late: 1 })
    // The store keeps windows for size + grace: at stream time 60000 the first window is gone.
    expect(await driver.getWindowStore<string, number>('counts').fetchRange('r1', 0, 120_000)).toEqual([{ windowStart: 60_000, value: 1 }])
  })

  it('windowed count per key (KGroupedStreamImplTest), an out-of-order record counted within grace', async () => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('topic', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(500, 100))
      .count()
      .toStream()
      .to('out')
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('topic', str, str)
    for (const [k, v, t] of [['1', 'A', 0], ['2', 'B', 499], ['3', 'C', 499], ['1', 'A', 500], ['1', 'A', 500], ['2', 'B', 500], ['3', 'B', 100]] as const) {
      await input.pipeInput(k, v, t)
    }
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, num))).toEqual([
      ['1@0/500', 1, 0],
      ['2@0/500', 1, 499],
      ['3@0/500', 1, 499],
      ['1@500/1000', 1, 500],
      ['1@500/1000', 2, 500],
      ['2@500/1000', 1, 500],
      ['3@0/500', 2, 499],
    ])
  })
})
