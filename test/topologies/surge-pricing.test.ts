import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Serdes } from '../../src/serde/serdes.js'
import { cellOf, destinationPoint, MAX_SURGE, type LatLng } from '../../src/geo/index.js'
import { TopologyTestDriver, type TestInputTopic, type TestOutputTopic } from '../../src/testing/index.js'
import { buildSurgePricing, bundled, SURGE_GRACE_MS, SURGE_NAMES } from '../../topologies/surge-pricing/index.js'
import type { RideRequest, SurgePrice, VehicleLocation } from '../../topologies/velocity/domain.js'
import { simulateCity } from '../../topologies/generator/index.js'

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0)
const downtown: LatLng = { lat: 37.7897, lng: -122.4011 }
// 5 km west: certainly another resolution-7 zone.
const sunset = destinationPoint(downtown, 270, 5)
const DOWNTOWN = cellOf(downtown)
const SUNSET = cellOf(sunset)

function request(id: string, at: LatLng, ts: number): RideRequest {
  return { requestId: id, riderId: `rider-${id}`, pickupLat: at.lat, pickupLng: at.lng, destinationLat: 37.76, destinationLng: -122.43, ts }
}

function ping(driverId: string, at: LatLng, ts: number, riderId: string | null = null): VehicleLocation {
  return { driverId, riderId, lat: at.lat, lng: at.lng, heading: 0, speedKmh: 20, ts }
}

