import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, Serdes } from '../../src/index.js'
import { cellOf, destinationPoint, etaSeconds, haversineKm, type LatLng } from '../../src/geo/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { findNearestDriver } from '../../topologies/ride-matching/nearest-driver.js'
import { rideMatchingTopology } from '../../topologies/ride-matching/topology.js'
import { RIDE_MATCHING_STORES, type DriverState, type RideMatchingOptions, type UnmatchedRideRequest } from '../../topologies/ride-matching/types.js'
import type { RideAssignment, RideRequest, VehicleLocation } from '../../topologies/velocity/domain.js'

const CENTRE: LatLng = { lat: 37.7749, lng: -122.4194 }
const T0 = Date.UTC(2026, 0, 1, 8, 0, 0)
/** A point `km` from the centre towards `bearing`. */
const at = (bearing: number, km: number): LatLng => destinationPoint(CENTRE, bearing, km)

let driver: TopologyTestDriver | undefined
afterEach(async () => {
  await driver?.close()
  driver = undefined
})

function matching(options: RideMatchingOptions = {}, stateStores: 'memory' | 'rocksdb' = 'memory') {
  driver = new TopologyTestDriver(rideMatchingTopology(options), { startTimeMs: T0, stateStores })
  const pings = driver.createInputTopic('vehicle_locations', Serdes.string(), Serdes.json<VehicleLocation>())
  const requests = driver.createInputTopic('ride_requests', Serdes.string(), Serdes.json<RideRequest>())
  const assignments = driver.createOutputTopic('ride_assignments', Serdes.string(), Serdes.json<RideAssignment>())
  const unmatched = driver.createOutputTopic('unmatched_ride_requests', Serdes.string(), Serdes.json<UnmatchedRideRequest>())
  const d = driver
  return {
    assignments,
    unmatched,
    async ping(driverId: string, position: LatLng, ts: number, riderId: string | null = null) {
      await pings.pipeInput(driverId, { driverId, riderId, lat: position.lat, lng: position.lng, heading: 0, speedKmh: 30, ts }, ts)
    },
    async request(requestId: string, pickup: LatLng, ts: number, riderId = `rider-${requestId}`) {
      const destination = at(0, 3)
      await requests.pipeInput(requestId, {
        requestId, riderId, pickupLat: pickup.lat, pickupLng: pickup.lng, destinationLat: destination.lat, destinationLng: destination.lng, ts,
      }, ts)
    },
    /** The driver assigned to each request so far, in order; unmatched requests as null. */
    outcomes(): [string, string | null][] {
      const out: [string, string | null][] = assignments.readKeyValuesToList().map(([id, a]) => [id!, a!.driverId])
      for (const [id] of unmatched.readKeyValuesToList()) out.push([id!, null])
      return out
    },
    driverState: (driverId: string) => d.getKeyValueStore<string, DriverState>(RIDE_MATCHING_STORES.drivers).get(`city|${driverId}`),
  }
}

