import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { haversineKm, etaSeconds } from '../../src/geo/index.js'
import { bundled, type UnmatchedRideRequest } from '../../topologies/ride-matching/index.js'
import { simulateCity, type CityRecord } from '../../topologies/generator/index.js'
import type { RideAssignment, RideRequest, VehicleLocation } from '../../topologies/velocity/domain.js'
import { sendCityRecords } from './city-records.js'
import { createTopicsOf, type KafkaFixture, readPartitions, startStreams, str, type StreamsFixture, testBrokerKind, waitFor } from './fixtures.js'

const APP = 'ride-matching-e2e'
const CITY = { seed: 11, drivers: 20, riders: 150, durationS: 420, outOfOrderFraction: 0.02, duplicateFraction: 0.02 } as const
// The bundled defaults, restated: the expectation below is computed from them independently.
const STALE_AFTER_MS = 30_000
const PICKUP_TIMEOUT_MS = 300_000
const MAX_PICKUP_KM = 5
const CITY_SPEED_KMH = 25

interface Expected {
  readonly assigned: Map<string, { driverId: string; distanceKm: number }>
  readonly unmatched: Set<string>
}

/**
 * The matching rules, written plainly: a scan of every known driver per request. Records are taken
 * in the order the dispatcher's task sees them: the two topics (one partition each) merged by
 * timestamp, each in its own delivery order, a request first when timestamps are equal (the
 * topology declares ride_requests first, and a task takes its first input on equal timestamps).
 */
function expectedMatching(records: readonly CityRecord[]): Expected {
  const requests = records.filter((r) => r.topic === 'ride_requests')
  const pings = records.filter((r) => r.topic === 'vehicle_locations')
  const drivers = new Map<string, { lat: number; lng: number; ts: number; riderId: string | null; busy: { at: number; pickedUp: boolean } | null }>()
  const answered = new Set<string>()
  const assigned = new Map<string, { driverId: string; distanceKm: number }>()
  const unmatched = new Set<string>()
  let streamTime = -Infinity
  let r = 0
  let p = 0
  while (r < requests.length || p < pings.length) {
    const takeRequest = p >= pings.length || (r < requests.length && requests[r]!.timestamp <= pings[p]!.timestamp)
    const record = takeRequest ? requests[r++]! : pings[p++]!
    streamTime = Math.max(streamTime, record.timestamp)
    if (!takeRequest) {
      const ping = record.value as VehicleLocation
      const known = drivers.get(ping.driverId)
      if (known !== undefined && ping.ts < known.ts) continue
      let busy = known?.busy ?? null
      if (busy !== null) {
        if (ping.riderId !== null) busy = { ...busy, pickedUp: true }
        else if (busy.pickedUp || ping.ts - busy.at >= PICKUP_TIMEOUT_MS) busy = null
      }
      drivers.set(ping.driverId, { lat: ping.lat, lng: ping.lng, ts: ping.ts, riderId: ping.riderId, busy })
      continue
    }
    const request = record.value as RideRequest
    if (answered.has(request.requestId)) continue
    answered.add(request.requestId)
    const now = Math.max(streamTime, request.ts)
    let best: { driverId: string; distanceKm: number } | undefined
    for (const [driverId, d] of drivers) {
      const free = d.riderId === null && now - d.ts <= STALE_AFTER_MS && (d.busy === null || (!d.busy.pickedUp && now - d.busy.at >= PICKUP_TIMEOUT_MS))
      if (!free) continue
      const km = haversineKm({ lat: request.pickupLat, lng: request.pickupLng }, d)
      if (km > MAX_PICKUP_KM) continue
      if (best === undefined || km < best.distanceKm || (km === best.distanceKm && driverId < best.driverId)) best = { driverId, distanceKm: km }
    }
    if (best === undefined) unmatched.add(request.requestId)
    else {
      assigned.set(request.requestId, best)
      drivers.set(best.driverId, { ...drivers.get(best.driverId)!, busy: { at: now, pickedUp: false } })
    }
  }
  return { assigned, unmatched }
}

describe(`ride-matching end to end (${testBrokerKind()} broker, generated city)`, () => {
  let env: StreamsFixture
  let kafka: KafkaFixture

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
  })

  afterEach(() => env.close())

  it('answers every generated request as a scan of every driver would', async () => {
    const records = [...simulateCity(CITY)].filter((r) => r.topic === 'vehicle_locations' || r.topic === 'ride_requests')
    const expected = expectedMatching(records)
    const requestIds = new Set(records.filter((r) => r.topic === 'ride_requests').map((r) => (r.value as RideRequest).requestId))
    // The city must exercise both outcomes, or the comparison proves little.
    expect(expected.assigned.size).toBeGreaterThan(10)
    expect(expected.unmatched.size).toBeGreaterThan(0)
    expect(expected.assigned.size + expected.unmatched.size).toBe(requestIds.size)

    // One partition per input: the dispatcher's order of pings and requests is then the timestamp
    // merge the expectation assumes (with several, upstream tasks interleave at will).
    const built = bundled.build({})
    await createTopicsOf(kafka, built, { inputs: 1, outputs: 3 })
    const producer = kafka.track(kafka.clients.producer())
    await sendCityRecords(producer, records)

    const app = env.newApp(built.topology, {
      commitIntervalMs: 200,
      // Wait for both inputs to be buffered before taking the earlier record, so the merge is by timestamp.
      maxTaskIdleMs: 2_000,
    })
    await app.start()

    const reader = env.reader()
    const readOutputs = async () => ({
      assignments: (await readPartitions(reader, 'ride_assignments', 3)).map((r) => JSON.parse(str(r.value)!) as RideAssignment),
      unmatched: (await readPartitions(reader, 'unmatched_ride_requests', 3)).map((r) => JSON.parse(str(r.value)!) as UnmatchedRideRequest),
    })
    await waitFor('an answer to every request', async () => {
      const { assignments, unmatched } = await readOutputs()
      return assignments.length + unmatched.length >= requestIds.size
    }, 20_000)
    const { assignments, unmatched } = await readOutputs()

    expect(new Set(unmatched.map((u) => u.requestId))).toEqual(expected.unmatched)
    expect(assignments.map((a) => a.requestId).sort()).toEqual([...expected.assigned.keys()].sort())
    for (const a of assignments) {
      const want = expected.assigned.get(a.requestId)!
      expect(a.driverId, a.requestId).toBe(want.driverId)
      expect(a.distanceKm).toBeCloseTo(want.distanceKm, 9)
      expect(a.etaSeconds).toBe(etaSeconds(want.distanceKm, CITY_SPEED_KMH))
    }
  }, 40_000)
})
