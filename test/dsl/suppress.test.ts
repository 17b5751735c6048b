import { afterEach, describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import { SessionWindows, StreamsBuilder, Suppressed, TimeWindows } from '../../src/dsl/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { num, storeEngines, str, windowedRows, windowedStr } from './fixtures.js'

// Scenarios of Kafka Streams' SuppressScenarioTest.
describe.each(storeEngines)('suppress (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('untilWindowCloses emits each time window once, when stream time passes end + grace', async () => {
    const builder = new StreamsBuilder()
    const counts = builder
      .stream<string, string>('input', { keySerde: str, valueSerde: str })
      .groupBy((k) => k, { keySerde: str })
      .windowedBy(TimeWindows.ofSizeAndGrace(2, 1))
      .count({ storeName: 'counts' })
    counts.toStream().to('output-raw')
    counts.suppress(Suppressed.untilWindowCloses()).toStream().to('output-suppressed')
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('input', str, str)
    for (const t of [0, 1, 2, 1, 0, 5]) await input.pipeInput('k1', 'v1', t)
    await input.pipeInput('k1', 'v1', 0) // out of the grace period: dropped
    expect(windowedRows(driver.createOutputTopic('output-raw', windowedStr, num))).toEqual([
      ['k1@0/2', 1, 0],
      ['k1@0/2', 2, 1],
      ['k1@2/4', 1, 2],
      ['k1@0/2', 3, 1],
      ['k1@0/2', 4, 1],
      ['k1@4/6', 1, 5],
    ])
    expect(windowedRows(driver.createOutputTopic('output-suppressed', windowedStr, num))).toEqual([
      ['k1@0/2', 4, 1],
      ['k1@2/4', 1, 2],
    ])
  })

  it('untilWindowCloses on sessions waits for gap + grace after the session end', async () => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('input', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 0))
      .count({ storeName: 'counts' })
      .suppress(Suppressed.untilWindowCloses())
      .toStream()
      .to('output-suppressed')
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('input', str, str)
    await input.pipeInput('k1', 'v1', 0)
    await input.pipeInput('k1', 'v1', 5) // merges with [0,0]: the retraction is never emitted
    await input.pipeInput('k2', 'v1', 1)
    await input.pipeInput('k1', 'v1', 30) // closes k1 [0,5] and k2 [1,1]
    await input.pipeInput('k2', 'v1', 40) // closes k1 [30,30]
    expect(windowedRows(driver.createOutputTopic('output-suppressed', windowedStr, num))).toEqual([
      ['k2@1/1', 1, 1],
      ['k1@0/5', 2, 5],
      ['k1@30/30', 1, 30],
    ])
  })

  it('untilTimeLimit emits the latest value of a key once the limit passed since it was first held', async () => {
    const builder = new StreamsBuilder()
    const valueCounts = builder
      .table<string, string>('input', { keySerde: str, valueSerde: str })
      .groupBy((k, v) => [v, k], { keySerde: str, valueSerde: str })
      .count({ storeName: 'counts' })
    valueCounts.toStream().to('output-raw')
    valueCounts.suppress(Suppressed.untilTimeLimit(2)).toStream().to('output-suppressed')
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('input', str, str)
    const raw = driver.createOutputTopic('output-raw', str, num)
    const suppressed = driver.createOutputTopic('output-suppressed', str, num)
    const rows = (topic: typeof raw) => topic.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])
    await input.pipeInput('k1', 'v1', 0)
    await input.pipeInput('k1', 'v2', 1)
    await input.pipeInput('k2', 'v1', 2)
    expect(rows(raw)).toEqual([['v1', 1, 0], ['v1', 0, 1], ['v2', 1, 1], ['v1', 1, 2]])
    expect(rows(suppressed)).toEqual([['v1', 1, 2]])
    await input.pipeInput('tick', 'tick', 3)
    expect(rows(raw)).toEqual([['tick', 1, 3]])
    expect(rows(suppressed)).toEqual([['v2', 1, 1]])
    await input.pipeInput('tick', 'tock', 4)
    expect(rows(raw)).toEqual([['tick', 0, 4], ['tock', 1, 4]])
    expect(rows(suppressed)).toEqual([]) // tick was first held at 3: not due before 5
    await input.pipeInput('x', 'x', 5)
    expect(rows(suppressed)).toEqual([['tick', 0, 4]])
  })

  it('untilTimeLimit with maxRecords emits the oldest held keys early', async () => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('input', { keySerde: str, valueSerde: str })
      .groupByKey()
      .count({ storeName: 'counts' })
      .suppress(Suppressed.untilTimeLimit(1_000, { maxRecords: 1 }))
      .toStream()
      .to('output-suppressed')
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('input', str, str)
    await input.pipeInput('a', 'x', 0)
    await input.pipeInput('a', 'x', 1)
    await input.pipeInput('b', 'x', 2)
    expect(driver.createOutputTopic('output-suppressed', str, num).readKeyValuesToList()).toEqual([['a', 2]])
  })

  it('untilWindowCloses on a table that is not windowed fails at build, naming the operator', () => {
    const builder = new StreamsBuilder()
    builder.table<string, string>('t', { keySerde: str, valueSerde: str }).suppress(Suppressed.untilWindowCloses().withName('final'))
    let error: unknown
    try {
      builder.build()
    } catch (e) {
      error = e
    }
    expect(isTributaryError(error, 'TRIBUTARY_TOPOLOGY')).toBe(true)
    expect((error as Error).message).toContain('"final"')
  })
})
