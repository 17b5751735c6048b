import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Serdes } from '../../src/serde/serdes.js'
import { cellOf, destinationPoint, fareCents, pathLengthKm, type LatLng } from '../../src/geo/index.js'
import { TopologyTestDriver, type TestInputTopic, type TestOutputTopic } from '../../src/testing/index.js'
import { buildRideHistory, bundled, RIDE_GAP_MS, RIDE_GRACE_MS } from '../../topologies/ride-history/index.js'
import { recordSurge, surgeAt } from '../../topologies/ride-history/pricing.js'
import { addPing, emptyTrip, mergeTrips, tripKm, type TripAggregate } from '../../topologies/ride-history/trip.js'
import type { Ride, SurgePrice, VehicleLocation } from '../../topologies/velocity/domain.js'

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0)
const origin: LatLng = { lat: 37.7749, lng: -122.4194 }

/** Driver `driverId` with `riderId` on board at second `s`, moving 10 m north-east per second. */
function ping(driverId: string, riderId: string | null, s: number): VehicleLocation {
  const at = destinationPoint(origin, 45, s * 0.01)
  return { driverId, riderId, lat: at.lat, lng: at.lng, heading: 45, speedKmh: 36, ts: T0 + s * 1_000 }
}

const seconds = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)

/** What the ride over these seconds must look like: the path in time order, priced plainly. */
function expectedRide(driverId: string, riderId: string, secs: number[], surge = 1): Ride {
  const points = [...secs].sort((a, b) => a - b).map((s) => ping(driverId, riderId, s)).map(({ lat, lng, ts }) => ({ lat, lng, ts }))
  const start = points[0]!
  const stop = points.at(-1)!
  const distanceKm = pathLengthKm(points)
  return {
    rideId: `${driverId}:${riderId}:${start.ts}`,
    driverId,
    riderId,
    start,
    stop,
    durationMs: stop.ts - start.ts,
    distanceKm,
    surge,
    priceCents: fareCents(distanceKm, stop.ts - start.ts, surge),
  }
}