describe('ride-matching (driver level)', () => {
  it('assigns the nearest free driver, with the distance and an ETA at city speed', async () => {
    const m = matching()
    await m.ping('near', at(90, 0.5), T0)
    await m.ping('far', at(270, 1.2), T0)
    await m.request('r1', CENTRE, T0 + 500)
    const record = m.assignments.readRecord()
    const expectedKm = haversineKm(CENTRE, at(90, 0.5))
    expect(record.key).toBe('r1')
    expect(record.value).toEqual({ requestId: 'r1', riderId: 'rider-r1', driverId: 'near', distanceKm: expectedKm, etaSeconds: etaSeconds(expectedKm, 25), ts: T0 + 500 })
    expect(record.timestamp).toBe(T0 + 500)
    expect(m.unmatched.isEmpty()).toBe(true)
    expect((await m.driverState('near'))?.assignment).toEqual({ requestId: 'r1', riderId: 'rider-r1', at: T0 + 500, pickedUp: false })
  })

  it('reports a request with no driver in range, and one with no driver at all', async () => {
    const m = matching({ maxPickupKm: 3 })
    await m.request('lonely', CENTRE, T0)
    await m.ping('faraway', at(0, 4), T0 + 1_000)
    await m.request('still-lonely', CENTRE, T0 + 1_500)
    expect(m.assignments.isEmpty()).toBe(true)
    const reports = m.unmatched.readKeyValuesToList()
    expect(reports.map(([id]) => id)).toEqual(['lonely', 'still-lonely'])
    expect(reports[1]![1]).toEqual({
      requestId: 'still-lonely', riderId: 'rider-still-lonely', pickupLat: CENTRE.lat, pickupLng: CENTRE.lng,
      reason: 'no-driver-in-range', searchedKm: 3, ts: T0 + 1_500,
    })
  })

  async function rideScenario(m: ReturnType<typeof matching>): Promise<void> {
    await m.ping('a', at(90, 0.3), T0)
    await m.ping('b', at(90, 2), T0)
    await m.request('r1', CENTRE, T0 + 100)
    await m.request('r2', CENTRE, T0 + 200) // a is on its way to r1: b, though farther
    await m.ping('a', at(90, 0.1), T0 + 1_000, 'rider-r1') // picked up
    await m.ping('b', at(90, 2), T0 + 1_000)
    await m.ping('c', at(90, 3), T0 + 1_000)
    await m.request('r3', CENTRE, T0 + 1_100) // a carries a rider, b is assigned: c
    await m.ping('a', at(90, 0.2), T0 + 2_000) // dropped off
    await m.ping('c', at(90, 3), T0 + 2_000)
    await m.request('r4', CENTRE, T0 + 2_100)
    expect(m.outcomes()).toEqual([['r1', 'a'], ['r2', 'b'], ['r3', 'c'], ['r4', 'a']])
    expect((await m.driverState('a'))?.assignment?.requestId).toBe('r4')
  }

  it('does not assign a driver twice while on a ride, and frees them once the rider is dropped off', async () => {
    await rideScenario(matching())
  })

  it('does the same on RocksDB stores, whose reads answer asynchronously', async () => {
    await rideScenario(matching({}, 'rocksdb'))
  })

  it('never matches a driver whose ping shows a rider, even one the service did not assign', async () => {
    const m = matching()
    await m.ping('busy', at(0, 0.1), T0, 'someone')
    await m.ping('free', at(0, 1), T0)
    await m.request('r1', CENTRE, T0 + 10)
    expect(m.outcomes()).toEqual([['r1', 'free']])
  })

  it('frees an assigned driver who never picks up after the pickup timeout (stream time)', async () => {
    const m = matching({ pickupTimeoutMs: 60_000 })
    await m.ping('a', at(90, 0.3), T0)
    await m.request('r1', CENTRE, T0 + 100)
    await m.ping('a', at(90, 0.3), T0 + 30_000)
    await m.request('r2', CENTRE, T0 + 30_100)
    await m.ping('a', at(90, 0.3), T0 + 60_100)
    await m.request('r3', CENTRE, T0 + 60_200)
    expect(m.outcomes()).toEqual([['r1', 'a'], ['r3', 'a'], ['r2', null]])
  })

  it('skips drivers whose last ping is stale', async () => {
    const m = matching({ staleAfterMs: 30_000 })
    await m.ping('quiet', at(90, 0.2), T0)
    await m.ping('chatty', at(90, 1.5), T0 + 25_000)
    await m.request('r1', CENTRE, T0 + 30_000) // quiet's ping is exactly 30 s old: still fresh
    await m.ping('chatty2', at(90, 2), T0 + 31_000)
    await m.request('r2', CENTRE, T0 + 31_000) // quiet is assigned; chatty is 6 s old: fresh
    await m.ping('chatty3', at(90, 2.5), T0 + 62_000)
    await m.request('r3', CENTRE, T0 + 62_000) // chatty2 (31 s old) and the others are stale now
    expect(m.outcomes()).toEqual([['r1', 'quiet'], ['r2', 'chatty'], ['r3', 'chatty3']])
  })

  it('breaks ties by driverId, whatever order the drivers pinged in', async () => {
    const m = matching()
    const spot = at(45, 0.8)
    await m.ping('zed', spot, T0)
    await m.ping('amy', spot, T0)
    await m.ping('kim', spot, T0)
    await m.request('r1', CENTRE, T0 + 1)
    await m.request('r2', CENTRE, T0 + 2)
    expect(m.outcomes()).toEqual([['r1', 'amy'], ['r2', 'kim']])
  })

  it('keeps the newest position when a ping arrives out of order, and answers a re-sent request once', async () => {
    const m = matching()
    await m.ping('a', at(90, 0.5), T0 + 2_000)
    await m.ping('a', at(90, 4.5), T0 + 1_000) // older news: a stays 0.5 km away
    await m.ping('b', at(270, 1), T0 + 2_000)
    await m.request('r1', CENTRE, T0 + 2_100)
    await m.request('r1', CENTRE, T0 + 2_100)
    const out = m.assignments.readKeyValuesToList()
    expect(out.map(([id, a]) => [id, a!.driverId])).toEqual([['r1', 'a']])
    expect(out[0]![1]!.distanceKm).toBeCloseTo(0.5, 6)
    expect(m.unmatched.isEmpty()).toBe(true)
    expect((await m.driverState('a'))?.cell).toBe(cellOf(at(90, 0.5), 8))
  })

  it('keeps the cell index in step as drivers move, and forgets drivers silent for the retention period', async () => {
    const m = matching({ retentionMs: 120_000 })
    await m.ping('mover', at(90, 0.3), T0)
    await m.ping('mover', at(180, 2), T0 + 1_000)
    const cells = driver!.getKeyValueStore<string, string[]>(RIDE_MATCHING_STORES.cells)
    expect(await cells.get(`city|${cellOf(at(90, 0.3), 8)}`)).toBeUndefined()
    expect(await cells.get(`city|${cellOf(at(180, 2), 8)}`)).toEqual(['mover'])
    await m.ping('other', at(0, 1), T0 + 200_000) // stream time moves on: the sweep forgets mover
    expect(await m.driverState('mover')).toBeUndefined()
    expect(await cells.get(`city|${cellOf(at(180, 2), 8)}`)).toBeUndefined()
    expect((await m.driverState('other'))?.driverId).toBe('other')
  })
})

