import { cellToBoundary, cellToLatLng, gridDisk, gridDistance, gridRing, isValidCell, latLngToCell } from 'h3-js'
import { ConfigError } from '../core/errors.js'

/** A point on Earth in decimal degrees. */
export interface LatLng {
  readonly lat: number
  readonly lng: number
}

/** The H3 resolution the bundled topologies use for surge zones: cells of about 5 km², ~1.2 km across. */
export const SURGE_RESOLUTION = 7

function checkPoint(point: LatLng): void {
  if (!(point.lat >= -90 && point.lat <= 90) || !(point.lng >= -180 && point.lng <= 180)) {
    throw new ConfigError(`Not a valid position: lat ${point.lat}, lng ${point.lng}. Latitude must be in [-90, 90], longitude in [-180, 180].`)
  }
}

function checkResolution(resolution: number): void {
  if (!Number.isInteger(resolution) || resolution < 0 || resolution > 15) {
    throw new ConfigError(`H3 resolution must be an integer from 0 to 15, got ${resolution}.`)
  }
}

/** The H3 cell (hexagonal zone) containing `point` at `resolution`. */
export function cellOf(point: LatLng, resolution: number = SURGE_RESOLUTION): string {
  checkPoint(point)
  checkResolution(resolution)
  return latLngToCell(point.lat, point.lng, resolution)
}

/** The centre of a cell. */
export function cellCenter(cell: string): LatLng {
  if (!isValidCell(cell)) throw new ConfigError(`"${cell}" is not an H3 cell index.`)
  const [lat, lng] = cellToLatLng(cell)
  return { lat, lng }
}

/** The corners of a cell's hexagon (or pentagon), in order around it: what a map draws as the zone. */
export function cellBoundary(cell: string): LatLng[] {
  if (!isValidCell(cell)) throw new ConfigError(`"${cell}" is not an H3 cell index.`)
  return cellToBoundary(cell).map(([lat, lng]) => ({ lat, lng }))
}

/** The cells exactly `k` steps from `cell` (k = 0: the cell itself): the k-th ring of a ring-by-ring search. */
export function cellRing(cell: string, k: number): string[] {
  if (k === 0) return [cell]
  try {
    return gridRing(cell, k)
  } catch {
    // Rings that cross a pentagon's distortion are undefined; the disk difference is always defined.
    const inner = new Set(gridDisk(cell, k - 1))
    return gridDisk(cell, k).filter((c) => !inner.has(c))
  }
}

/** The cells within `k` steps of `cell`, itself included. */
export function cellDisk(cell: string, k: number): string[] {
  return gridDisk(cell, k)
}

/** Grid steps between two cells of the same resolution, or undefined when H3 cannot tell (too far apart). */
export function cellDistance(a: string, b: string): number | undefined {
  try {
    return gridDistance(a, b)
  } catch {
    return undefined
  }
}
