import { ConfigError } from '../../src/index.js'
import { bearingDegrees, destinationPoint, haversineKm, type LatLng } from '../../src/geo/index.js'
import type { Prng } from './prng.js'
import type { CityOptions } from './types.js'

/** San Francisco's civic centre: the city the simulation takes place in. */
export const CITY_CENTRE: LatLng = Object.freeze({ lat: 37.7749, lng: -122.4194 })

/** Drivers stay within this distance of the centre. */
export const CITY_RADIUS_KM = 6

/** Where ride requests concentrate (offsets from the centre): downtown, Mission, Marina, Sunset. */
const HOTSPOTS: readonly { bearing: number; distanceKm: number }[] = [
  { bearing: 45, distanceKm: 1.6 },
  { bearing: 160, distanceKm: 1.8 },
  { bearing: 330, distanceKm: 3.2 },
  { bearing: 250, distanceKm: 4.0 },
]

export const DEFAULT_START_MS = Date.UTC(2026, 0, 1, 8, 0, 0)

/** CityOptions with every default applied and checked. */
export interface ResolvedCityOptions {
  readonly seed: number
  readonly drivers: number
  readonly riders: number
  readonly durationS: number
  readonly startMs: number
  readonly requestsPerSecond: number
  readonly outOfOrderFraction: number
  readonly lateFraction: number
  readonly duplicateFraction: number
  readonly repairShop: boolean
}

function fraction(name: string, value: number | undefined): number {
  const v = value ?? 0
  if (!(v >= 0 && v <= 1)) throw new ConfigError(`City option ${name} must be a fraction between 0 and 1, got ${String(value)}.`)
  return v
}

function count(name: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback
  if (!Number.isInteger(v) || v < min) throw new ConfigError(`City option ${name} must be an integer >= ${min}, got ${String(value)}.`)
  return v
}

export function resolveCityOptions(options: CityOptions): ResolvedCityOptions {
  const seed = options.seed ?? 42
  if (!Number.isFinite(seed)) throw new ConfigError(`City option seed must be a finite number, got ${String(seed)}.`)
  const drivers = count('drivers', options.drivers, 200, 0)
  const startMs = options.startMs ?? DEFAULT_START_MS
  if (!Number.isFinite(startMs)) throw new ConfigError(`City option startMs must be epoch milliseconds, got ${String(startMs)}.`)
  const requestsPerSecond = options.requestsPerSecond ?? drivers / 60
  if (!(requestsPerSecond >= 0) || !Number.isFinite(requestsPerSecond)) {
    throw new ConfigError(`City option requestsPerSecond must be a number >= 0, got ${String(options.requestsPerSecond)}.`)
  }
  const outOfOrderFraction = fraction('outOfOrderFraction', options.outOfOrderFraction)
  const lateFraction = fraction('lateFraction', options.lateFraction)
  if (outOfOrderFraction + lateFraction > 1) {
    throw new ConfigError(`City options outOfOrderFraction + lateFraction must not exceed 1, got ${outOfOrderFraction + lateFraction}.`)
  }
  return {
    seed,
    drivers,
    riders: count('riders', options.riders, 1000, 0),
    durationS: count('durationS', options.durationS, 600, 0),
    startMs: Math.floor(startMs),
    requestsPerSecond,
    outOfOrderFraction,
    lateFraction,
    duplicateFraction: fraction('duplicateFraction', options.duplicateFraction),
    repairShop: options.repairShop ?? false,
  }
}

/** A point uniformly spread over the disc of `radiusKm` around the centre. */
export function randomPointInCity(prng: Prng, radiusKm = CITY_RADIUS_KM - 1): LatLng {
  const distance = radiusKm * Math.sqrt(prng.next())
  return destinationPoint(CITY_CENTRE, prng.between(0, 360), distance)
}

/** Where a rider waits: mostly around a hotspot, otherwise anywhere in the city. */
export function pickupPoint(prng: Prng): LatLng {
  if (prng.chance(0.4)) return randomPointInCity(prng)
  const { bearing, distanceKm } = prng.pick(HOTSPOTS)
  const hotspot = destinationPoint(CITY_CENTRE, bearing, distanceKm)
  const spread = Math.min(Math.abs(prng.gaussian()) * 0.6, 2)
  return destinationPoint(hotspot, prng.between(0, 360), spread)
}

/**
 * Where a rider goes: 1.2 to 3.5 km away, so that a ride lasts a few minutes, and turned back
 * towards the centre when the straight line would leave the city.
 */
export function destinationFrom(prng: Prng, pickup: LatLng): LatLng {
  const distance = prng.between(1.2, 3.5)
  let destination = destinationPoint(pickup, prng.between(0, 360), distance)
  if (haversineKm(CITY_CENTRE, destination) > CITY_RADIUS_KM - 0.5) {
    destination = destinationPoint(pickup, bearingDegrees(pickup, CITY_CENTRE) + prng.between(-45, 45), distance)
  }
  return destination
}

/** Rounds a coordinate to 6 decimals (about 0.1 m), as phones report them. */
export function roundCoordinate(degrees: number): number {
  return Math.round(degrees * 1e6) / 1e6
}
