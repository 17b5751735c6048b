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
})
