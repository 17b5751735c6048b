import type { LatLng } from './h3-zones.js'

/** The mean Earth radius of the WGS-84 ellipsoid (IUGG), in kilometres. */
export const EARTH_RADIUS_KM = 6371.0088

const toRadians = (degrees: number): number => (degrees * Math.PI) / 180

/** Great-circle distance between two points, in kilometres (haversine formula). */
export function haversineKm(a: LatLng, b: LatLng): number {
  const dLat = toRadians(b.lat - a.lat)
  const dLng = toRadians(b.lng - a.lng)
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** Length of a path through `points` in order, in kilometres. */
export function pathLengthKm(points: readonly LatLng[]): number {
  let total = 0
  for (let i = 1; i < points.length; i++) total += haversineKm(points[i - 1]!, points[i]!)
  return total
}

/** Initial bearing from `a` to `b`, in degrees clockwise from north [0, 360). */
export function bearingDegrees(a: LatLng, b: LatLng): number {
  const φ1 = toRadians(a.lat)
  const φ2 = toRadians(b.lat)
  const Δλ = toRadians(b.lng - a.lng)
  const y = Math.sin(Δλ) * Math.cos(φ2)
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ)
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360
}

/** The point `distanceKm` from `start` along `bearing` (degrees from north). */
export function destinationPoint(start: LatLng, bearing: number, distanceKm: number): LatLng {
  const δ = distanceKm / EARTH_RADIUS_KM
  const θ = toRadians(bearing)
  const φ1 = toRadians(start.lat)
  const λ1 = toRadians(start.lng)
  const φ2 = Math.asin(Math.sin(φ1) * Math.cos(δ) + Math.cos(φ1) * Math.sin(δ) * Math.cos(θ))
  const λ2 = λ1 + Math.atan2(Math.sin(θ) * Math.sin(δ) * Math.cos(φ1), Math.cos(δ) - Math.sin(φ1) * Math.sin(φ2))
  return { lat: (φ2 * 180) / Math.PI, lng: ((((λ2 * 180) / Math.PI + 540) % 360) - 180) }
}