describe('surge-pricing topology', () => {
  let driver: TopologyTestDriver
  let requests: TestInputTopic<string, RideRequest>
  let locations: TestInputTopic<string, VehicleLocation>
  let surge: TestOutputTopic<string, SurgePrice>

  beforeEach(() => {
    driver = new TopologyTestDriver(buildSurgePricing(), { applicationId: 'surge-pricing' })
    requests = driver.createInputTopic('ride_requests', Serdes.string(), Serdes.json<RideRequest>())
    locations = driver.createInputTopic('vehicle_locations', Serdes.string(), Serdes.json<VehicleLocation>())
    surge = driver.createOutputTopic('surge_pricing', Serdes.string(), Serdes.json<SurgePrice>())
  })

  afterEach(async () => {
    await driver.close()
  })

  const sendPing = (p: VehicleLocation) => locations.pipeInput(p.driverId, p, p.ts)
  const sendRequest = (r: RideRequest) => requests.pipeInput(r.requestId, r, r.ts)
  /** An available driver far away whose pings move stream time on (a ping with a rider never reaches the aggregation). */
  const faraway = destinationPoint(downtown, 90, 20)
  const advanceTo = (ts: number) => sendPing(ping('driver-clock', faraway, ts))
  const readPrices = () => surge.readValuesToList().filter((s) => s?.cell !== cellOf(faraway))

  it('prices a zone once per window, when the window closes: distinct available drivers against requests', async () => {
    for (let s = 0; s < 30; s++) await sendPing(ping('driver-1', downtown, T0 + s * 1_000))
    await sendPing(ping('driver-2', downtown, T0 + 10_000))
    await sendPing(ping('driver-3', downtown, T0 + 11_000, 'rider-x')) // carrying a rider: not supply
    for (let i = 0; i < 5; i++) await sendRequest(request(`r${i}`, downtown, T0 + 20_000 + i * 1_000))

    await advanceTo(T0 + 60_000 + SURGE_GRACE_MS - 1)
    expect(surge.isEmpty()).toBe(true)
    await advanceTo(T0 + 60_000 + SURGE_GRACE_MS)
    expect(surge.readKeyValuesToList().filter(([cell]) => cell === DOWNTOWN)).toEqual([
      [DOWNTOWN, { cell: DOWNTOWN, windowStart: T0, windowEnd: T0 + 60_000, demand: 5, supply: 2, multiplier: 2.5 }],
    ])
    await advanceTo(T0 + 200_000)
    expect(readPrices()).toEqual([])
  })

  it('caps the multiplier at 3 for a zone with demand and no supply, and prices zones with supply and no demand at 1', async () => {
    for (let i = 0; i < 2; i++) await sendRequest(request(`a${i}`, downtown, T0 + i * 1_000))
    for (let i = 0; i < 7; i++) await sendRequest(request(`b${i}`, sunset, T0 + 60_000 + i * 1_000))
    await sendPing(ping('driver-4', sunset, T0 + 5_000))
    await advanceTo(T0 + 180_000)

    const byWindow = readPrices()
    expect(byWindow).toEqual([
      { cell: DOWNTOWN, windowStart: T0, windowEnd: T0 + 60_000, demand: 2, supply: 0, multiplier: 2 },
      { cell: SUNSET, windowStart: T0, windowEnd: T0 + 60_000, demand: 0, supply: 1, multiplier: 1 },
      { cell: SUNSET, windowStart: T0 + 60_000, windowEnd: T0 + 120_000, demand: 7, supply: 0, multiplier: 3 },
    ])
  })

  it('accepts out-of-order records within the grace period and drops (and counts) later ones', async () => {
    await sendRequest(request('r1', downtown, T0 + 30_000))
    await advanceTo(T0 + 65_000)
    await sendRequest(request('r2', downtown, T0 + 59_000)) // 6 s out of order: still in time
    await advanceTo(T0 + 70_000)
    await sendRequest(request('r3', downtown, T0 + 59_500)) // after the window closed: late
    await sendPing(ping('driver-5', downtown, T0 + 40_000)) // late too
    await advanceTo(T0 + 130_000)

    expect(readPrices()).toEqual([
      { cell: DOWNTOWN, windowStart: T0, windowEnd: T0 + 60_000, demand: 2, supply: 0, multiplier: 2 },
    ])
    expect(driver.metrics().droppedRecordsByReason.late).toBe(2)
  })

  it('prices a generated city with late and duplicated records as a plain count in delivery order does', async () => {
    const city = [...simulateCity({ seed: 3, drivers: 15, riders: 100, durationS: 300, requestsPerSecond: 0.5, outOfOrderFraction: 0.05, lateFraction: 0.01, duplicateFraction: 0.02 })]
    // Plainly: one stream time over the signals (requests, pings without a rider) in delivery
    // order; a signal whose minute closed (end + grace) before it arrived is late. In the topology
    // each aggregation drops what is late by its own signals' stream time, and the suppression after
    // the join drops the rest: an update of a window whose final result went out.
    const windows = new Map<string, { cell: string; start: number; requests: Set<string>; drivers: Set<string> }>()
    let streamTime = -Infinity
    let late = 0
    for (const record of city) {
      let cell: string
      let signal: { request: string } | { driver: string }
      if (record.topic === 'ride_requests') {
        const r = record.value as RideRequest
        cell = cellOf({ lat: r.pickupLat, lng: r.pickupLng })
        signal = { request: r.requestId }
      } else if (record.topic === 'vehicle_locations' && (record.value as VehicleLocation).riderId === null) {
        cell = cellOf(record.value as VehicleLocation)
        signal = { driver: (record.value as VehicleLocation).driverId }
      } else continue
      streamTime = Math.max(streamTime, record.timestamp)
      const start = Math.floor(record.timestamp / 60_000) * 60_000
      if (start + 60_000 + SURGE_GRACE_MS <= streamTime) {
        late++
        continue
      }
      const id = `${cell}@${start}`
      const w = windows.get(id) ?? { cell, start, requests: new Set<string>(), drivers: new Set<string>() }
      windows.set(id, w)
      if ('request' in signal) w.requests.add(signal.request)
      else w.drivers.add(signal.driver)
    }
    const expected = [...windows.values()]
      .filter((w) => w.start + 60_000 + SURGE_GRACE_MS <= streamTime)
      .map((w) => {
        const [demand, supply] = [w.requests.size, w.drivers.size]
        const multiplier = demand > supply ? Math.min(demand / Math.max(supply, 1), MAX_SURGE) : 1
        return { cell: w.cell, windowStart: w.start, windowEnd: w.start + 60_000, demand, supply, multiplier }
      })
    expect(late).toBeGreaterThan(0)

    for (const record of city) {
      if (record.topic === 'ride_requests') await requests.pipeInput(record.key as string, record.value as RideRequest, record.timestamp)
      if (record.topic === 'vehicle_locations') await locations.pipeInput(record.key as string, record.value as VehicleLocation, record.timestamp)
    }
    const byId = (list: readonly (SurgePrice | null)[]) => list.map((p) => p!).sort((a, b) => a.windowStart - b.windowStart || a.cell.localeCompare(b.cell))
    expect(byId(surge.readValuesToList())).toEqual(byId(expected))
    expect(driver.metrics().droppedRecordsByReason.late).toBe(late)
  })

  it('keeps demand and supply per zone and window queryable and names its repartition topics', async () => {
    await sendRequest(request('r1', downtown, T0 + 1_000))
    await sendPing(ping('driver-1', downtown, T0 + 2_000))
    await sendPing(ping('driver-1', downtown, T0 + 3_000))
    await sendRequest(request('r1', downtown, T0 + 4_000)) // sent twice by a retrying producer: one request
    expect(await driver.getWindowStore<string, string[]>(SURGE_NAMES.demandWindows).fetch(DOWNTOWN, T0)).toEqual(['r1'])
    expect(await driver.getWindowStore<string, string[]>(SURGE_NAMES.supplyWindows).fetch(DOWNTOWN, T0)).toEqual(['driver-1'])
    const description = buildSurgePricing().describe()
    expect(description).toContain('surge-demand-by-zone-repartition')
    expect(description).toContain('surge-supply-by-zone-repartition')
    expect(description).toContain('surge-demand-supply-join-this')
    expect(description).toContain('surge-final-per-window')
    expect(bundled.build({}).outputs.map((o) => o.topic)).toEqual(['surge_pricing'])
    expect(bundled.build({}).stores).toEqual([SURGE_NAMES.demandWindows, SURGE_NAMES.supplyWindows])
  })

  it('puts both repartition topics in one co-partition group, so the join reads them partition by partition', () => {
    expect(buildSurgePricing().copartitionGroups).toEqual([['surge-demand-by-zone-repartition', 'surge-supply-by-zone-repartition']])
  })
})
