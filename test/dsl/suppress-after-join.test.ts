import { afterEach, describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import type { Windowed } from '../../src/core/windowed.js'
import { SessionWindows, StreamsBuilder, Suppressed, TimeWindows, type KTable } from '../../src/dsl/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { num, storeEngines, str, windowedRows, windowedStr } from './fixtures.js'

const bothSides = (clicks: number | null, views: number | null): string => `${clicks ?? 0}/${views ?? 0}`

/** Clicks and views counted per key and window, outer-joined, suppressed until the window closes. */
function finalRatios(windows: { clicks: TimeWindows | SessionWindows; views: TimeWindows | SessionWindows }) {
  const builder = new StreamsBuilder()
  const counted = (topic: 'clicks' | 'views'): KTable<Windowed<string>, number> => {
    const grouped = builder.stream<string, string>(topic, { keySerde: str, valueSerde: str }).groupByKey({ keySerde: str })
    const w = windows[topic]
    return w instanceof SessionWindows ? grouped.windowedBy(w).count() : grouped.windowedBy(w).count()
  }
  const joined = counted('clicks').outerJoin(counted('views'), bothSides)
  joined.toStream().to('raw', { keySerde: windowedStr, valueSerde: str })
  joined.suppress(Suppressed.untilWindowCloses()).toStream().to('final', { keySerde: windowedStr, valueSerde: str })
  return builder.build()
}

describe.each(storeEngines)('suppress after a join of windowed tables (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function start(topology: ReturnType<typeof finalRatios>) {
    driver = new TopologyTestDriver(topology, { stateStores })
    return {
      clicks: driver.createInputTopic('clicks', str, str),
      views: driver.createInputTopic('views', str, str),
      raw: driver.createOutputTopic('raw', windowedStr, str),
      final: driver.createOutputTopic('final', windowedStr, str),
    }
  }

  it('emits each joined window once, when stream time passes end + grace, sides without a partner included', async () => {
    const { clicks, views, raw, final } = start(finalRatios({ clicks: TimeWindows.ofSizeAndGrace(10, 5), views: TimeWindows.ofSizeAndGrace(10, 5) }))
    await clicks.pipeInput('A', 'c', 1)
    await views.pipeInput('A', 'v', 2)
    await clicks.pipeInput('A', 'c', 3)
    await views.pipeInput('B', 'v', 4)
    await clicks.pipeInput('C', 'c', 14)
    expect(windowedRows(final)).toEqual([])
    await views.pipeInput('C', 'v', 15) // 15 = end + grace of [0,10)
    expect(windowedRows(final)).toEqual([
      ['A@0/10', '2/1', 3],
      ['B@0/10', '0/1', 4],
    ])
    expect(windowedRows(raw)).toHaveLength(6)
  })

  it('drops, as late, an update for a window whose final result went out (each side keeps its own stream time)', async () => {
    const { clicks, views, raw, final } = start(finalRatios({ clicks: TimeWindows.ofSizeAndGrace(10, 5), views: TimeWindows.ofSizeAndGrace(10, 5) }))
    await clicks.pipeInput('A', 'c', 1)
    await views.pipeInput('A', 'v', 20) // closes [0,10) for the join's result, not for the clicks count
    expect(windowedRows(final)).toEqual([['A@0/10', '1/0', 1]])
    await clicks.pipeInput('A', 'c', 5) // the clicks count takes it (its stream time is 1) ...
    const [key, , timestamp] = windowedRows(raw).at(-1) ?? []
    expect([key, timestamp]).toEqual(['A@0/10', 5])
    await views.pipeInput('A', 'v', 40)
    expect(windowedRows(final)).toEqual([['A@20/30', '0/1', 20]]) // ... but [0,10) is not published twice
    expect(driver?.metrics().droppedRecordsByReason.late).toBe(1)
  })

  it('waits for the larger grace of the two sides (findAndVerifyWindowGrace)', async () => {
    const { clicks, views, final } = start(finalRatios({ clicks: TimeWindows.ofSizeAndGrace(10, 2), views: TimeWindows.ofSizeAndGrace(10, 8) }))
    await clicks.pipeInput('A', 'c', 1)
    await views.pipeInput('A', 'v', 17)
    expect(windowedRows(final)).toEqual([])
    await views.pipeInput('A', 'v', 18)
    expect(windowedRows(final)).toEqual([['A@0/10', '1/0', 1]])
  })

  it('on session windows: waits for gap + grace after the session end, merged-away sessions are not published', async () => {
    const sessions = SessionWindows.ofInactivityGapAndGrace(5, 0)
    const { clicks, views, final } = start(finalRatios({ clicks: sessions, views: sessions }))
    await clicks.pipeInput('A', 'c', 0)
    await views.pipeInput('A', 'v', 0)
    await clicks.pipeInput('A', 'c', 3) // [0,0] merges into [0,3]
    await views.pipeInput('A', 'v', 3)
    await clicks.pipeInput('B', 'c', 7) // before 3 + gap + grace: [0,3] may still grow
    expect(windowedRows(final)).toEqual([])
    await clicks.pipeInput('B', 'c', 8)
    expect(windowedRows(final)).toEqual([['A@0/3', '2/2', 3]])
  })

  it('a session the aggregation still accepts at its close time is published, not dropped as late', async () => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('clicks', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str })
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 0))
      .count()
      .suppress(Suppressed.untilWindowCloses())
      .toStream()
      .to('final', { keySerde: windowedStr, valueSerde: num })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const clicks = driver.createInputTopic('clicks', str, str)
    await clicks.pipeInput('B', 'c', 10)
    await clicks.pipeInput('A', 'c', 5) // end + gap = 10 = stream time: a session still open, closing at once
    expect(windowedRows(driver.createOutputTopic('final', windowedStr, num))).toEqual([['A@5/5', 1, 5]])
    expect(driver.metrics().droppedRecordsByReason.late).toBe(0)
  })

  it('is rejected after a join of plain tables, with a message that says what to use instead', () => {
    const builder = new StreamsBuilder()
    const left = builder.table<string, string>('left', { keySerde: str, valueSerde: str })
    const right = builder.table<string, string>('right', { keySerde: str, valueSerde: str })
    left.join(right, (a, b) => a + b).suppress(Suppressed.untilWindowCloses()).toStream().to('out')
    let caught: unknown
    try {
      builder.build()
    } catch (error) {
      caught = error
    }
    expect(isTributaryError(caught) && caught.code).toBe('TRIBUTARY_TOPOLOGY')
    expect(String(caught)).toMatch(/untilTimeLimit/)
  })
})
