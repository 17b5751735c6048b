/**
 * `tributary/geo`: zones, distances, arrival times and fares for location streams. Pure functions.
 *
 * @example
 * import { cellOf, haversineKm, fareCents } from 'tributary/geo'
 * const zone = cellOf({ lat: 37.7749, lng: -122.4194 })
 */
export { cellBoundary, cellCenter, cellDisk, cellDistance, cellOf, cellRing, SURGE_RESOLUTION, type LatLng } from './h3-zones.js'
export { bearingDegrees, destinationPoint, EARTH_RADIUS_KM, haversineKm, pathLengthKm } from './distance.js'
export { defaultTariff, etaSeconds, fareCents, MAX_SURGE, surgeMultiplier, type Tariff } from './fare.js'
