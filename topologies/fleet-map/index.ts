/**
 * fleet-map (Team Delta): every vehicle location enriched with its H3 zone, the driver's profile and
 * the rider's profile, for the live fleet map; plus a queryable store of each driver's latest
 * enriched position.
 *
 * - `driver_profiles` (Debezium CDC from PostgreSQL) is joined as a table. Its records are keyed by
 *   the connector's `{ "id": ... }` struct, whose bytes land on other partitions than the pings'
 *   plain string keys, so the table is re-keyed through a repartition topic to be co-partitioned
 *   with `vehicle_locations`.
 * - `rider_profiles` (Debezium CDC from MySQL) is a global table, looked up by the ping's riderId:
 *   the rider is not the ping's key, and every instance needs every rider.
 */
import { debeziumTimestampExtractor, Serdes, StreamsBuilder, type Serde, type Topology } from '../../src/index.js'
import { cellOf } from '../../src/geo/index.js'
import type { BundledTopology } from '../types.js'
import {
  VELOCITY_TOPICS, type DriverProfile, type EnrichedLocation, type RiderProfile, type VehicleLocation,
} from '../velocity/domain.js'

/** Names of the stores and internal topics, pinned so that state survives changes to the topology. */
export const FLEET_MAP_NAMES = {
  /** Queryable: driverId -> the driver's latest EnrichedLocation (by event time). */
  latestPositions: 'fleet-map-latest-positions',
  /** driverId -> the driver card, re-keyed from the CDC topic (`<app>-fleet-map-drivers-by-id-repartition`). */
  drivers: 'fleet-map-drivers',
  driversById: 'fleet-map-drivers-by-id',
  /** The CDC topic as read, keyed by the connector's primary key. */
  driverRows: 'fleet-map-driver-rows',
  /** riderId -> rider profile, on every instance. */
  riders: 'fleet-map-riders',
} as const

export type DriverCard = NonNullable<EnrichedLocation['driver']>
export type RiderCard = NonNullable<EnrichedLocation['rider']>

export function driverCard(profile: DriverProfile): DriverCard {
  return {
    name: profile.name,
    rating: profile.rating,
    vehicle: { make: profile.vehicle_make, model: profile.vehicle_model, plate: profile.vehicle_plate, seats: profile.vehicle_seats },
  }
}

export function riderCard(profile: RiderProfile): RiderCard {
  return { name: profile.name, phone: profile.phone, paymentMethod: profile.payment_method }
}

/** The record the fleet map draws: the ping as sent, its zone, and who is in the car. */
export function enrichLocation(ping: VehicleLocation, driver: DriverCard | null, rider: RiderProfile | null): EnrichedLocation {
  return { ...ping, cell: cellOf(ping), driver, rider: rider === null ? null : riderCard(rider) }
}

/** Serdes of the topics fleet-map reads and writes. */
export const fleetMapSerdes = {
  locationKey: Serdes.string(),
  location: Serdes.json<VehicleLocation>(),
  /** Debezium key struct `{ "id": "driver-0001" }`, read as the id. */
  profileKey: Serdes.debeziumKey<string>(Serdes.json(), { field: 'id' }),
  driverProfile: Serdes.debezium<DriverProfile>(Serdes.json()),
  riderProfile: Serdes.debezium<RiderProfile>(Serdes.json()),
  enriched: Serdes.json<EnrichedLocation>(),
} as const

