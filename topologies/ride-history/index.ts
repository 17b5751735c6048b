/**
 * ride-history (Team Echo): location pings with a rider on board grouped into discrete rides by
 * session windows keyed by driver and rider (inactivity gap 2 minutes). When a ride's session
 * closes, the ride (start and stop, duration, distance along the pings, price) goes to `rides`.
 *
 * The price uses the surge multiplier of the zone and minute the ride started in, read from
 * `surge_pricing` into a table of each zone's recent windows. Finished rides are re-keyed by their
 * start zone to meet that table (a repartition topic), priced, and written keyed by ride id.
 */
import { Serdes, SessionWindows, StreamsBuilder, Suppressed, type Serde, type Topology } from '../../src/index.js'
import type { BundledTopology } from '../types.js'
import { VELOCITY_TOPICS, type Ride, type SurgePrice, type VehicleLocation } from '../velocity/domain.js'
import { emptySurgeHistory, priceRide, recordSurge, startCell, type SurgeHistory } from './pricing.js'
import { addPing, emptyTrip, mergeTrips, type TripAggregate } from './trip.js'

export { priceRide, surgeAt, recordSurge, type SurgeHistory } from './pricing.js'
export { addPing, emptyTrip, mergeTrips, tripKm, type TripAggregate } from './trip.js'

/** A ride ends when its pings stop for this long (the rider got out). */
export const RIDE_GAP_MS = 2 * 60_000
/**
 * How long a session waits for out-of-order pings after the gap, and how far out of order a ping
 * may arrive and still be placed exactly on the path. Later pings are dropped and counted.
 */
export const RIDE_GRACE_MS = 10_000

export const RIDE_HISTORY_NAMES = {
  /** Session store of the rides being assembled (queryable as a session store). */
  trips: 'ride-history-trips',
  /** Repartition topic of the pings by ride: `<app>-ride-history-pings-by-ride-repartition`. */
  pingsByRide: 'ride-history-pings-by-ride',
  /** Zone -> its recent surge windows. */
  surgeByZone: 'ride-history-surge-by-zone',
  /** Repartition topic of finished rides by start zone: `<app>-ride-history-price-repartition`. */
  price: 'ride-history-price',
  /**
   * The suppression of unfinished rides; its buffer is `<name>-store` (changelog
   * `<app>-ride-history-finished-rides-store-changelog`), a name that no change elsewhere moves.
   */
  finishedRides: 'ride-history-finished-rides',
} as const

export const rideHistorySerdes = {
  locationKey: Serdes.string(),
  location: Serdes.json<VehicleLocation>(),
  cell: Serdes.string(),
  surge: Serdes.json<SurgePrice>(),
  rideKey: Serdes.string(),
  ride: Serdes.json<Ride>(),
} as const

export interface RideHistoryOptions {
  /** Default RIDE_GRACE_MS. */
  readonly graceMs?: number
}

/** Builds the ride-history topology. */
export function buildRideHistory(options: RideHistoryOptions = {}): Topology {
  const graceMs = options.graceMs ?? RIDE_GRACE_MS
  const builder = new StreamsBuilder()

  const surgeByZone = builder
    .stream<string, SurgePrice>(VELOCITY_TOPICS.surgePricing, { keySerde: rideHistorySerdes.cell, valueSerde: rideHistorySerdes.surge })
    .groupByKey()
    .aggregate<SurgeHistory>(emptySurgeHistory, (_cell, surge, history) => recordSurge(history, surge), {
      storeName: RIDE_HISTORY_NAMES.surgeByZone,
      valueSerde: Serdes.json<SurgeHistory>(),
    })

  builder
    .stream<string, VehicleLocation>(VELOCITY_TOPICS.vehicleLocations, {
      keySerde: rideHistorySerdes.locationKey,
      valueSerde: rideHistorySerdes.location,
      timestampExtractor: (record) => record.value.ts,
    })
    .filter((_driverId, ping) => ping.riderId !== null)
    // Keyed by driver and rider: a driver who drops one rider and picks up the next within the gap
    // starts a new ride rather than extending the last one.
    .groupBy((_driverId, ping) => `${ping.driverId}:${ping.riderId}`, {
      keySerde: Serdes.string(),
      valueSerde: rideHistorySerdes.location,
      name: RIDE_HISTORY_NAMES.pingsByRide,
    })
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(RIDE_GAP_MS, graceMs))
    .aggregate<TripAggregate>(
      emptyTrip,
      (_ride, ping, trip) => addPing(trip, ping, graceMs),
      (_ride, a, b) => mergeTrips(a, b),
      { storeName: RIDE_HISTORY_NAMES.trips, valueSerde: Serdes.json<TripAggregate>() },
    )
    // One result per ride, once no ping can extend it any more.
    .suppress(Suppressed.untilWindowCloses().withName(RIDE_HISTORY_NAMES.finishedRides))
    .toStream()
    .map<string, TripAggregate>((_session, trip) => [startCell(trip), trip])
    .leftJoin(surgeByZone, (trip, history) => priceRide(trip, history ?? null), {
      name: RIDE_HISTORY_NAMES.price,
      keySerde: rideHistorySerdes.cell,
      valueSerde: Serdes.json<TripAggregate>(),
    })
    .selectKey((_cell, ride) => ride.rideId)
    .to(VELOCITY_TOPICS.rides, { keySerde: rideHistorySerdes.rideKey, valueSerde: rideHistorySerdes.ride })

  return builder.build()
}

export const bundled: BundledTopology = {
  name: 'ride-history',
  description: 'Rides assembled from location pings by session windows, priced with the surge of their start zone',
  // Sessions behind a repartition: exact whatever the speeds of the input partitions, and the last
  // rides come out once the pings stop (docs/windows.md, "Event time across partitions").
  config: { watermarks: 'upstream' },
  build() {
    return {
      topology: buildRideHistory(),
      inputs: [VELOCITY_TOPICS.vehicleLocations, VELOCITY_TOPICS.surgePricing],
      outputs: [{
        topic: VELOCITY_TOPICS.rides,
        keySerde: rideHistorySerdes.rideKey as Serde<unknown>,
        valueSerde: rideHistorySerdes.ride as Serde<unknown>,
      }],
      // The rides in progress (a session store) and each zone's recent surge (key-value).
      stores: [RIDE_HISTORY_NAMES.trips, RIDE_HISTORY_NAMES.surgeByZone],
    }
  },
}