describe('ride-history topology', () => {
  let driver: TopologyTestDriver
  let locations: TestInputTopic<string, VehicleLocation>
  let surgeTopic: TestInputTopic<string, SurgePrice>
  let rides: TestOutputTopic<string, Ride>

  beforeEach(() => {
    driver = new TopologyTestDriver(buildRideHistory(), { applicationId: 'ride-history' })
    locations = driver.createInputTopic('vehicle_locations', Serdes.string(), Serdes.json<VehicleLocation>())
    surgeTopic = driver.createInputTopic('surge_pricing', Serdes.string(), Serdes.json<SurgePrice>())
    rides = driver.createOutputTopic('rides', Serdes.string(), Serdes.json<Ride>())
  })

  afterEach(async () => {
    await driver.close()
  })

  const send = async (driverId: string, riderId: string | null, secs: number[]) => {
    for (const s of secs) await locations.pipeInput(driverId, ping(driverId, riderId, s), T0 + s * 1_000)
  }
  /** Another car with a rider whose pings move stream time on. */
  const advanceTo = (s: number) => send('driver-clock', 'rider-clock', [s])
  const readRides = () => rides.readKeyValuesToList().filter(([, ride]) => ride?.driverId !== 'driver-clock')
  const closesAt = (lastSecond: number) => lastSecond + (RIDE_GAP_MS + RIDE_GRACE_MS) / 1_000

  it('emits a ride once, when its session closes: start, stop, duration, distance along the pings, price', async () => {
    await send('driver-1', null, seconds(0, 9)) // cruising: not part of any ride
    await send('driver-1', 'rider-1', seconds(10, 190))
    await send('driver-1', null, seconds(191, 200))

    await advanceTo(closesAt(190) - 1)
    expect(readRides()).toEqual([])
    // The ride in progress is queryable: one session, from its first to its last ping.
    const inProgress = await driver.getSessionStore<string, TripAggregate>('ride-history-trips').fetch('driver-1:rider-1')
    expect(inProgress.map(([session]) => session.window)).toEqual([{ start: T0 + 10_000, end: T0 + 190_000 }])
    await advanceTo(closesAt(190) + 1)
    const expected = expectedRide('driver-1', 'rider-1', seconds(10, 190))
    const got = readRides()
    expect(got.map(([key]) => key)).toEqual([expected.rideId])
    expect(got[0]![1]).toEqual({ ...expected, distanceKm: expect.closeTo(expected.distanceKm, 9) })
    expect(got[0]![1]!.distanceKm).toBeCloseTo(1.8, 6)
    expect(got[0]![1]!.durationMs).toBe(180_000)
  })

  it('places pings that arrive a few seconds out of order on the path, and ignores duplicates', async () => {
    const order = [0, 1, 2, 5, 3, 4, 9, 6, 7, 8, 8, 10, 12, 11, 20, 13, 14, 15, 16, 17, 18, 19, 19]
    await send('driver-2', 'rider-2', order)
    await advanceTo(closesAt(20) + 1)
    const [[, ride]] = readRides() as [[string, Ride]]
    const expected = expectedRide('driver-2', 'rider-2', seconds(0, 20))
    expect(ride.distanceKm).toBeCloseTo(expected.distanceKm, 9)
    expect(ride.start).toEqual(expected.start)
    expect(ride.stop).toEqual(expected.stop)
  })

  it('splits rides at a 2-minute gap, separates riders, and merges two sessions that a ping bridges', async () => {
    await send('driver-3', 'rider-a', seconds(0, 10))
    await send('driver-4', 'rider-c', seconds(0, 10))
    await send('driver-3', 'rider-b', seconds(20, 30)) // next rider within the gap: another ride
    await send('driver-4', 'rider-c', seconds(131, 135)) // 121 s gap: a session of its own...
    await send('driver-4', 'rider-c', [70]) // ...until this ping bridges the two
    await send('driver-3', 'rider-a', seconds(160, 170)) // 150 s after rider-a's last ping: a second ride
    await advanceTo(closesAt(170) + 1)

    const got = readRides().map(([, ride]) => ride!)
    const byId = new Map(got.map((r) => [r.rideId, r]))
    const expected = [
      expectedRide('driver-3', 'rider-a', seconds(0, 10)),
      expectedRide('driver-3', 'rider-b', seconds(20, 30)),
      expectedRide('driver-3', 'rider-a', seconds(160, 170)),
      expectedRide('driver-4', 'rider-c', [...seconds(0, 10), 70, ...seconds(131, 135)]),
    ]
    expect([...byId.keys()].sort()).toEqual(expected.map((r) => r.rideId).sort())
    expect(got).toHaveLength(4)
    for (const ride of expected) {
      expect(byId.get(ride.rideId)).toEqual({ ...ride, distanceKm: expect.closeTo(ride.distanceKm, 9), priceCents: expect.closeTo(ride.priceCents, 0) })
    }
  })

  it('drops and counts a ping for a ride whose session has closed', async () => {
    await send('driver-5', 'rider-5', seconds(0, 30))
    await advanceTo(closesAt(30) + 5)
    await send('driver-5', 'rider-5', [31])
    await advanceTo(closesAt(30) + 400)
    expect(readRides().map(([, r]) => [r?.start.ts, r?.stop.ts])).toEqual([[T0, T0 + 30_000]])
    expect(driver.metrics().droppedRecordsByReason.late).toBe(1)
  })

  it('multiplies the price by the surge of the zone and minute the ride started in, when known', async () => {
    const cell = cellOf(ping('driver-6', 'rider-6', 0))
    const surge = (windowStart: number, multiplier: number): SurgePrice =>
      ({ cell, windowStart, windowEnd: windowStart + 60_000, demand: 6, supply: 2, multiplier })
    await surgeTopic.pipeInput(cell, surge(T0 - 60_000, 1.5), T0)
    await surgeTopic.pipeInput(cell, surge(T0, 2.25), T0 + 60_000)
    await send('driver-6', 'rider-6', seconds(5, 25)) // starts in [T0, T0 + 60 s): surge 2.25
    await send('driver-7', 'rider-7', seconds(65, 70)) // starts in a minute nobody priced: 1
    await advanceTo(closesAt(70) + 1)

    const got = new Map(readRides().map(([, r]) => [r!.driverId, r!]))
    const surged = expectedRide('driver-6', 'rider-6', seconds(5, 25), 2.25)
    expect(got.get('driver-6')?.surge).toBe(2.25)
    expect(got.get('driver-6')?.priceCents).toBeCloseTo(surged.priceCents, 0)
    expect(got.get('driver-6')?.priceCents).toBeCloseTo(fareCents(surged.distanceKm, 20_000) * 2.25, -1)
    expect(got.get('driver-7')?.surge).toBe(1)
  })

  it('describes its repartition topics and exports its contract', () => {
    const description = buildRideHistory().describe()
    expect(description).toContain('ride-history-pings-by-ride-repartition')
    expect(description).toContain('ride-history-price-repartition')
    const built = bundled.build({})
    expect(built.inputs).toEqual(['vehicle_locations', 'surge_pricing'])
    expect(built.outputs.map((o) => o.topic)).toEqual(['rides'])
    expect(built.stores).toEqual(['ride-history-trips', 'ride-history-surge-by-zone'])
  })
})

describe('ride-history building blocks', () => {
  it('merges sessions in either order and keeps the path length', () => {
    const a = [0, 1, 2].reduce((t, s) => addPing(t, ping('d', 'r', s), 10_000), emptyTrip())
    const b = [50, 51].reduce((t, s) => addPing(t, ping('d', 'r', s), 10_000), emptyTrip())
    const path = pathLengthKm([0, 1, 2, 50, 51].map((s) => ping('d', 'r', s)))
    expect(tripKm(mergeTrips(a, b))).toBeCloseTo(path, 12)
    expect(tripKm(mergeTrips(b, a))).toBeCloseTo(path, 12)
    expect(mergeTrips(emptyTrip(), a)).toBe(a)
  })

  it('keeps an hour of surge windows per zone and finds the one containing a time', () => {
    let history = { windows: [] as { start: number; end: number; multiplier: number }[] }
    for (let m = 0; m < 90; m++) {
      history = recordSurge(history, { cell: 'c', windowStart: m * 60_000, windowEnd: (m + 1) * 60_000, demand: m, supply: 1, multiplier: 1 + m / 100 }) as typeof history
    }
    expect(history.windows).toHaveLength(60)
    expect(surgeAt(history, 89 * 60_000 + 5)).toBeCloseTo(1.89, 12)
    expect(surgeAt(history, 10 * 60_000)).toBe(1)
    expect(surgeAt(null, 0)).toBe(1)
  })
})