describe('the ride-matching topology', () => {
  it('sends pings and requests through one dispatch repartition to a dispatcher holding the three stores', () => {
    const description = rideMatchingTopology().describe()
    expect(description).toContain('ride-matching-dispatch-repartition')
    expect(description).toContain(`(stores: [${RIDE_MATCHING_STORES.drivers}, ${RIDE_MATCHING_STORES.cells}, ${RIDE_MATCHING_STORES.requests}])`)
  })

  it('refuses options that make no sense', () => {
    expect(() => rideMatchingTopology({ maxPickupKm: 0 })).toThrow(/maxPickupKm must be a number > 0/)
    expect(() => rideMatchingTopology({ indexResolution: 16 })).toThrow(ConfigError)
  })
})

describe('findNearestDriver', () => {
  /** A small deterministic generator, so that a failure can be replayed. */
  function lcg(seed: number): () => number {
    let s = seed >>> 0
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0
      return s / 2 ** 32
    }
  }

  it('finds the same driver as a scan of every driver, over many random cities', async () => {
    const random = lcg(7)
    for (let city = 0; city < 150; city++) {
      const count = 1 + Math.floor(random() * 12)
      const drivers: DriverState[] = []
      for (let i = 0; i < count; i++) {
        const p = at(random() * 360, random() * 6)
        drivers.push({ driverId: `d${i}`, lat: p.lat, lng: p.lng, cell: cellOf(p, 8), ts: 0, riderId: null, assignment: null })
      }
      const pickup = at(random() * 360, random() * 4)
      const byCell = new Map<string, DriverState[]>()
      for (const d of drivers) byCell.set(d.cell, [...(byCell.get(d.cell) ?? []), d])
      const found = await findNearestDriver({ pickup, resolution: 8, maxPickupKm: 5, driversIn: (cell) => byCell.get(cell) ?? [], isEligible: () => true })
      let expected: DriverState | undefined
      for (const d of drivers) {
        const km = haversineKm(pickup, d)
        if (km <= 5 && (expected === undefined || km < haversineKm(pickup, expected))) expected = d
      }
      expect(found?.driver.driverId, `city ${city}`).toBe(expected?.driverId)
    }
  })
})