/** Builds the fleet-map topology. */
export function buildFleetMap(): Topology {
  const builder = new StreamsBuilder()
  const pings = builder.stream<string, VehicleLocation>(VELOCITY_TOPICS.vehicleLocations, {
    keySerde: fleetMapSerdes.locationKey,
    valueSerde: fleetMapSerdes.location,
    // The phone's fix time, not when the record reached Kafka: pings arrive late and out of order.
    timestampExtractor: (record) => record.value.ts,
  })

  const driverRows = builder.table<string, DriverProfile | null>(VELOCITY_TOPICS.driverProfiles, {
    keySerde: fleetMapSerdes.profileKey,
    valueSerde: fleetMapSerdes.driverProfile,
    timestampExtractor: debeziumTimestampExtractor,
    storeName: FLEET_MAP_NAMES.driverRows,
  })
  // Re-key by the plain id (a repartition topic with string keys), so that a driver's profile sits
  // in the same partition as the driver's pings. A deleted row (CDC `d`) leaves null behind.
  const drivers = driverRows
    .groupBy<string, DriverCard | null>((id, row) => [id, row === null ? null : driverCard(row)], {
      keySerde: Serdes.string(),
      valueSerde: Serdes.json<DriverCard | null>(),
      name: FLEET_MAP_NAMES.driversById,
    })
    .aggregate<DriverCard | null>(
      () => null,
      (_id, card) => card,
      () => null,
      { storeName: FLEET_MAP_NAMES.drivers, valueSerde: Serdes.json<DriverCard | null>() },
    )

  const riders = builder.globalTable<string, RiderProfile | null>(VELOCITY_TOPICS.riderProfiles, {
    keySerde: fleetMapSerdes.profileKey,
    valueSerde: fleetMapSerdes.riderProfile,
    timestampExtractor: debeziumTimestampExtractor,
    storeName: FLEET_MAP_NAMES.riders,
  })

  const enriched = pings
    // Left joins: a driver without a profile (not yet replicated, or deleted) still shows on the map.
    .leftJoin(drivers, (ping, card): PingWithDriver => ({ ping, driver: card ?? null }), { name: 'fleet-map-join-driver' })
    .leftJoin(
      riders,
      // A ping without a rider is looked up under the empty id, which no rider has, so the left join
      // sends it on with `rider: null`. A null key would not do: Kafka Streams before 4.0 drops a
      // record whose global-table key is null even in a left join, 4.0 joins it with null.
      (_driverId, joined) => joined.ping.riderId ?? '',
      (joined, rider) => enrichLocation(joined.ping, joined.driver, rider ?? null),
      { name: 'fleet-map-join-rider' },
    )

  enriched.to(VELOCITY_TOPICS.driverRiderVehicleLocation, { keySerde: fleetMapSerdes.locationKey, valueSerde: fleetMapSerdes.enriched })

  // The map's current picture: per driver, the position with the newest fix. An out-of-order ping
  // goes to the output stream but does not move the car back on the map.
  enriched
    .groupByKey({ keySerde: fleetMapSerdes.locationKey, valueSerde: fleetMapSerdes.enriched })
    .reduce((current, next) => (next.ts >= current.ts ? next : current), {
      storeName: FLEET_MAP_NAMES.latestPositions,
      valueSerde: fleetMapSerdes.enriched,
    })

  // The profile topics are compacted CDC topics: they serve as the driver table's changelog
  // (Kafka Streams' reuse.ktable.source.topics), so no second copy is written.
  return builder.build({ optimization: 'reuse.ktable.source.topics' })
}

interface PingWithDriver {
  readonly ping: VehicleLocation
  readonly driver: DriverCard | null
}

export const bundled: BundledTopology = {
  name: 'fleet-map',
  description: 'Vehicle locations joined with driver (table) and rider (global table) profiles from CDC, plus each driver\'s latest position',
  build() {
    return {
      topology: buildFleetMap(),
      inputs: [VELOCITY_TOPICS.vehicleLocations, VELOCITY_TOPICS.driverProfiles, VELOCITY_TOPICS.riderProfiles],
      outputs: [{
        topic: VELOCITY_TOPICS.driverRiderVehicleLocation,
        keySerde: fleetMapSerdes.locationKey as Serde<unknown>,
        valueSerde: fleetMapSerdes.enriched as Serde<unknown>,
      }],
      stores: [FLEET_MAP_NAMES.latestPositions],
    }
  },
}
