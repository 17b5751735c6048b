import type { MaybePromise } from '../../src/index.js'
import { cellCenter, cellOf, cellRing, haversineKm, type LatLng } from '../../src/geo/index.js'
import type { DriverState } from './types.js'

/** The nearest eligible driver and how far they are from the pickup. */
export interface NearestDriver {
  readonly driver: DriverState
  readonly distanceKm: number
}

export interface NearestDriverSearch {
  readonly pickup: LatLng
  /** H3 resolution of the index that `driversIn` reads. */
  readonly resolution: number
  readonly maxPickupKm: number
  /** The drivers whose latest position is in `cell`. */
  readonly driversIn: (cell: string) => MaybePromise<readonly DriverState[]>
  /** Free, fresh, not on a ride. */
  readonly isEligible: (driver: DriverState) => boolean
}

/**
 * A lower bound of the distance from any point of the pickup's cell to any point of a cell `k`
 * rings away. In a hexagonal grid with centre spacing `s`, ring `k` is a hexagon whose nearest
 * cells have their centres `k·s·√3/2` away, and every point of a cell is within `s/√3` of its
 * centre. The 0.9 absorbs H3's distortion between neighbouring cells.
 */
function ringLowerBoundKm(k: number, spacingKm: number): number {
  const s = spacingKm * 0.9
  return Math.max(0, s * ((k * Math.sqrt(3)) / 2 - 2 / Math.sqrt(3)))
}

/** Distance between the centre of `origin` and its nearest neighbour's centre. */
function centreSpacingKm(origin: string): number {
  const centre = cellCenter(origin)
  let spacing = Number.POSITIVE_INFINITY
  for (const neighbour of cellRing(origin, 1)) spacing = Math.min(spacing, haversineKm(centre, cellCenter(neighbour)))
  return spacing
}

/** Rings are searched at most this far out, whatever the radius, so that a huge radius cannot stall a task. */
const MAX_RINGS = 64

/**
 * Searches the index ring by ring from the pickup's cell: ring 0 (the cell), ring 1, ... A driver
 * found in ring `k` need not be the nearest (a driver one or two rings further out may sit just
 * across a cell border), so the search goes on while a further ring could still hold someone
 * nearer than the best so far, and stops when no ring can be within `maxPickupKm`.
 * Equal distances go to the smaller driverId, so the answer does not depend on store order.
 */
export async function findNearestDriver(search: NearestDriverSearch): Promise<NearestDriver | undefined> {
  const origin = cellOf(search.pickup, search.resolution)
  const spacingKm = centreSpacingKm(origin)
  let best: NearestDriver | undefined
  for (let k = 0; k <= MAX_RINGS; k++) {
    const bound = ringLowerBoundKm(k, spacingKm)
    if (bound > search.maxPickupKm || (best !== undefined && bound > best.distanceKm)) break
    for (const cell of cellRing(origin, k)) {
      for (const driver of await search.driversIn(cell)) {
        if (!search.isEligible(driver)) continue
        const distanceKm = haversineKm(search.pickup, driver)
        if (distanceKm > search.maxPickupKm) continue
        if (best === undefined || distanceKm < best.distanceKm || (distanceKm === best.distanceKm && driver.driverId < best.driver.driverId)) {
          best = { driver, distanceKm }
        }
      }
    }
  }
  return best
}
