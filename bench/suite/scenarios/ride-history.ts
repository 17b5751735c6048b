import { buildRideHistory, bundled, RIDE_GAP_MS, RIDE_GRACE_MS, addPing, mergeTrips, priceRide, type TripAggregate } from '../../../topologies/ride-history/index.js'
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
 * ride-history by hand, as the topology runs on upstream watermarks (its bundled config): the
 * pings with a rider, per driver and rider a list of sessions (merged when a ping falls within the
 * gap of several), over every input. No ping is late: the pings are in event-time order (checked:
 * one more than the grace behind the newest fails the run) and the session task's event time is
 * the minimum over the upstream tasks, so no session closes before every ping of it is in. Once
 * the pings stop the event time moves on with the wall clock and every session closes, so each
 * ride is priced and written once, at the end. No surge history: the bench feeds no surge prices,
 * so every ride is priced at 1.0, as the topology prices it with an empty surge table.
 */
function computeLimit(inputs: readonly InputRecord[]): number {
  const sessions = new Map<string, Session[]>()
  let newest = Number.NEGATIVE_INFINITY
  for (const input of inputs) {
    if (input.topic !== VELOCITY_TOPICS.vehicleLocations || input.value === null) continue
    const ping = JSON.parse(input.value.toString()) as VehicleLocation
    const ts = ping.ts
    if (ts > newest) newest = ts
    else if (ts < newest - RIDE_GRACE_MS) throw new Error(`ride-history's compute limit needs the pings in event-time order within the grace: ${ts} came after ${newest}.`)
    if (ping.riderId === null) continue
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
  }
  let emitted = 0
  for (const rides of sessions.values()) {
    for (const s of rides) if (Buffer.from(JSON.stringify(priceRide(s.trip, null))).length > 0) emitted++
  }
  return emitted
}

/**
 * Event time past the newest ping for the last ride to close: a session closes at its last ping
 * plus the gap and the grace, and the last one may end with the newest ping.
 */
function closeAfterMs(): number {
  return RIDE_GAP_MS + RIDE_GRACE_MS
}

/** Scenario 4: session windows, ride-history. */
export const rideHistoryScenario: Scenario = {
  name: 'ride-history',
  description: `session windows: ${VELOCITY_TOPICS.vehicleLocations} with a rider, re-keyed by driver and rider, aggregated into rides by 2-minute inactivity sessions (grace 10 s), suppressed until closed, priced with a table join; on upstream watermarks, as bundled`,
  inputTopics: [VELOCITY_TOPICS.vehicleLocations, VELOCITY_TOPICS.surgePricing],
  variants: [
    {
      name: 'sessions-2m',
      build: () => ({ topology: buildRideHistory(), outputTopics: [VELOCITY_TOPICS.rides] }),
      computeLimit,
      // As `tributary run ride-history` runs it: on upstream watermarks.
      config: bundled.config,
      closeAfterMs,
      kafkaStreams: { scenario: 'bench.RideHistory' },
    },
  ],
  // Rides last minutes and close 2 minutes after their last ping: always simulate 10 minutes.
  prepare: (records, seed) => cityInputs(cityScale(records, 1, 600), seed, [VELOCITY_TOPICS.vehicleLocations], VELOCITY_TOPICS.vehicleLocations, records),
  dataSource: 'the city generator: one ping per driver per second (no surge prices are fed, so rides are priced at 1.0)',
}
