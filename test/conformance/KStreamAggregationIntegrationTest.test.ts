// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/integration/KStreamAggregationIntegrationTest.java
//
// Only shouldCountUnlimitedWindows: the other tests of the class exercise the DSL's aggregations
// against a cluster, which the unit-level ports of KStreamWindowAggregateTest and the session
// aggregation tests cover. Java produces to an embedded cluster and collects, per windowed key, the
// last count and its record timestamp; here the same records go through the TopologyTestDriver and
// the last update per windowed key is kept. Java's mockTime starts at the wall clock; any instant
// gives the same results, one is fixed here.
import { afterEach, describe, expect, it } from 'vitest'
import type { Windowed } from '../../src/core/windowed.js'
import { StreamsBuilder, UnlimitedWindows } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { MAX_TIME } from '../../src/state/key-schema/time-bytes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const str = Serdes.string()
const HOUR = 3_600_000
const DAY = 24 * HOUR
const mockTimeMs = 1_700_000_000_000

describe('KStreamAggregationIntegrationTest', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('shouldCountUnlimitedWindows', async () => {
    const startTime = mockTimeMs - HOUR + 1
    const incrementTime = DAY
    const t1 = mockTimeMs - HOUR
    const t2 = t1 + incrementTime
    const t3 = t2 + incrementTime
    const t4 = t3 + incrementTime

    const results = new Map<string, [number, number]>()
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('user-sessions', { keySerde: str, valueSerde: str })
      .groupByKey({ keySerde: str, valueSerde: str })
      .windowedBy(UnlimitedWindows.of().startOn(startTime))
      .count()
      .toStream()
      .process<never, never>(() => ({
        process: (record) => {
          const key = record.key as Windowed<string>
          results.set(`${key.key}@${key.window.start}-${key.window.end}`, [record.value as number, record.timestamp])
        },
      }))
    driver = new TopologyTestDriver(builder.build())
    const input = driver.createInputTopic('user-sessions', str, str)
    for (const [key, value] of [
      ['bob', 'start'],
      ['penny', 'start'],
      ['jo', 'pause'],
      ['emily', 'pause'],
    ] as const) await input.pipeInput(key, value, t1)
    await input.pipeInput('emily', 'resume', t2)
    await input.pipeInput('bob', 'pause', t3)
    await input.pipeInput('penny', 'stop', t3)
    await input.pipeInput('bob', 'resume', t4) // bobs session continues
    await input.pipeInput('jo', 'resume', t4) // jo's starts new session

    // new Windowed<>(key, new UnlimitedWindow(startTime)): [startTime, end of time].
    const unlimited = (key: string) => `${key}@${startTime}-${MAX_TIME}`
    expect(results.get(unlimited('bob'))).toEqual([2, t4])
    expect(results.get(unlimited('penny'))).toEqual([1, t3])
    expect(results.get(unlimited('jo'))).toEqual([1, t4])
    expect(results.get(unlimited('emily'))).toEqual([1, t2])
    // The records at t1, before the window's start, were not counted anywhere.
    expect(results.size).toBe(4)
  })
})
