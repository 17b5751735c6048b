import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cellOf, MAX_SURGE } from '../../src/geo/index.js'
import { bundled } from '../../topologies/surge-pricing/index.js'
import { simulateCity, type CityRecord } from '../../topologies/generator/index.js'
import type { RideRequest, SurgePrice, VehicleLocation } from '../../topologies/velocity/domain.js'
import { sendCityRecords } from './city-records.js'
import { createTopicsOf, type KafkaFixture, readPartitions, startStreams, str, type StreamsFixture, testBrokerKind, waitFor } from './fixtures.js'

const APP = 'surge-pricing-e2e'
const START_MS = Date.UTC(2026, 0, 1, 8, 0, 0)
const CITY = {
  seed: 23, drivers: 12, riders: 150, durationS: 270, startMs: START_MS, requestsPerSecond: 0.5,
  outOfOrderFraction: 0.03, duplicateFraction: 0.02,
} as const
// The pricing rules, restated for an independent computation.
const WINDOW_MS = 60_000
const GRACE_MS = 10_000

/** Surge per zone and minute, computed plainly: distinct requests against distinct drivers without a rider. */
function expectedSurge(records: readonly CityRecord[]): Map<string, SurgePrice> {
  const windows = new Map<string, { cell: string; start: number; requests: Set<string>; drivers: Set<string> }>()
  const windowOf = (cell: string, ts: number) => {
    const start = Math.floor(ts / WINDOW_MS) * WINDOW_MS
    const id = `${cell}@${start}`
    let w = windows.get(id)
    if (w === undefined) windows.set(id, (w = { cell, start, requests: new Set(), drivers: new Set() }))
    return w
  }
  for (const record of records) {
    if (record.topic === 'ride_requests') {
      const r = record.value as RideRequest
      windowOf(cellOf({ lat: r.pickupLat, lng: r.pickupLng }), r.ts).requests.add(r.requestId)
    } else if (record.topic === 'vehicle_locations') {
      const p = record.value as VehicleLocation
      if (p.riderId === null) windowOf(cellOf(p), p.ts).drivers.add(p.driverId)
    }
  }
  const prices = new Map<string, SurgePrice>()
  for (const [id, w] of windows) {
    const demand = w.requests.size
    const supply = w.drivers.size
    const multiplier = demand > supply ? Math.min(demand / Math.max(supply, 1), MAX_SURGE) : 1
    prices.set(id, { cell: w.cell, windowStart: w.start, windowEnd: w.start + WINDOW_MS, demand, supply, multiplier })
  }
  return prices
}

describe(`surge-pricing end to end (${testBrokerKind()} broker, generated city)`, () => {
  let env: StreamsFixture
  let kafka: KafkaFixture

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
  })

  afterEach(() => env.close())

  it('publishes, once per zone and closed minute, the surge a plain count of the generated input gives', async () => {
    const records = [...simulateCity(CITY)].filter((r) => r.topic === 'vehicle_locations' || r.topic === 'ride_requests')
    const expected = expectedSurge(records)
    const lastTs = Math.max(...records.map((r) => r.timestamp))
    // Windows certainly closed by the end of the input; the last ones stay held until more input comes.
    const mustClose = [...expected.entries()].filter(([, s]) => s.windowEnd + GRACE_MS + 5_000 <= lastTs)
    // The city must exercise surges, zones without supply and zones without demand.
    expect(mustClose.some(([, s]) => s.multiplier > 1 && s.supply > 0)).toBe(true)
    expect(mustClose.some(([, s]) => s.demand > 0 && s.supply === 0)).toBe(true)
    expect(mustClose.some(([, s]) => s.demand === 0)).toBe(true)

    // One partition per input: demand and supply then reach one task (their repartition topics form
    // the join's co-partition group, one partition each) with one stream time, so the windows that
    // must have closed are known; the output has several.
    const built = bundled.build({})
    await createTopicsOf(kafka, built, { inputs: 1, outputs: 3 })
    const producer = kafka.track(kafka.clients.producer())
    await sendCityRecords(producer, records)

    const app = env.newApp(built.topology, {
      commitIntervalMs: 200,
      // The whole input is in Kafka before the start: wait for both topics to be buffered before
      // taking the earlier record, or a fetch of one topic could run minutes ahead of the other and
      // make the other's records late.
      maxTaskIdleMs: 1_000,
      // On stream time (the bundled config's upstream watermarks are not used here) over a backlog,
      // a record cache forwards each commit's windows in the order they were first updated, not
      // by time, and the suppression drops an update that comes after a later window moved its
      // stream time past the update's window, as with Kafka Streams' cache. Under the bundled
      // config's upstream watermarks the cache holds nothing back; this test checks the counts.
      cacheMaxBytes: 0,
    })
    await app.start()

    const reader = env.reader()
    const readPrices = async (): Promise<SurgePrice[]> =>
      (await readPartitions(reader, 'surge_pricing', 3)).map((r) => {
        const price = JSON.parse(str(r.value)!) as SurgePrice
        expect(str(r.key)).toBe(price.cell)
        return price
      })
    await waitFor('the surge of every closed window', async () => {
      const published = new Set((await readPrices()).map((p) => `${p.cell}@${p.windowStart}`))
      return mustClose.every(([id]) => published.has(id))
    }, 20_000)
    const prices = await readPrices()

    const published = new Map(prices.map((p) => [`${p.cell}@${p.windowStart}`, p]))
    expect(published.size, 'each zone and window once').toBe(prices.length)
    for (const [id] of mustClose) expect(published.has(id), id).toBe(true)
    for (const [id, price] of published) expect(price, id).toEqual(expected.get(id))
  }, 40_000)
})
