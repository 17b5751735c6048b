import type { RideAssignment, RideRequest } from '../../../topologies/velocity/domain.js'
import { VELOCITY_TOPICS } from '../../../topologies/velocity/domain.js'
import { simulateCity } from '../../../topologies/generator/index.js'
import type { InputRecord } from './scenario.js'

/** A busy city: ride requests per simulated second. */
const REQUESTS_PER_SECOND = 500
/** Share of requests the matching service never answers within the join window. */
const UNMATCHED = 0.08

/** A small deterministic PRNG (mulberry32) for the derived assignments: same seed, same data. */
export function randomFrom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** `count` ride requests of the city generator, at REQUESTS_PER_SECOND (few drivers: their pings are not used). */
function generatedRequests(count: number, seed: number): RideRequest[] {
  const requests: RideRequest[] = []
  const city = simulateCity({
    seed,
    drivers: 10,
    riders: Math.ceil(count * 1.3) + 100,
    durationS: Math.ceil(count / REQUESTS_PER_SECOND) + 2,
    requestsPerSecond: REQUESTS_PER_SECOND,
  })
  for (const record of city) {
    if (record.topic !== VELOCITY_TOPICS.rideRequests || record.value === null) continue
    requests.push(record.value as RideRequest)
    if (requests.length >= count) break
  }
  return requests
}

/**
 * About `records` ride requests and ride assignments (both topics together), keyed by request id,
 * in event-time order. The requests come from the city generator; the assignments (which the
 * ride-matching topology would produce) are derived from them here, deterministically: the
 * matching service answers most requests 2 to 30 s later with a driver, an ETA and a distance;
 * some requests get no answer, and some get one only after the 60 s join window.
 */
export function rideRequestsAndAssignments(records: number, seed: number): InputRecord[] {
  const random = randomFrom(seed)
  const out: Array<{ record: InputRecord; order: number }> = []
  let order = 0
  for (const request of generatedRequests(Math.max(1, Math.round(records / (2 - UNMATCHED))), seed)) {
    if (out.length >= records) break
    const { requestId, ts } = request
    out.push({ record: json(VELOCITY_TOPICS.rideRequests, requestId, request, ts), order: order++ })
    const answer = random()
    if (answer < UNMATCHED || out.length >= records) continue
    // One answer in twenty-five comes after the window: a left join reports the request unmatched.
    const delayMs = answer < UNMATCHED + 0.04 ? 61_000 + Math.floor(random() * 10_000) : 2_000 + Math.floor(random() * 28_000)
    const distanceKm = Math.round(random() * 60) / 10
    const assignment: RideAssignment = {
      requestId,
      riderId: request.riderId,
      driverId: `driver-${Math.floor(random() * 5_000)}`,
      distanceKm,
      etaSeconds: Math.round(distanceKm * 110),
      ts: ts + delayMs,
    }
    out.push({ record: json(VELOCITY_TOPICS.rideAssignments, requestId, assignment, ts + delayMs), order: order++ })
  }
  // Delivery in event-time order (ties in creation order), as the services would produce them.
  out.sort((a, b) => a.record.timestamp - b.record.timestamp || a.order - b.order)
  return out.map((o) => o.record)
}

function json(topic: string, key: string, value: object, timestamp: number): InputRecord {
  return { topic, key: Buffer.from(key), value: Buffer.from(JSON.stringify(value)), timestamp }
}
