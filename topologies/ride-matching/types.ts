import type { LatLng } from '../../src/geo/index.js'
import type { RideRequest, VehicleLocation } from '../velocity/domain.js'

/** Where requests nobody could serve go. Key: requestId. Value: UnmatchedRideRequest (JSON). */
export const UNMATCHED_RIDE_REQUESTS_TOPIC = 'unmatched_ride_requests'

/** The key-value stores of the matching service (queryable with `app.store(name)`). */
export const RIDE_MATCHING_STORES = {
  /** `<area>|<driverId>` -> DriverState: each driver's latest position and dispatch status. */
  drivers: 'ride-matching-drivers',
  /** `<area>|<H3 cell>` -> driverIds whose latest position is in that cell: the index the search walks ring by ring. */
  cells: 'ride-matching-cells',
  /** requestId -> event time of the request: requests already answered, so a re-sent request is not matched twice. */
  requests: 'ride-matching-requests',
} as const

/** A request no free driver could serve, with why. */
export interface UnmatchedRideRequest {
  readonly requestId: string
  readonly riderId: string
  readonly pickupLat: number
  readonly pickupLng: number
  readonly reason: 'no-driver-in-range'
  /** The pickup radius that was searched. */
  readonly searchedKm: number
  readonly ts: number
}

/** A driver the dispatcher sent to a request, until the ride is over (or the pickup timed out). */
export interface DriverAssignment {
  readonly requestId: string
  readonly riderId: string
  /** Stream time of the assignment. */
  readonly at: number
  /** True once a ping showed a rider aboard: the next ping without one ends the assignment. */
  readonly pickedUp: boolean
}

/** What the dispatcher knows about a driver: their latest ping and whether they are busy. */
export interface DriverState {
  readonly driverId: string
  readonly lat: number
  readonly lng: number
  /** H3 cell of the position at the index resolution. */
  readonly cell: string
  /** Event time of the latest ping. */
  readonly ts: number
  /** The rider aboard according to the latest ping. */
  readonly riderId: string | null
  readonly assignment: DriverAssignment | null
}

/** Both inputs travel to the dispatcher through one repartition topic, keyed by dispatch area. */
export type DispatchEvent =
  | { readonly kind: 'ping'; readonly ping: VehicleLocation }
  | { readonly kind: 'request'; readonly request: RideRequest }

export interface RideMatchingOptions {
  /** Drivers whose latest ping is older than this, in stream time, are not matched. Default 30 s. */
  readonly staleAfterMs?: number
  /** An assigned driver whose pings never showed a rider aboard is free again after this long (stream time). Default 5 min. */
  readonly pickupTimeoutMs?: number
  /** Farthest a driver may be from the pickup, in km. Default 5. */
  readonly maxPickupKm?: number
  /** Typical city speed the ETA assumes, in km/h. Default 25. */
  readonly citySpeedKmh?: number
  /** H3 resolution of the driver index (cells ~0.7 km² at 8). Default 8. */
  readonly indexResolution?: number
  /**
   * The dispatch area of a position. Every driver and request of one area is matched by one task,
   * so the search only sees drivers of the request's area. Default: one area for the whole city.
   */
  readonly dispatchAreaOf?: (point: LatLng) => string
  /** Drivers silent this long are forgotten; answered requests are remembered this long. Default 10 min. */
  readonly retentionMs?: number
}

/** RideMatchingOptions with every default applied. */
export type ResolvedRideMatchingOptions = Required<RideMatchingOptions>
