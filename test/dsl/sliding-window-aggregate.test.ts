import { afterEach, describe, expect, it } from 'vitest'
import { SlidingWindows, StreamsBuilder } from '../../src/dsl/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { storeEngines, str, windowedRows, windowedStr } from './fixtures.js'

// Scenarios of Kafka Streams' KStreamSlidingWindowAggregateTest (KIP-450).
describe.each(storeEngines)('sliding windows (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function slidingConcat(windows: SlidingWindows): TopologyTestDriver {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('topic', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(windows)
      .aggregate(() => '0', (_k, v, a) => `${a}+${v}`, { storeName: 'topic-Canonized', valueSerde: str })
      .toStream()
      .to('out', { valueSerde: str })
    return new TopologyTestDriver(builder.build(), { stateStores })
  }

  /** The latest result per window start, with its timestamp, as Kafka's test collects them. */
  function latestByStart(rows: [string, string | null, number][]): Record<string, [string | null, number]> {
    const latest: Record<string, [string | null, number]> = {}
    for (const [window, value, timestamp] of rows) latest[window] = [value, timestamp]
    return latest
  }

  it('small input: a window per record and per gap between records', async () => {
    driver = slidingConcat(SlidingWindows.ofTimeDifferenceAndGrace(10, 50))
    const input = driver.createInputTopic('topic', str, str)
    for (const [v, t] of [['1', 10], ['2', 15], ['3', 20], ['4', 22], ['5', 30]] as const) await input.pipeInput('A', v, t)
    expect(latestByStart(windowedRows(driver.createOutputTopic('out', windowedStr, str)))).toEqual({
      'A@0/10': ['0+1', 10],
      'A@5/15': ['0+1+2', 15],
      'A@10/20': ['0+1+2+3', 20],
      'A@11/21': ['0+2+3', 20],
      'A@12/22': ['0+2+3+4', 22],
      'A@16/26': ['0+3+4', 22],
      'A@20/30': ['0+3+4+5', 30],
      'A@21/31': ['0+4+5', 30],
      'A@23/33': ['0+5', 30],
    })
  })

  it('out-of-order records update the windows they fall in and create the missing ones', async () => {
    driver = slidingConcat(SlidingWindows.ofTimeDifferenceAndGrace(10, 50))
    const input = driver.createInputTopic('topic', str, str)
    for (const [v, t] of [['1', 13], ['2', 20], ['3', 15], ['4', 22], ['5', 24]] as const) await input.pipeInput('A', v, t)
    const latest = latestByStart(windowedRows(driver.createOutputTopic('out', windowedStr, str)))
    expect(latest['A@3/13']).toEqual(['0+1', 13])
    expect(latest['A@10/20']).toEqual(['0+1+2+3', 20])
    expect(latest['A@14/24']).toEqual(['0+2+3+4+5', 24])
    expect(latest['A@16/26']).toEqual(['0+2+4+5', 24])
    expect(latest['A@21/31']).toEqual(['0+4+5', 24])
    expect(latest['A@23/33']).toEqual(['0+5', 24])
  })

  it('records before the time difference share the window starting at 0', async () => {
    driver = slidingConcat(SlidingWindows.ofTimeDifferenceAndGrace(10, 50))
    const input = driver.createInputTopic('topic', str, str)
    for (const [v, t] of [['1', 2], ['2', 5], ['3', 8]] as const) await input.pipeInput('A', v, t)
    const latest = latestByStart(windowedRows(driver.createOutputTopic('out', windowedStr, str)))
    expect(latest['A@0/10']).toEqual(['0+1+2+3', 8])
    expect(latest['A@3/13']).toEqual(['0+2+3', 8])
    expect(latest['A@6/16']).toEqual(['0+3', 8])
  })

  it('drops records whose every window closed', async () => {
    driver = slidingConcat(SlidingWindows.ofTimeDifferenceWithNoGrace(10))
    const input = driver.createInputTopic('topic', str, str)
    await input.pipeInput('A', '1', 100)
    await input.pipeInput('A', '2', 50)
    expect(driver.metrics().droppedRecordsByReason.late).toBe(1)
    expect(windowedRows(driver.createOutputTopic('out', windowedStr, str))).toEqual([['A@90/100', '0+1', 100]])
  })

  // Kafka Streams walks the store backwards: windows holding the record from the latest start down,
  // then the previous record's new right window, the record's new left window, its new right window.
  it('updates and creates windows in Kafka Streams\' order, in-order and out-of-order records alike', async () => {
    driver = slidingConcat(SlidingWindows.ofTimeDifferenceAndGrace(10, 50))
    const input = driver.createInputTopic('topic', str, str)
    const output = driver.createOutputTopic('out', windowedStr, str)
    const step = async (v: string, t: number): Promise<[string, string | null, number][]> => {
      await input.pipeInput('A', v, t)
      return windowedRows(output)
    }
    expect(await step('a', 20)).toEqual([['A@10/20', '0+a', 20]])
    expect(await step('b', 25)).toEqual([['A@21/31', '0+b', 25], ['A@15/25', '0+a+b', 25]])
    expect(await step('c', 28)).toEqual([['A@21/31', '0+b+c', 28], ['A@26/36', '0+c', 28], ['A@18/28', '0+a+b+c', 28]])
    expect(await step('d', 30)).toEqual([
      ['A@26/36', '0+c+d', 30],
      ['A@21/31', '0+b+c+d', 30],
      ['A@29/39', '0+d', 30],
      ['A@20/30', '0+a+b+c+d', 30],
    ])
    // Out of order: four existing windows from the latest start down, then its own left and right windows.
    expect(await step('e', 24)).toEqual([
      ['A@21/31', '0+b+c+d+e', 30],
      ['A@20/30', '0+a+b+c+d+e', 30],
      ['A@18/28', '0+a+b+c+e', 28],
      ['A@15/25', '0+a+b+e', 25],
      ['A@14/24', '0+a+e', 24],
      ['A@25/35', '0+b+c+d', 30],
    ])
    // Its left window [21, 31] exists already (the right window of 20): updated after the later windows.
    expect(await step('f', 31)).toEqual([
      ['A@29/39', '0+d+f', 31],
      ['A@26/36', '0+c+d+f', 31],
      ['A@25/35', '0+b+c+d+f', 31],
      ['A@21/31', '0+b+c+d+e+f', 31],
      ['A@31/41', '0+f', 31],
    ])
  })
})
