import { afterEach, describe, expect, it } from 'vitest'
import type { Windowed } from '../../src/core/windowed.js'
import { SessionWindows, StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const str = Serdes.string()
const text = { keySerde: str, valueSerde: str }

interface Activity {
  readonly clicks: number
  readonly spent: number
}

describe.each(['memory', 'rocksdb'] as const)('KGroupedStream.cogroup (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('folds several streams into one aggregate per key, each with its own aggregator, in one store', async () => {
    const b = new StreamsBuilder()
    const clicks = b.stream<string, string>('clicks', text).groupByKey()
    const purchases = b.stream<string, string>('purchases', text).groupByKey()
    clicks
      .cogroup((_user, _page, a: Activity) => ({ ...a, clicks: a.clicks + 1 }))
      .cogroup(purchases, (_user, amount, a) => ({ ...a, spent: a.spent + Number(amount) }))
      .aggregate(() => ({ clicks: 0, spent: 0 }), { storeName: 'activity', valueSerde: Serdes.json<Activity>() })
      .toStream()
      .to('activity-out', { keySerde: str, valueSerde: Serdes.json<Activity>() })
    const topology = b.build()
    expect([...topology.stores.keys()]).toEqual(['activity'])

    driver = new TopologyTestDriver(topology, { stateStores })
    const clickIn = driver.createInputTopic('clicks', str, str)
    const purchaseIn = driver.createInputTopic('purchases', str, str)
    await clickIn.pipeInput('ann', '/home', 1)
    await purchaseIn.pipeInput('ann', '12', 2)
    await clickIn.pipeInput('bo', '/cart', 3)
    await clickIn.pipeInput('ann', '/cart', 4)
    const out = driver.createOutputTopic('activity-out', str, Serdes.json<Activity>()).readRecordsToList()
    expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['ann', { clicks: 1, spent: 0 }, 1],
      ['ann', { clicks: 1, spent: 12 }, 2],
      ['bo', { clicks: 1, spent: 0 }, 3],
      ['ann', { clicks: 2, spent: 12 }, 4],
    ])
    expect(await driver.getKeyValueStore<string, Activity>('activity').get('ann')).toEqual({ clicks: 2, spent: 12 })
  })

  it('repartitions an input whose key changed, named after its grouping', async () => {
    const b = new StreamsBuilder()
    const orders = b
      .stream<string, string>('orders', text)
      .selectKey((_id, user) => user)
      .groupByKey({ name: 'orders-by-user' })
    const refunds = b.stream<string, string>('refunds', text).groupByKey()
    orders
      .cogroup((_user, _order, n: number) => n + 1)
      .cogroup(refunds, (_user, _refund, n) => n - 1)
      .aggregate(() => 0, { valueSerde: Serdes.json<number>() })
      .toStream()
      .to('net-orders', { keySerde: str, valueSerde: Serdes.json<number>() })
    const topology = b.build()
    expect(topology.describe().toString()).toContain('Sink: orders-by-user-repartition-sink (topic: orders-by-user-repartition)')

    driver = new TopologyTestDriver(topology, { stateStores })
    await driver.createInputTopic('orders', str, str).pipeInput('o1', 'ann', 1)
    await driver.createInputTopic('orders', str, str).pipeInput('o2', 'ann', 2)
    await driver.createInputTopic('refunds', str, str).pipeInput('ann', 'o1', 3)
    const out = driver.createOutputTopic('net-orders', str, Serdes.json<number>()).readKeyValuesToList()
    expect(out).toEqual([
      ['ann', 1],
      ['ann', 2],
      ['ann', 1],
    ])
  })

  it('aggregates per time window and per session', async () => {
    const b = new StreamsBuilder()
    const a = b.stream<string, string>('a', text).groupByKey()
    const c = b.stream<string, string>('c', text).groupByKey()
    a.cogroup((_k, v, agg: string) => agg + v)
      .cogroup(c, (_k, v, agg) => agg + v.toUpperCase())
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .aggregate(() => '', { valueSerde: str })
      .toStream()
      .to('windows', { keySerde: Serdes.json<Windowed<string>>(), valueSerde: str })
    a.cogroup((_k, v, agg: string) => agg + v)
      .cogroup(c, (_k, v, agg) => agg + v.toUpperCase())
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .aggregate(() => '', (_k, left, right) => left + right, { valueSerde: str })
      .toStream()
      .to('sessions', { keySerde: Serdes.json<Windowed<string>>(), valueSerde: str })

    driver = new TopologyTestDriver(b.build(), { stateStores })
    const aIn = driver.createInputTopic('a', str, str)
    const cIn = driver.createInputTopic('c', str, str)
    await aIn.pipeInput('k', 'x', 1)
    await cIn.pipeInput('k', 'y', 3)
    await aIn.pipeInput('k', 'z', 12)
    const windows = driver.createOutputTopic('windows', Serdes.json<Windowed<string>>(), str).readRecordsToList()
    expect(windows.map((r) => [r.key?.window.start, r.value])).toEqual([
      [0, 'x'],
      [0, 'xY'],
      [10, 'z'],
    ])
    const sessions = driver.createOutputTopic('sessions', Serdes.json<Windowed<string>>(), str).readRecordsToList()
    // The session [1, 3] stays open 5 ms after 3: 12 starts a new one.
    expect(sessions.map((r) => [r.key?.window.start, r.key?.window.end, r.value])).toEqual([
      [1, 1, 'x'],
      [1, 1, null],
      [1, 3, 'xY'],
      [12, 12, 'z'],
    ])
  })
})
