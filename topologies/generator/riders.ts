import type { LatLng } from '../../src/geo/index.js'
import type { RideRequest, RiderProfile } from '../velocity/domain.js'
import { destinationFrom, pickupPoint, roundCoordinate } from './city.js'
import type { Prng } from './prng.js'

/** A rider asks again at the earliest this long after a ride. */
const REST_AFTER_RIDE_S = 300
/** A rider whom no driver was assigned to gives up after this long, and may try again a minute later. */
export const REQUEST_PATIENCE_S = 120
const RETRY_AFTER_GIVING_UP_S = 60

export type RiderStatus = 'idle' | 'waiting' | 'riding' | 'deleted'

export interface Rider {
  readonly id: string
  profile: RiderProfile
  status: RiderStatus
  /** The first simulated second at which the rider may request a ride. */
  nextRequestFromS: number
}

/** A request no driver has been assigned to yet. */
export interface WaitingRequest {
  readonly request: RideRequest
  readonly pickup: LatLng
  readonly destination: LatLng
  readonly giveUpAtS: number
}

export function riderId(index: number, total: number): string {
  return `rider-${String(index + 1).padStart(Math.max(5, String(total).length), '0')}`
}

/** Idle riders chosen at random; a busy or resting rider is skipped after a few tries. */
function pickIdleRider(prng: Prng, riders: readonly Rider[], second: number): Rider | undefined {
  for (let attempt = 0; attempt < 8; attempt++) {
    const rider = riders[prng.int(0, riders.length - 1)]!
    if (rider.status === 'idle' && second >= rider.nextRequestFromS) return rider
  }
  return undefined
}

/**
 * The ride requests of one simulated second: a Poisson number of them at `ratePerSecond`, each
 * from an idle rider, at a random millisecond of the second.
 */
export function requestsOfSecond(
  prng: Prng, riders: readonly Rider[], second: number, secondMs: number, ratePerSecond: number, nextSeq: () => number,
): WaitingRequest[] {
  if (riders.length === 0) return []
  const count = prng.poisson(ratePerSecond)
  const requests: WaitingRequest[] = []
  for (let i = 0; i < count; i++) {
    const rider = pickIdleRider(prng, riders, second)
    if (rider === undefined) continue
    rider.status = 'waiting'
    const pickup = pickupPoint(prng)
    const destination = destinationFrom(prng, pickup)
    const request: RideRequest = {
      requestId: `request-${String(nextSeq()).padStart(6, '0')}`,
      riderId: rider.id,
      pickupLat: roundCoordinate(pickup.lat),
      pickupLng: roundCoordinate(pickup.lng),
      destinationLat: roundCoordinate(destination.lat),
      destinationLng: roundCoordinate(destination.lng),
      ts: secondMs + prng.int(0, 999),
    }
    // The driver goes to the coordinates the app sent, rounded as they are.
    requests.push({
      request,
      pickup: { lat: request.pickupLat, lng: request.pickupLng },
      destination: { lat: request.destinationLat, lng: request.destinationLng },
      giveUpAtS: second + REQUEST_PATIENCE_S,
    })
  }
  return requests
}

export function riderDroppedOff(rider: Rider, second: number): void {
  rider.status = 'idle'
  rider.nextRequestFromS = second + REST_AFTER_RIDE_S
}

export function riderGaveUp(rider: Rider, second: number): void {
  rider.status = 'idle'
  rider.nextRequestFromS = second + RETRY_AFTER_GIVING_UP_S
}
