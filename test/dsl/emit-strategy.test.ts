import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, TopologyError } from '../../src/core/errors.js'
import type { Windowed } from '../../src/core/windowed.js'
import { EmitStrategy, SessionWindows, SlidingWindows, StreamsBuilder, Suppressed, TimeWindows } from '../../src/dsl/index.js'
import { resolveStreamsConfig } from '../../src/runtime/config.js'
import { Serdes } from '../../src/serde/index.js'
import { TopologyTestDriver, type TopologyTestDriverOptions } from '../../src/testing/index.js'

const s = Serdes.string()
const n = Serdes.json<number>()
const windowedKey = Serdes.json<Windowed<string>>()
const MINUTE = 60_000

type Out = [key: string, start: number, end: number, value: number | null, timestamp: number]

describe('EmitStrategy', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function run(build: (b: StreamsBuilder) => void, options: TopologyTestDriverOptions = {}) {
    const b = new StreamsBuilder()
    build(b)
    driver = new TopologyTestDriver(b.build(), options)
    const input = driver.createInputTopic('in', s, s)
    const output = driver.createOutputTopic('out', windowedKey, n)
    return {
      pipe: (key: string, timestamp: number, headers: Record<string, Buffer> = {}) => input.pipeInput(key, 'x', timestamp, headers),
      read: (): Out[] => output.readRecordsToList().map((r) => [r.key!.key, r.key!.window.start, r.key!.window.end, r.value, r.timestamp]),
      output,
    }
  }

  it('is named and typed as Kafka Streams names it', () => {
    expect(EmitStrategy.onWindowClose().type()).toBe('ON_WINDOW_CLOSE')
    expect(EmitStrategy.onWindowUpdate().type()).toBe('ON_WINDOW_UPDATE')
  })

  it('emitStrategy() sets the strategy of the windowed stream and returns it, as in Kafka Streams', () => {
    const windowed = new StreamsBuilder().stream<string, string>('in').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10))
    expect(windowed.emitStrategy(EmitStrategy.onWindowClose())).toBe(windowed)
    const sessions = new StreamsBuilder().stream<string, string>('in').groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))
    expect(sessions.emitStrategy(EmitStrategy.onWindowClose())).toBe(sessions)
  })

  it('refuses anything but an EmitStrategy with a TopologyError saying what to pass', () => {
    const windowed = new StreamsBuilder().stream<string, string>('in').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10))
    expect(() => windowed.emitStrategy('ON_WINDOW_CLOSE' as never)).toThrow(TopologyError)
    expect(() => windowed.emitStrategy(undefined as never)).toThrow(/EmitStrategy\.onWindowClose\(\) or EmitStrategy\.onWindowUpdate\(\)/)
    const sessions = new StreamsBuilder().stream<string, string>('in').groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))
    expect(() => sessions.emitStrategy({} as never)).toThrow(TopologyError)
  })

  it('changes nothing in describe(): same processors and stores, no buffer', () => {
    const describe = (strategy: EmitStrategy) => {
      const b = new StreamsBuilder()
      b.stream<string, string>('in').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10)).emitStrategy(strategy).count().toStream().to('out')
      return b.build().describe().toString()
    }
    expect(describe(EmitStrategy.onWindowClose())).toBe(describe(EmitStrategy.onWindowUpdate()))
  })

  it('an aggregation declared after emitStrategy(onWindowUpdate()) forwards every update (the default)', async () => {
    const { pipe, read } = run((b) =>
      b.stream<string, string>('in', { keySerde: s, valueSerde: s }).groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10)).emitStrategy(EmitStrategy.onWindowUpdate())
        .count().toStream().to('out', { keySerde: windowedKey, valueSerde: n }),
    )
    await pipe('a', 1)
    await pipe('a', 2)
    expect(read()).toEqual([['a', 0, 10, 1, 1], ['a', 0, 10, 2, 2]])
  })

  it('time windows: each window once when stream time reaches end + grace, by window start then key, with the triggering record\'s headers', async () => {
    const { pipe, read, output } = run((b) =>
      b.stream<string, string>('in', { keySerde: s, valueSerde: s }).groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).emitStrategy(EmitStrategy.onWindowClose())
        .count().toStream().to('out', { keySerde: windowedKey, valueSerde: n }),
    )
    // 'b' sorts after 'a' by key, but its window starts first.
    await pipe('b', 1)
    await pipe('a', 12)
    await pipe('a', 13)
    await pipe('b', 4)
    expect(read()).toEqual([])
    // Stream time 14: window [0, 10) closes at 15.
    await pipe('c', 15, { trigger: Buffer.from('15') })
    const first = output.readRecordsToList()
    expect(first.map((r) => [r.key!.key, r.key!.window.start, r.value, r.timestamp])).toEqual([['b', 0, 2, 4]])
    expect(first[0]!.headers).toEqual({ trigger: Buffer.from('15') })
    // A late record for the closed window is dropped, and nothing is emitted twice.
    await pipe('b', 5)
    expect(driver!.metrics().droppedRecordsByReason.late).toBe(1)
    await pipe('z', 29)
    expect(read()).toEqual([
      ['a', 10, 20, 2, 13],
      ['c', 10, 20, 1, 15],
    ])
  })

  it('time windows: on input without gaps, the same final results as suppress(untilWindowCloses())', async () => {
    const input: [string, number][] = []
    for (let t = 0; t <= 60; t += 2) {
      input.push([['a', 'b', 'c'][t % 3]!, t])
      if (t % 8 === 0 && t > 0) input.push(['b', t - 3]) // out of order, within the grace
    }
    const finals = async (emitFinal: boolean) => {
      const { pipe, read } = run((b) => {
        const windowed = b.stream<string, string>('in', { keySerde: s, valueSerde: s }).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 3).advanceBy(5))
        const counts = emitFinal ? windowed.emitStrategy(EmitStrategy.onWindowClose()).count() : windowed.count().suppress(Suppressed.untilWindowCloses())
        counts.toStream().to('out', { keySerde: windowedKey, valueSerde: n })
      })
      for (const [key, timestamp] of input) await pipe(key, timestamp)
      const out = read()
      await driver!.close()
      driver = undefined
      return out
    }
    const suppressed = await finals(false)
    const emitted = await finals(true)
    expect(suppressed.length).toBeGreaterThan(20)
    // Suppression emits in buffer order; the emit strategy by window start then key: same records.
    const order = (rows: Out[]) => [...rows].sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]))
    expect(order(emitted)).toEqual(order(suppressed))
    expect(emitted).toEqual(order(emitted))
  })

  it('sliding windows: each window once, when stream time passes end + grace, by window start then key', async () => {
    const { pipe, read } = run((b) =>
      b.stream<string, string>('in', { keySerde: s, valueSerde: s }).groupByKey()
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 2)).emitStrategy(EmitStrategy.onWindowClose())
        .count().toStream().to('out', { keySerde: windowedKey, valueSerde: n }),
    )
    await pipe('a', 20)
    await pipe('a', 22)
    // Window [10, 20] closes once stream time passes 22.
    expect(read()).toEqual([])
    await pipe('a', 23)
    expect(read()).toEqual([['a', 10, 20, 1, 20]])
    await pipe('b', 30)
    expect(read()).toEqual([
      ['a', 12, 22, 2, 22],
      ['a', 13, 23, 3, 23],
    ])
    await pipe('b', 45)
    expect(read()).toEqual([
      ['b', 20, 30, 1, 30],
      ['a', 21, 31, 2, 23],
      ['a', 23, 33, 1, 23],
    ])
  })

  it('sessions: no updates nor retractions, each final session once, by end, start, then key', async () => {
    const { pipe, read } = run((b) =>
      b.stream<string, string>('in', { keySerde: s, valueSerde: s }).groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5)).emitStrategy(EmitStrategy.onWindowClose())
        .count().toStream().to('out', { keySerde: windowedKey, valueSerde: n }),
    )
    await pipe('b', 0)
    await pipe('b', 8)
    await pipe('a', 4)
    await pipe('e', 8)
    await pipe('c', 8)
    await pipe('a', 14) // extends 'a' [4, 4] to [4, 14]: Kafka Streams' update path retracts [4, 4] first
    expect(read()).toEqual([])
    // Close time 24 - 10 - 5 = 9: sessions ending before 9 are final.
    await pipe('d', 24)
    expect(read()).toEqual([
      ['b', 0, 8, 2, 8],
      ['c', 8, 8, 1, 8],
      ['e', 8, 8, 1, 8],
    ])
    await pipe('d', 100)
    expect(read()).toEqual([
      ['a', 4, 14, 2, 14],
      ['d', 24, 24, 1, 24],
    ])
  })

  it('looks for closed windows at most once per emitIntervalMsKstreamsWindowedAggregation of wall clock', async () => {
    const { pipe, read } = run(
      (b) =>
        b.stream<string, string>('in', { keySerde: s, valueSerde: s }).groupByKey()
          .windowedBy(TimeWindows.ofSizeAndGrace(10, 10)).emitStrategy(EmitStrategy.onWindowClose())
          .count().toStream().to('out', { keySerde: windowedKey, valueSerde: n }),
      { emitIntervalMsKstreamsWindowedAggregation: 1_000 },
    )
    await pipe('a', 1) // the first look (nothing closed yet): the next one is due a second later
    await pipe('a', 10)
    await pipe('a', 20) // [0, 10) is closed now, but it is not time to look
    expect(read()).toEqual([])
    await driver!.advanceWallClockTime(999)
    await pipe('a', 21)
    expect(read()).toEqual([])
    // Only a record looks, once the interval has passed.
    await driver!.advanceWallClockTime(1)
    expect(read()).toEqual([])
    await pipe('a', 22)
    expect(read()).toEqual([['a', 0, 10, 1, 1]])
  })

  // Kafka Streams (4.0.2's TopologyTestDriver) gives the same with Materialized.withCachingDisabled(); with its
  // record cache on (the default for time windows) a window the store dropped may still be emitted from the cache.
  it('as in Kafka Streams without its record cache, a window its store no longer holds when closed windows are looked for is not emitted', async () => {
    const { pipe, read } = run((b) =>
      b.stream<string, string>('in', { keySerde: s, valueSerde: s }).groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10)).emitStrategy(EmitStrategy.onWindowClose())
        .count().toStream().to('out', { keySerde: windowedKey, valueSerde: n }),
    )
    await pipe('a', 5)
    await pipe('a', 15) // [0, 10) closes and is emitted: the store (size + grace) still holds it
    expect(read()).toEqual([['a', 0, 10, 1, 5]])
    await pipe('a', 35) // [10, 20) closed, but the store keeps windows from 30 - 10 = 20 on
    expect(read()).toEqual([])
    await pipe('a', 41)
    expect(read()).toEqual([['a', 30, 40, 1, 35]])
  })

  it('refuses a negative emit interval', () => {
    expect(() => new TopologyTestDriver(new StreamsBuilder().build(), { emitIntervalMsKstreamsWindowedAggregation: -1 })).toThrow(ConfigError)
    const base = { applicationId: 'app', bootstrapServers: ['127.0.0.1:9092'] }
    expect(resolveStreamsConfig(base).emitIntervalMsKstreamsWindowedAggregation).toBe(1_000)
    expect(() => resolveStreamsConfig({ ...base, emitIntervalMsKstreamsWindowedAggregation: -5 })).toThrow(ConfigError)
  })

  describe('under upstream watermarks', () => {
    /** Pings re-keyed by zone, counted per zone and tumbling minute (grace 2 s), final results only. */
    function zoneMinuteCounts() {
      const b = new StreamsBuilder()
      b.stream<string, string>('pings', { keySerde: s, valueSerde: s })
        .groupBy((_driver, zone) => zone, { keySerde: s, valueSerde: s, name: 'by-zone' })
        .windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 2_000))
        .emitStrategy(EmitStrategy.onWindowClose())
        .count()
        .toStream()
        .map((window: Windowed<string>, count: number): [string, number] => [`${window.key}@${window.window.start}`, count])
        .to('counts', { keySerde: s, valueSerde: n })
      return b.build()
    }

    async function start() {
      driver = new TopologyTestDriver(zoneMinuteCounts(), { watermarks: 'upstream' })
      driver.declareTopic('pings', { partitions: 2 })
      const pings = driver.createInputTopic('pings', s, s)
      const counts = driver.createOutputTopic('counts', s, n)
      // Partition 0 runs ten minutes ahead of partition 1, both pinging zone z in every minute.
      for (let minute = 0; minute < 10; minute++) await pings.pipeInput('fast', 'z', minute * MINUTE + 1_000, {}, 0)
      for (let minute = 0; minute < 10; minute++) await pings.pipeInput('slow', 'z', minute * MINUTE + 2_000, {}, 1)
      return counts
    }

    it('windows close by the event time: every minute counts both partitions', async () => {
      const counts = await start()
      expect(counts.readKeyValuesToMap()).toEqual(new Map(Array.from({ length: 8 }, (_, m) => [`z@${m * MINUTE}`, 2])))
      expect(driver!.metrics().droppedRecordsByReason.late).toBe(0)
    })

    it('the last windows come out without new records, as the event time of idle inputs advances', async () => {
      const counts = await start()
      counts.readKeyValuesToMap()
      await driver!.advanceWallClockTime(29_999)
      expect(counts.isEmpty()).toBe(true)
      // Idle: the event time is 9:02 and minute 8 closes.
      await driver!.advanceWallClockTime(1)
      expect(counts.readKeyValuesToMap()).toEqual(new Map([[`z@${8 * MINUTE}`, 2]]))
      await driver!.advanceWallClockTime(59_000)
      expect(counts.isEmpty()).toBe(true)
      await driver!.advanceWallClockTime(1_000)
      expect(counts.readKeyValuesToMap()).toEqual(new Map([[`z@${9 * MINUTE}`, 2]]))
    })
  })
})
