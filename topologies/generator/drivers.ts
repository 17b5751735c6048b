import { bearingDegrees, destinationPoint, haversineKm, type LatLng } from '../../src/geo/index.js'
import type { VehicleLocation } from '../velocity/domain.js'
import { CITY_CENTRE, CITY_RADIUS_KM, randomPointInCity, roundCoordinate } from './city.js'
import type { Prng } from './prng.js'

/** Speeds of a moving car in the city, km/h. */
export const MIN_SPEED_KMH = 15
export const MAX_SPEED_KMH = 60
/** How much a car speeds up or slows down in one second, km/h. */
const ACCELERATION_KMH_PER_S = 5
/** How far a car turns in one second, degrees; sharper close to a stop so that it cannot circle it. */
const TURN_DEG_PER_S = 25
const TIGHT_TURN_DEG_PER_S = 60
/**
 * After a drop-off a driver takes a break before accepting a new ride, so that two rides of one
 * driver are always more than ride-history's 2-minute session gap apart.
 */
export const BREAK_AFTER_RIDE_S = 150

/** The simulation's own assignment of a ride request to a driver. */
export interface AssignedRide {
  readonly requestId: string
  readonly riderId: string
  readonly pickup: LatLng
  readonly destination: LatLng
}

export type DriverPhase = 'cruising' | 'to-pickup' | 'on-ride'

export interface Driver {
  readonly id: string
  /** Offset of this driver's pings within each second: phones do not tick together. */
  readonly pingOffsetMs: number
  lat: number
  lng: number
  heading: number
  speedKmh: number
  /** The speed the driver would like to drive at when nothing is in the way. */
  cruiseSpeedKmh: number
  /** The direction a cruising driver drifts in; a driver with a ride follows the streets around the straight line. */
  wanderHeading: number
  streetOffsetDeg: number
  phase: DriverPhase
  ride: AssignedRide | null
  riderId: string | null
  /** The first simulated second at which the driver accepts a ride. */
  availableFromS: number
}

export function driverId(index: number, total: number): string {
  return `driver-${String(index + 1).padStart(Math.max(4, String(total).length), '0')}`
}

export function createDriver(prng: Prng, index: number, total: number): Driver {
  const start = randomPointInCity(prng)
  const heading = prng.between(0, 360)
  const speed = prng.between(20, 45)
  return {
    id: driverId(index, total),
    pingOffsetMs: prng.int(0, 999),
    lat: start.lat,
    lng: start.lng,
    heading,
    speedKmh: speed,
    cruiseSpeedKmh: speed,
    wanderHeading: heading,
    streetOffsetDeg: 0,
    phase: 'cruising',
    ride: null,
    riderId: null,
    availableFromS: 0,
  }
}

export function isAvailable(driver: Driver, second: number): boolean {
  return driver.phase === 'cruising' && second >= driver.availableFromS
}

export function assignRide(driver: Driver, ride: AssignedRide): void {
  driver.phase = 'to-pickup'
  driver.ride = ride
}

/** Signed smallest difference `to - from` between two headings, in (-180, 180]. */
function turnBetween(from: number, to: number): number {
  const diff = (((to - from) % 360) + 540) % 360 - 180
  return diff === -180 ? 180 : diff
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value))

function desiredHeading(driver: Driver, prng: Prng, target: LatLng | null, distanceKm: number): number {
  const position = { lat: driver.lat, lng: driver.lng }
  if (target !== null) {
    // Streets are not straight lines: drift a little around the direct bearing, less when close.
    driver.streetOffsetDeg = clamp(driver.streetOffsetDeg + prng.between(-6, 6), -25, 25)
    const offset = distanceKm < 0.3 ? 0 : driver.streetOffsetDeg
    return bearingDegrees(position, target) + offset
  }
  if (haversineKm(CITY_CENTRE, position) > CITY_RADIUS_KM - 0.5) {
    driver.wanderHeading = bearingDegrees(position, CITY_CENTRE) + prng.between(-30, 30)
  } else if (prng.chance(0.05)) {
    driver.wanderHeading += prng.between(30, 90) * (prng.chance(0.5) ? 1 : -1)
  }
  return driver.wanderHeading
}

/**
 * Moves the driver by one simulated second: turns smoothly towards where it is going, speeds up
 * or slows down within what a car can do, and reports a pickup or a drop-off when it arrives.
 * On a drop-off the rider is still aboard for this second's ping; call `finishRide` after it.
 */
export function stepDriver(driver: Driver, prng: Prng): 'picked-up' | 'dropped-off' | undefined {
  const target = driver.ride === null ? null : driver.phase === 'to-pickup' ? driver.ride.pickup : driver.ride.destination
  const distanceKm = target === null ? Infinity : haversineKm({ lat: driver.lat, lng: driver.lng }, target)

  const desired = desiredHeading(driver, prng, target, distanceKm)
  const maxTurn = distanceKm < 0.15 ? TIGHT_TURN_DEG_PER_S : TURN_DEG_PER_S
  driver.heading = (driver.heading + clamp(turnBetween(driver.heading, desired), -maxTurn, maxTurn) + 360) % 360

  if (prng.chance(0.1)) driver.cruiseSpeedKmh = clamp(driver.cruiseSpeedKmh + prng.between(-10, 10), 20, 55)
  // Slow down on the last few hundred metres before a stop.
  const wanted = Math.min(driver.cruiseSpeedKmh, MIN_SPEED_KMH + (distanceKm / 0.4) * (MAX_SPEED_KMH - MIN_SPEED_KMH))
  driver.speedKmh = clamp(
    driver.speedKmh + clamp(wanted - driver.speedKmh, -ACCELERATION_KMH_PER_S, ACCELERATION_KMH_PER_S),
    MIN_SPEED_KMH,
    MAX_SPEED_KMH,
  )

  const stepKm = driver.speedKmh / 3600
  // Arrive only when this second's move reaches the stop, so that no ping jumps further than the
  // speed allows; slowing down and the tight turns near a stop keep the car from circling it.
  if (target !== null && distanceKm <= stepKm) {
    driver.lat = target.lat
    driver.lng = target.lng
    if (driver.phase === 'to-pickup') {
      driver.phase = 'on-ride'
      driver.riderId = driver.ride!.riderId
      return 'picked-up'
    }
    return 'dropped-off'
  }
  const next = destinationPoint({ lat: driver.lat, lng: driver.lng }, driver.heading, stepKm)
  driver.lat = next.lat
  driver.lng = next.lng
  return undefined
}

/** The rider gets out: the driver is free again after a break. */
export function finishRide(driver: Driver, second: number): void {
  driver.phase = 'cruising'
  driver.ride = null
  driver.riderId = null
  driver.wanderHeading = driver.heading
  driver.availableFromS = second + 1 + BREAK_AFTER_RIDE_S
}

export function pingOf(driver: Driver, ts: number): VehicleLocation {
  return {
    driverId: driver.id,
    riderId: driver.riderId,
    lat: roundCoordinate(driver.lat),
    lng: roundCoordinate(driver.lng),
    heading: (Math.round(driver.heading * 10) / 10) % 360,
    speedKmh: Math.round(driver.speedKmh * 10) / 10,
    ts,
  }
}
