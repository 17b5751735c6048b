import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import { SessionWindows, StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { QueryableStoreTypes, queryableStoreSpec } from '../../src/topology/queryable-store-types.js'
import type { QueryableWindowStore } from '../../src/topology/store-views.js'

const MINUTE = 60_000

function topology() {
  const b = new StreamsBuilder()
  const grouped = b.stream<string, number>('trips', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() }).groupByKey()
  grouped.count({ storeName: 'trip-counts' })
  grouped.windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 10 * MINUTE)).count({ storeName: 'trips-per-minute' })
  grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(MINUTE, 10 * MINUTE)).count({ storeName: 'trip-sessions' })
  return b.build()
}

describe('QueryableStoreTypes', () => {
  let driver: TopologyTestDriver | undefined

  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('names the store kinds, and a mismatch says which type to query with', () => {
    expect(QueryableStoreTypes.keyValueStore().storeType).toBe('keyValue')
    expect(QueryableStoreTypes.windowStore().storeType).toBe('window')
    expect(QueryableStoreTypes.sessionStore().storeType).toBe('session')
    const stores = topology().stores
    expect(queryableStoreSpec(stores, 'trip-sessions', 'session').definition.name).toBe('trip-sessions')
    expect(() => queryableStoreSpec(stores, 'trip-sessions', 'window')).toThrow(ConfigError)
    expect(() => queryableStoreSpec(stores, 'trip-sessions', 'window')).toThrow(
      'State store "trip-sessions" is a session store, not a window store; query it with QueryableStoreTypes.sessionStore().',
    )
    expect(() => queryableStoreSpec(stores, 'nope', 'keyValue')).toThrow(/No state store named "nope".*trip-counts \(keyValue\)/)
  })

  it("window views answer fetch(key, from, to) like fetchRange, as the test driver's getWindowStore shows", async () => {
    driver = new TopologyTestDriver(topology())
    const input = driver.createInputTopic('trips', Serdes.string(), Serdes.json<number>())
    for (const [key, ts] of [
      ['ann', 1_000],
      ['ann', 2_000],
      ['ann', MINUTE + 5],
      ['bob', 3 * MINUTE],
    ] as const) {
      await input.pipeInput(key, 1, ts)
    }
    const windows = driver.getWindowStore<string, number>('trips-per-minute') as QueryableWindowStore<string, number>
    const expected = [
      { windowStart: 0, value: 2 },
      { windowStart: MINUTE, value: 1 },
    ]
    expect(await windows.fetch('ann', 0, 5 * MINUTE)).toEqual(expected)
    expect(await windows.fetchRange('ann', 0, 5 * MINUTE)).toEqual(expected)
    expect(await windows.fetch('ann', MINUTE, MINUTE)).toEqual([{ windowStart: MINUTE, value: 1 }])
    expect(await windows.fetch('ann', 0)).toBe(2)
    expect(await windows.fetch('bob', 0, MINUTE)).toEqual([])
  })
})
