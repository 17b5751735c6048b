import { ConfigError, Serdes, StreamsBuilder, type Topology } from '../../src/index.js'
import type { LatLng } from '../../src/geo/index.js'
import { VELOCITY_TOPICS, type RideAssignment, type RideRequest, type VehicleLocation } from '../velocity/domain.js'
import { dispatcher, type DispatchOutcome } from './dispatcher.js'
import {
  RIDE_MATCHING_STORES, UNMATCHED_RIDE_REQUESTS_TOPIC, type DispatchEvent, type DriverState, type ResolvedRideMatchingOptions,
  type RideMatchingOptions, type UnmatchedRideRequest,
} from './types.js'

/** The one dispatch area of the default: the whole city is matched by one task (see README). */
export const WHOLE_CITY_AREA = 'city'

export function resolveRideMatchingOptions(options: RideMatchingOptions = {}): ResolvedRideMatchingOptions {
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback
    if (!(v > 0) || !Number.isFinite(v)) throw new ConfigError(`Ride matching option ${name} must be a number > 0, got ${String(value)}.`)
    return v
  }
  const indexResolution = options.indexResolution ?? 8
  if (!Number.isInteger(indexResolution) || indexResolution < 0 || indexResolution > 15) {
    throw new ConfigError(`Ride matching option indexResolution must be an H3 resolution from 0 to 15, got ${String(options.indexResolution)}.`)
  }
  return {
    staleAfterMs: positive('staleAfterMs', options.staleAfterMs, 30_000),
    pickupTimeoutMs: positive('pickupTimeoutMs', options.pickupTimeoutMs, 5 * 60_000),
    maxPickupKm: positive('maxPickupKm', options.maxPickupKm, 5),
    citySpeedKmh: positive('citySpeedKmh', options.citySpeedKmh, 25),
    indexResolution,
    dispatchAreaOf: options.dispatchAreaOf ?? (() => WHOLE_CITY_AREA),
    retentionMs: positive('retentionMs', options.retentionMs, 10 * 60_000),
  }
}

const isPosition = (p: LatLng): boolean => Number.isFinite(p.lat) && Number.isFinite(p.lng) && Math.abs(p.lat) <= 90 && Math.abs(p.lng) <= 180

/**
 * The matching service: every ride request on `ride_requests` is answered on `ride_assignments`
 * with the nearest free driver according to the latest `vehicle_locations`, or on
 * `unmatched_ride_requests` when no free driver is within range.
 *
 * @example
 * const topology = rideMatchingTopology({ maxPickupKm: 3 })
 * const app = new KafkaStreams(topology, { applicationId: 'ride-matching', bootstrapServers })
 */
export function rideMatchingTopology(options: RideMatchingOptions = {}): Topology {
  const resolved = resolveRideMatchingOptions(options)
  const b = new StreamsBuilder()
  b.addStateStore({ name: RIDE_MATCHING_STORES.drivers, type: 'keyValue', keySerde: Serdes.string(), valueSerde: Serdes.json<DriverState>() })
  b.addStateStore({ name: RIDE_MATCHING_STORES.cells, type: 'keyValue', keySerde: Serdes.string(), valueSerde: Serdes.json<string[]>() })
  b.addStateStore({ name: RIDE_MATCHING_STORES.requests, type: 'keyValue', keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })

  // Requests are declared first: when a request and a ping carry the same timestamp, the task
  // takes the request first (ties go to the first input), as the request was made before that ping was seen.
  const requests = b
    .stream<string, RideRequest>(VELOCITY_TOPICS.rideRequests, {
      keySerde: Serdes.string(),
      valueSerde: Serdes.json<RideRequest>(),
      timestampExtractor: (record) => record.value?.ts ?? record.timestamp,
    })
    .filter((_requestId, request) => request !== null && isPosition({ lat: request.pickupLat, lng: request.pickupLng }), { name: 'ride-matching-valid-requests' })
    .mapValues((request): DispatchEvent => ({ kind: 'request', request }), { name: 'ride-matching-request-events' })

  const pings = b
    .stream<string, VehicleLocation>(VELOCITY_TOPICS.vehicleLocations, {
      keySerde: Serdes.string(),
      valueSerde: Serdes.json<VehicleLocation>(),
      timestampExtractor: (record) => record.value?.ts ?? record.timestamp,
    })
    .filter((_driverId, ping) => ping !== null && isPosition(ping), { name: 'ride-matching-valid-pings' })
    .mapValues((ping): DispatchEvent => ({ kind: 'ping', ping }), { name: 'ride-matching-ping-events' })

  // Nearest-driver search needs every driver of an area in one task: both inputs are re-keyed by
  // dispatch area and meet in one repartition topic, in the order they were processed upstream.
  const outcomes = pings
    .merge(requests, { name: 'ride-matching-events' })
    .selectKey((_key, event) => resolved.dispatchAreaOf(event.kind === 'ping' ? event.ping : { lat: event.request.pickupLat, lng: event.request.pickupLng }), {
      name: 'ride-matching-area',
    })
    .repartition({ name: 'ride-matching-dispatch', keySerde: Serdes.string(), valueSerde: Serdes.json<DispatchEvent>() })
    .process(dispatcher(resolved), {
      name: 'ride-matching-dispatcher',
      stores: [RIDE_MATCHING_STORES.drivers, RIDE_MATCHING_STORES.cells, RIDE_MATCHING_STORES.requests],
    })

  const { assigned, unmatched } = outcomes.split(
    { assigned: (_id, outcome: DispatchOutcome) => outcome.kind === 'assigned', unmatched: (_id, outcome: DispatchOutcome) => outcome.kind === 'unmatched' },
    { name: 'ride-matching-outcome' },
  )
  assigned
    .mapValues((outcome) => (outcome as Extract<DispatchOutcome, { kind: 'assigned' }>).assignment, { name: 'ride-matching-assignments' })
    .to(VELOCITY_TOPICS.rideAssignments, { keySerde: Serdes.string(), valueSerde: Serdes.json<RideAssignment>(), name: 'ride-matching-assignments-sink' })
  unmatched
    .mapValues((outcome) => (outcome as Extract<DispatchOutcome, { kind: 'unmatched' }>).unmatched, { name: 'ride-matching-unmatched' })
    .to(UNMATCHED_RIDE_REQUESTS_TOPIC, { keySerde: Serdes.string(), valueSerde: Serdes.json<UnmatchedRideRequest>(), name: 'ride-matching-unmatched-sink' })
  return b.build()
}
