/**
 * A ride being assembled from its location pings, as a session aggregate. Pings arrive out of order
 * by a few seconds, so the distance along the path cannot simply add the step from the previous
 * ping: the newest pings wait, sorted, in a short `tail`, and are folded into the settled distance
 * once they are older than `reorderMs` behind the newest one. The aggregate stays small (the tail
 * holds a few seconds of pings) however long the ride.
 */
import { haversineKm, pathLengthKm } from '../../src/geo/index.js'
import type { RidePoint, VehicleLocation } from '../velocity/domain.js'

export interface TripAggregate {
  readonly driverId: string
  readonly riderId: string
  /** No pings yet: the initial aggregate of a session. */
  readonly empty: boolean
  readonly start: RidePoint
  /** The last settled point, and the path length from `start` to it. */
  readonly settled: RidePoint
  readonly settledKm: number
  /** Pings newer than `settled`, in time order. */
  readonly tail: readonly RidePoint[]
  /** Pings that arrived after newer pings had already been settled: not placed on the path. */
  readonly unplaced: number
}

const NOWHERE: RidePoint = Object.freeze({ lat: 0, lng: 0, ts: 0 })

export const emptyTrip = (): TripAggregate => ({
  driverId: '', riderId: '', empty: true, start: NOWHERE, settled: NOWHERE, settledKm: 0, tail: [], unplaced: 0,
})

export function stopOf(trip: TripAggregate): RidePoint {
  return trip.tail.length > 0 ? trip.tail[trip.tail.length - 1]! : trip.settled
}

/** Path length in time order from the first to the last ping. */
export function tripKm(trip: TripAggregate): number {
  if (trip.tail.length === 0) return trip.settledKm
  return trip.settledKm + haversineKm(trip.settled, trip.tail[0]!) + pathLengthKm(trip.tail)
}

/** Adds one ping; `reorderMs` is how far out of order a ping may be and still be placed exactly. */
export function addPing(trip: TripAggregate, ping: VehicleLocation, reorderMs: number): TripAggregate {
  const point: RidePoint = { lat: ping.lat, lng: ping.lng, ts: ping.ts }
  if (trip.empty) {
    return { ...trip, driverId: ping.driverId, riderId: ping.riderId ?? '', empty: false, start: point, settled: point, settledKm: 0, tail: [] }
  }
  if (point.ts < trip.start.ts) {
    // Earlier than everything so far: the new first point of the path.
    return { ...trip, start: point, settledKm: trip.settledKm + haversineKm(point, trip.start) }
  }
  if (point.ts <= trip.settled.ts) {
    // A duplicate (the producer retried) changes nothing; an older ping between settled points cannot be placed.
    return point.ts === trip.settled.ts || point.ts === trip.start.ts ? trip : { ...trip, unplaced: trip.unplaced + 1 }
  }
  const at = insertionIndex(trip.tail, point.ts)
  if (trip.tail[at]?.ts === point.ts) return trip
  const tail = [...trip.tail.slice(0, at), point, ...trip.tail.slice(at)]
  return settle({ ...trip, tail }, reorderMs)
}

/** Folds tail points that are more than `reorderMs` older than the newest ping into the settled path. */
function settle(trip: TripAggregate, reorderMs: number): TripAggregate {
  const horizon = trip.tail[trip.tail.length - 1]!.ts - reorderMs
  let settled = trip.settled
  let settledKm = trip.settledKm
  let i = 0
  while (i < trip.tail.length && trip.tail[i]!.ts < horizon) {
    settledKm += haversineKm(settled, trip.tail[i]!)
    settled = trip.tail[i]!
    i++
  }
  return i === 0 ? trip : { ...trip, settled, settledKm, tail: trip.tail.slice(i) }
}

function insertionIndex(tail: readonly RidePoint[], ts: number): number {
  let low = 0
  let high = tail.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (tail[mid]!.ts < ts) low = mid + 1
    else high = mid
  }
  return low
}

/**
 * Joins two sessions of the same driver and rider that a ping has bridged: the earlier one's whole
 * path, the step between them, then the later one's path. Sessions never overlap in time.
 */
export function mergeTrips(a: TripAggregate, b: TripAggregate): TripAggregate {
  if (a.empty) return b
  if (b.empty) return a
  const [earlier, later] = a.start.ts <= b.start.ts ? [a, b] : [b, a]
  const bridge = haversineKm(stopOf(earlier), later.start)
  const settledKm = tripKm(earlier) + bridge + later.settledKm
  return { ...later, start: earlier.start, settledKm, unplaced: earlier.unplaced + later.unplaced }
}
