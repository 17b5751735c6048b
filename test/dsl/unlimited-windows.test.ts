import { afterEach, describe, expect, it } from 'vitest'
import type { Windowed } from '../../src/core/windowed.js'
import { EmitStrategy, StreamsBuilder, Suppressed, UnlimitedWindows } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { MAX_TIME } from '../../src/state/key-schema/time-bytes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const str = Serdes.string()
const FAR = 8_000_000_000_000_000 // far beyond any real timestamp, below MAX_TIME

/** Counts per key in one unlimited window from `startMs`, every update as `key@start-end=count`. */
function countsForGood(startMs: number, configure: (b: StreamsBuilder) => void = () => undefined) {
  const b = new StreamsBuilder()
  const windows = startMs === 0 ? UnlimitedWindows.of() : UnlimitedWindows.of().startOn(startMs)
  b.stream<string, string>('pings', { keySerde: str, valueSerde: str })
    .groupByKey()
    .windowedBy(windows)
    .count({ storeName: 'forever' })
    .toStream()
    .map<string, string>((w: Windowed<string>, n) => [`${w.key}@${w.window.start}-${w.window.end}`, String(n)])
    .to('counts', { keySerde: str, valueSerde: str })
  configure(b)
  return b.build()
}

describe('UnlimitedWindows', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it.each(['memory', 'rocksdb'] as const)('counts every record from the start on in one window per key that never closes (%s stores)', async (stateStores) => {
    driver = new TopologyTestDriver(countsForGood(1_000), { stateStores })
    const pings = driver.createInputTopic('pings', str, str)
    await pings.pipeInput('a', 'x', 999) // before the start: in no window
    await pings.pipeInput('a', 'x', 1_000)
    await pings.pipeInput('a', 'x', FAR)
    await pings.pipeInput('b', 'x', 5_000)
    // Stream time is far ahead; the window is still open, so this one counts too.
    await pings.pipeInput('a', 'x', 1_001)
    const counts = driver.createOutputTopic('counts', str, str).readKeyValuesToList()
    const window = `1000-${MAX_TIME}`
    expect(counts).toEqual([
      [`a@${window}`, '1'],
      [`a@${window}`, '2'],
      [`b@${window}`, '1'],
      [`a@${window}`, '3'],
    ])
  })

  it("backs its store up to a changelog that keeps everything, as Kafka's retention.ms of Long.MAX_VALUE", () => {
    const topology = countsForGood(0)
    expect(topology.internalTopics.get('forever-changelog')?.config).toMatchObject({ 'cleanup.policy': 'compact,delete', 'retention.ms': '9223372036854775807' })
  })

  it('never emits a final result: suppression until the window closes and EmitStrategy.onWindowClose hold everything back', async () => {
    const b = new StreamsBuilder()
    const grouped = b.stream<string, string>('pings', { keySerde: str, valueSerde: str }).groupByKey()
    grouped.windowedBy(UnlimitedWindows.of()).count().suppress(Suppressed.untilWindowCloses()).toStream().to('suppressed')
    grouped.windowedBy(UnlimitedWindows.of()).emitStrategy(EmitStrategy.onWindowClose()).count().toStream().to('on-close')
    driver = new TopologyTestDriver(b.build())
    const pings = driver.createInputTopic('pings', str, str)
    await pings.pipeInput('a', 'x', 0)
    await pings.pipeInput('a', 'x', FAR)
    await driver.advanceWallClockTime(60_000)
    expect(driver.createOutputTopic('suppressed', str, str).isEmpty()).toBe(true)
    expect(driver.createOutputTopic('on-close', str, str).isEmpty()).toBe(true)
  })

  it('cogroups into one window per key', async () => {
    const b = new StreamsBuilder()
    const left = b.stream<string, string>('left', { keySerde: str, valueSerde: str }).groupByKey()
    const right = b.stream<string, string>('right', { keySerde: str, valueSerde: str }).groupByKey()
    left
      .cogroup<string>((_k, v, agg) => agg + v)
      .cogroup(right, (_k, v, agg) => agg + v.toUpperCase())
      .windowedBy(UnlimitedWindows.of())
      .aggregate(() => '')
      .toStream()
      .map<string, string>((w: Windowed<string>, agg) => [`${w.key}@${w.window.start}`, agg])
      .to('joined', { keySerde: str, valueSerde: str })
    driver = new TopologyTestDriver(b.build())
    await driver.createInputTopic('left', str, str).pipeInput('k', 'a', 10)
    await driver.createInputTopic('right', str, str).pipeInput('k', 'b', FAR)
    await driver.createInputTopic('left', str, str).pipeInput('k', 'c', 20)
    expect(driver.createOutputTopic('joined', str, str).readKeyValuesToList()).toEqual([
      ['k@0', 'a'],
      ['k@0', 'aB'],
      ['k@0', 'aBc'],
    ])
  })
})
