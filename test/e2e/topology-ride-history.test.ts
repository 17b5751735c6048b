import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Serdes, type Serde } from '../../src/index.js'
import { cellOf, fareCents, haversineKm } from '../../src/geo/index.js'
import { bundled } from '../../topologies/ride-history/index.js'
import { simulateCity, type CityRecord } from '../../topologies/generator/index.js'
import type { Ride, SurgePrice, VehicleLocation } from '../../topologies/velocity/domain.js'
import { sendCityRecords } from './city-records.js'
import { createTopicsOf, type KafkaFixture, readPartitions, startStreams, str, type StreamsFixture, testBrokerKind, waitFor } from './fixtures.js'

const APP = 'ride-history-e2e'
const START_MS = Date.UTC(2026, 0, 1, 8, 0, 0)
const CITY = {
  seed: 31, drivers: 8, riders: 80, durationS: 900, startMs: START_MS, requestsPerSecond: 0.5,
  outOfOrderFraction: 0.03, duplicateFraction: 0.02,
} as const
// The ride rules, restated for an independent computation.
const GAP_MS = 120_000
const GRACE_MS = 10_000
/** How surge-pricing writes `surge_pricing`. */
const SURGE_SERDES = { keySerde: Serdes.string() as Serde<unknown>, valueSerde: Serdes.json() }

/** Rides recomputed from the pings: per driver and rider, pings in time order, cut where they pause > 2 minutes. */
function expectedRides(pings: readonly VehicleLocation[], surge: ReadonlyMap<string, number>): Ride[] {
  const byPair = new Map<string, Map<number, VehicleLocation>>()
  for (const p of pings) {
    if (p.riderId === null) continue
    const pair = `${p.driverId}:${p.riderId}`
    if (!byPair.has(pair)) byPair.set(pair, new Map())
    byPair.get(pair)!.set(p.ts, p) // a duplicate is the same ping
  }
  const rides: Ride[] = []
  for (const byTs of byPair.values()) {
    const sorted = [...byTs.values()].sort((a, b) => a.ts - b.ts)
    let ride: VehicleLocation[] = []
    const finish = () => {
      const first = ride[0]!
      const last = ride.at(-1)!
      let km = 0
      for (let i = 1; i < ride.length; i++) km += haversineKm(ride[i - 1]!, ride[i]!)
      const windowStart = Math.floor(first.ts / 60_000) * 60_000
      const multiplier = surge.get(`${cellOf(first)}@${windowStart}`) ?? 1
      rides.push({
        rideId: `${first.driverId}:${first.riderId}:${first.ts}`,
        driverId: first.driverId,
        riderId: first.riderId!,
        start: { lat: first.lat, lng: first.lng, ts: first.ts },
        stop: { lat: last.lat, lng: last.lng, ts: last.ts },
        durationMs: last.ts - first.ts,
        distanceKm: km,
        surge: multiplier,
        priceCents: fareCents(km, last.ts - first.ts, multiplier),
      })
    }
    for (const p of sorted) {
      if (ride.length > 0 && p.ts - ride.at(-1)!.ts > GAP_MS) {
        finish()
        ride = []
      }
      ride.push(p)
    }
    finish()
  }
  return rides
}

describe(`ride-history end to end (${testBrokerKind()} broker, generated city)`, () => {
  let env: StreamsFixture
  let kafka: KafkaFixture

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
  })

  afterEach(() => env.close())

  it('writes the rides a plain grouping of the generated pings gives, priced with the published surge', async () => {
    const records = [...simulateCity(CITY)].filter((r) => r.topic === 'vehicle_locations')
    const pings = records.map((r) => r.value as VehicleLocation)
    const lastTs = Math.max(...records.map((r) => r.timestamp))

    // Surge published for every other ride's start zone and minute, so that both "known" and "not
    // known" are priced.
    const unsurged = expectedRides(pings, new Map())
    const surge = new Map<string, number>()
    const surgeRecords: CityRecord[] = []
    unsurged.forEach((ride, i) => {
      if (i % 2 === 1) return
      const cell = cellOf(ride.start)
      const windowStart = Math.floor(ride.start.ts / 60_000) * 60_000
      const multiplier = 1 + (i % 4) * 0.25
      surge.set(`${cell}@${windowStart}`, multiplier)
      const price: SurgePrice = { cell, windowStart, windowEnd: windowStart + 60_000, demand: 4, supply: 2, multiplier }
      surgeRecords.push({ topic: 'surge_pricing', key: cell, value: price, timestamp: windowStart + 70_000 })
    })
    const expected = expectedRides(pings, surge)
    // Rides whose session certainly closed before the input ended; later ones stay open.
    const mustClose = expected.filter((r) => r.stop.ts + GAP_MS + GRACE_MS + 5_000 <= lastTs)
    expect(mustClose.length).toBeGreaterThanOrEqual(5)
    expect(mustClose.some((r) => r.surge > 1)).toBe(true)
    expect(mustClose.some((r) => r.surge === 1)).toBe(true)

    // One partition per input: the rides' sessions then share one stream time, so the rides that
    // must have closed are known.
    const built = bundled.build({})
    await createTopicsOf(kafka, built, { inputs: 1, outputs: 3 })
    const producer = kafka.track(kafka.clients.producer())
    const send = (list: readonly CityRecord[]) =>
      sendCityRecords(producer, list, { serdesOf: (topic) => (topic === 'surge_pricing' ? SURGE_SERDES : undefined) })

    const app = env.newApp(built.topology, { commitIntervalMs: 200 })
    await app.start()
    // The surge first, so that it is known when the rides are priced (as when surge-pricing runs
    // ahead of ride-history, whose rides close minutes after they start).
    await send(surgeRecords)
    const surgeStore = app.store<string, { windows: unknown[] }>('ride-history-surge-by-zone')
    const zones = new Set(surgeRecords.map((r) => r.key as string))
    await waitFor('the surge table', async () => {
      for (const zone of zones) if ((await surgeStore.get(zone)) === undefined) return false
      return true
    }, 15_000)
    await send(records)

    const reader = env.reader()
    const readRides = async (): Promise<Ride[]> =>
      (await readPartitions(reader, 'rides', 3)).map((r) => {
        const ride = JSON.parse(str(r.value)!) as Ride
        expect(str(r.key)).toBe(ride.rideId)
        return ride
      })
    await waitFor('every closed ride', async () => {
      const ids = new Set((await readRides()).map((r) => r.rideId))
      return mustClose.every((r) => ids.has(r.rideId))
    }, 20_000)
    const rides = await readRides()

    const byId = new Map(expected.map((r) => [r.rideId, r]))
    expect(new Set(rides.map((r) => r.rideId)).size, 'each ride once').toBe(rides.length)
    for (const ride of rides) {
      const want = byId.get(ride.rideId)
      expect(want, ride.rideId).toBeDefined()
      expect(ride, ride.rideId).toEqual({
        ...want!,
        distanceKm: expect.closeTo(want!.distanceKm, 9),
        // Sums of floating-point steps in another order may round a half cent the other way.
        priceCents: expect.closeTo(want!.priceCents, 0),
      })
    }
  }, 45_000)
})
