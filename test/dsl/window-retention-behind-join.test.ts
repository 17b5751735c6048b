/**
 * A window store expires by the largest window start written into it (Kafka Streams' observed
 * stream time of the store), not by the task's stream time. Behind a stream-stream join the task's
 * stream time also counts the join's unmatched records, which never reach the aggregation; a
 * window the aggregation still holds open must not be expired by them.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { storeEngines, str, windowedRows, windowedStr } from './fixtures.js'

describe.each(storeEngines)('a window aggregation behind a join (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it("keeps its open windows while records it never sees move the task's stream time far ahead", async () => {
    const builder = new StreamsBuilder()
    const left = builder.stream<string, string>('left', { keySerde: str, valueSerde: str }).filter((_k, v) => v !== 'skip')
    const right = builder.stream<string, string>('right', { keySerde: str, valueSerde: str })
    left
      .join(right, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(100))
      .groupByKey()
      // Retention is size + grace = 150: a window store clocked by the task would expire window 0 at 150.
      .windowedBy(TimeWindows.ofSizeAndGrace(100, 50))
      .aggregate(() => '', (_k, v, agg) => (agg === '' ? v : `${agg},${v}`), { storeName: 'joined-windows', valueSerde: str })
      .toStream()
      .to('out', { valueSerde: str })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const l = driver.createInputTopic('left', str, str)
    const r = driver.createInputTopic('right', str, str)
    const out = driver.createOutputTopic('out', windowedStr, str)

    await l.pipeInput('k', 'A', 0)
    await r.pipeInput('k', 'a', 0)
    // Moves the task's stream time to 1000; reaches neither the join nor the aggregation.
    await l.pipeInput('other', 'skip', 1000)
    await r.pipeInput('k', 'b', 10)
    expect(windowedRows(out)).toEqual([
      ['k@0/100', 'A+a', 0],
      ['k@0/100', 'A+a,A+b', 10],
    ])
    expect(await driver.getWindowStore<string, string>('joined-windows').fetch('k', 0)).toBe('A+a,A+b')
  })
})
