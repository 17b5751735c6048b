import { cellBoundary, cellCenter, cellDisk, cellOf, destinationPoint, haversineKm, type LatLng } from '../../../geo/index.js'
import { CITY_CENTRE, CITY_RADIUS_KM } from '../../../../topologies/generator/index.js'

/** A surge zone as the map draws it: its H3 cell and the corners of its hexagon. */
export interface MapZone {
  readonly zone: string
  readonly boundary: readonly (readonly [number, number])[]
}

/** What the map draws before any record arrives: where the city is and its zones. */
export interface CityGeography {
  readonly centre: LatLng
  /** South-west and north-east corners of the city, for the initial view. */
  readonly bounds: readonly [readonly [number, number], readonly [number, number]]
  readonly zones: readonly MapZone[]
}

/** Grid steps enough to cover the city's radius with cells of about 2.4 km across (resolution 7). */
const ZONE_RINGS = 5

/**
 * The simulated city's geography, from the generator's own constants: the map has no tile layer
 * by default, so the zones' outlines are what shows where the city is.
 */
export function cityGeography(): CityGeography {
  const south = destinationPoint(CITY_CENTRE, 180, CITY_RADIUS_KM)
  const north = destinationPoint(CITY_CENTRE, 0, CITY_RADIUS_KM)
  const west = destinationPoint(CITY_CENTRE, 270, CITY_RADIUS_KM)
  const east = destinationPoint(CITY_CENTRE, 90, CITY_RADIUS_KM)
  // Zones whose centre is within a zone's width of the city: every zone a driver can be in.
  const zones = cellDisk(cellOf(CITY_CENTRE), ZONE_RINGS)
    .filter((zone) => haversineKm(cellCenter(zone), CITY_CENTRE) <= CITY_RADIUS_KM + 1.5)
    .sort()
    .map((zone) => ({ zone, boundary: cellBoundary(zone).map((p) => [p.lat, p.lng] as const) }))
  return {
    centre: CITY_CENTRE,
    bounds: [[south.lat, west.lng], [north.lat, east.lng]],
    zones,
  }
}
