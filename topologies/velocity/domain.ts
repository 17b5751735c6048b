/**
 * Velocity's ride-sharing domain: the records on the topics the bundled topologies read and
 * write. Positions are decimal degrees, times are epoch milliseconds, money is integer cents.
 */

/** Topic names, as the teams publish them. */
export const VELOCITY_TOPICS = {
  /** Key: driverId (string). Value: VehicleLocation (JSON). One per driver per second. */
  vehicleLocations: 'vehicle_locations',
  /** Debezium CDC from PostgreSQL (JSON converter). Key: `{ id }`. Value: envelope of DriverProfile. */
  driverProfiles: 'driver_profiles',
  /** Debezium CDC from MySQL (JSON converter). Key: `{ id }`. Value: envelope of RiderProfile. */
  riderProfiles: 'rider_profiles',
  /** Key: requestId. Value: RideRequest (JSON). */
  rideRequests: 'ride_requests',
  /** Key: driverId. Value: EnrichedLocation (JSON). */
  driverRiderVehicleLocation: 'driver_rider_vehicle_location',
  /** Key: H3 cell. Value: SurgePrice (JSON). */
  surgePricing: 'surge_pricing',
  /** Key: rideId. Value: Ride (JSON). */
  rides: 'rides',
  /** Key: requestId. Value: RideAssignment (JSON). */
  rideAssignments: 'ride_assignments',
} as const

/** What a driver's app sends every second. `riderId` is set while a rider is in the car. */
export interface VehicleLocation {
  readonly driverId: string
  readonly riderId: string | null
  readonly lat: number
  readonly lng: number
  /** Degrees clockwise from north. */
  readonly heading: number
  readonly speedKmh: number
  /** When the phone took the fix (event time). */
  readonly ts: number
}

/** A row of Team Charlie's PostgreSQL `drivers` table (snake_case columns, as the connector emits them). */
export interface DriverProfile {
  readonly id: string
  readonly name: string
  /** 1.0 to 5.0. */
  readonly rating: number
  readonly vehicle_make: string
  readonly vehicle_model: string
  readonly vehicle_plate: string
  readonly vehicle_seats: number
}

export type PaymentMethod = 'card' | 'wallet' | 'cash'

/** A row of Team Alpha's MySQL `riders` table. */
export interface RiderProfile {
  readonly id: string
  readonly name: string
  readonly phone: string
  readonly payment_method: PaymentMethod
}

/** A rider asks for a ride from a pickup point to a destination. */
export interface RideRequest {
  readonly requestId: string
  readonly riderId: string
  readonly pickupLat: number
  readonly pickupLng: number
  readonly destinationLat: number
  readonly destinationLng: number
  readonly ts: number
}

/** The fleet map's record: a location with its zone, driver and rider (null when unknown or none). */
export interface EnrichedLocation extends VehicleLocation {
  /** H3 cell at the surge resolution (7). */
  readonly cell: string
  readonly driver: {
    readonly name: string
    readonly rating: number
    readonly vehicle: { readonly make: string; readonly model: string; readonly plate: string; readonly seats: number }
  } | null
  readonly rider: { readonly name: string; readonly phone: string; readonly paymentMethod: PaymentMethod } | null
}

/** Surge pricing of one zone for one closed window. */
export interface SurgePrice {
  readonly cell: string
  readonly windowStart: number
  readonly windowEnd: number
  /** Ride requests in the cell and window. */
  readonly demand: number
  /** Distinct available drivers (no rider) that pinged in the cell and window. */
  readonly supply: number
  readonly multiplier: number
}

export interface RidePoint {
  readonly lat: number
  readonly lng: number
  readonly ts: number
}

/** One ride, from the first to the last ping with the rider on board. */
export interface Ride {
  readonly rideId: string
  readonly driverId: string
  readonly riderId: string
  readonly start: RidePoint
  readonly stop: RidePoint
  readonly durationMs: number
  /** Along the pings (haversine between consecutive pings in time order). */
  readonly distanceKm: number
  /** The surge multiplier of the start cell when known, else 1. */
  readonly surge: number
  readonly priceCents: number
}

/** The matching service's answer to a ride request. */
export interface RideAssignment {
  readonly requestId: string
  readonly riderId: string
  readonly driverId: string
  readonly distanceKm: number
  readonly etaSeconds: number
  readonly ts: number
}
