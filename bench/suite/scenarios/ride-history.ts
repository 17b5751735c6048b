import { buildRideHistory, RIDE_GAP_MS, RIDE_GRACE_MS, addPing, mergeTrips, priceRide, type TripAggregate } from '../../../topologies/ride-history/index.js'
import { emptyTrip } from '../../../topologies/ride-history/trip.js'
import { VELOCITY_TOPICS, type VehicleLocation } from '../../../topologies/velocity/domain.js'
import { cityInputs, cityScale } from './city-data.js'
import type { InputRecord, Scenario } from './scenario.js'

interface Session {
  start: number
  end: number
  trip: TripAggregate
}

/**
 * ride-history by hand: the pings with a rider, per driver and rider a list of sessions (merged
 * when a ping falls within the gap of several), each priced and written once stream time has
 * passed its end plus the gap and the grace. No surge history: the bench feeds no surge prices,
 * so every ride is priced at 1.0, as the topology prices it with an empty surge table.
 */
function computeLimit(inputs: readonly InputRecord[]): number {
  const sessions = new Map<string, Session[]>()
  let streamTime = -1
  let emitted = 0
  let nextSweep = 0
  for (const input of inputs) {
    if (input.topic !== VELOCITY_TOPICS.vehicleLocations || input.value === null) continue
    const ping = JSON.parse(input.value.toString()) as VehicleLocation
    if (ping.riderId === null) continue
    const ts = ping.ts
    if (ts > streamTime) streamTime = ts
    if (ts < streamTime - RIDE_GRACE_MS - RIDE_GAP_MS) continue
    const key = `${ping.driverId}:${ping.riderId}`
    const list = sessions.get(key) ?? []
    const merged: Session = { start: ts, end: ts, trip: emptyTrip() }
    const kept: Session[] = []
    for (const s of list) {
      if (s.end + RIDE_GAP_MS >= ts && s.start - RIDE_GAP_MS <= ts) {
        merged.start = Math.min(merged.start, s.start)
        merged.end = Math.max(merged.end, s.end)
        merged.trip = merged.trip.empty ? s.trip : mergeTrips(merged.trip, s.trip)
      } else kept.push(s)
    }
    merged.trip = addPing(merged.trip, ping, RIDE_GRACE_MS)
    kept.push(merged)
    sessions.set(key, kept)
    // Closing sessions needs a scan of every open ride; once per simulated second is enough.
    if (streamTime < nextSweep) continue
    nextSweep = streamTime + 1_000
    for (const [k, open] of sessions) {
      const still = open.filter((s) => {
        if (s.end + RIDE_GAP_MS + RIDE_GRACE_MS > streamTime) return true
        if (Buffer.from(JSON.stringify(priceRide(s.trip, null))).length > 0) emitted++
        return false
      })
      if (still.length === 0) sessions.delete(k)
      else if (still.length !== open.length) sessions.set(k, still)
    }
  }
  return emitted
}

/** Scenario 4: session windows, ride-history. */
export const rideHistoryScenario: Scenario = {
  name: 'ride-history',
  description: `session windows: ${VELOCITY_TOPICS.vehicleLocations} with a rider, re-keyed by driver and rider, aggregated into rides by 2-minute inactivity sessions (grace 10 s), suppressed until closed, priced with a table join`,
  inputTopics: [VELOCITY_TOPICS.vehicleLocations, VELOCITY_TOPICS.surgePricing],
  variants: [{ name: 'sessions-2m', build: () => ({ topology: buildRideHistory(), outputTopics: [VELOCITY_TOPICS.rides] }), computeLimit, kafkaStreams: { scenario: 'bench.RideHistory' } }],
  // Rides last minutes and close 2 minutes after their last ping: always simulate 10 minutes.
  prepare: (records, seed) => cityInputs(cityScale(records, 1, 600), seed, [VELOCITY_TOPICS.vehicleLocations], VELOCITY_TOPICS.vehicleLocations, records),
  dataSource: 'the city generator: one ping per driver per second (no surge prices are fed, so rides are priced at 1.0)',
}
