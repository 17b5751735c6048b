import type { RawRecord } from '../src/kafka/index.js'
import { JOIN_DIFFERENCE_MS, WINDOW_MS, type RideOffer, type RideRequest } from './soak-topology.js'

/** What an output should hold, what it held, and the difference either way. */
export interface OutputVerdict {
  readonly output: string
  /** Results the input calls for. */
  readonly expected: number
  /** Records the output topic holds. */
  readonly seen: number
  /** Results missing, or short of the true value. */
  readonly lost: number
  /** Results repeated, or past the true value. */
  readonly duplicated: number
}

export interface SoakInput {
  readonly requests: readonly RawRecord[]
  readonly offers: readonly RawRecord[]
}

export interface SoakOutputs {
  readonly zoneCounts: readonly RawRecord[]
  readonly windowFinals: readonly RawRecord[]
  readonly matches: readonly RawRecord[]
}

const text = (b: Buffer | null) => (b === null ? '' : b.toString('utf8'))
const parse = <T>(b: Buffer | null) => JSON.parse(text(b)) as T

function tally(keys: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>()
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1)
  return counts
}

/** Per key, every value of the records, in the order read. */
function valuesByKey(records: readonly RawRecord[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>()
  for (const r of records) {
    const key = text(r.key)
    byKey.set(key, [...(byKey.get(key) ?? []), parse<number>(r.value)])
  }
  return byKey
}

/**
 * The true results, computed from what the input topics hold (so a request the feeder wrote twice
 * counts twice), against what the output topics hold.
 */
export function judge(input: SoakInput, outputs: SoakOutputs, exactlyOnce: boolean): OutputVerdict[] {
  const requests = input.requests.map((r) => ({ rideId: text(r.key), timestamp: r.timestamp, request: parse<RideRequest>(r.value) }))
  return [zoneCounts(requests, outputs.zoneCounts, exactlyOnce), windowFinals(requests, outputs.windowFinals), matches(requests, input.offers, outputs.matches)]
}

type Request = { rideId: string; timestamp: number; request: RideRequest }

/**
 * A running count per zone, in requests counted. The count goes through the record cache, which
 * forwards a zone's latest count at most once per commit, so not every value shows; what must hold
 * is the last one: each zone's count reaches n (what is short of n is lost) and does not pass it (a
 * request counted twice). Exactly-once also forbids any count showing twice or going back: each
 * such record is a duplicate. At-least-once may repeat and go back after a crash (a record
 * processed twice; a restored count ahead of the outputs of a failed commit, as in Kafka Streams).
 */
function zoneCounts(requests: readonly Request[], output: readonly RawRecord[], exactlyOnce: boolean): OutputVerdict {
  const truth = tally(requests.map((r) => r.request.zone))
  const seen = valuesByKey(output)
  let expected = 0
  let counted = 0
  let lost = 0
  let duplicated = 0
  for (const [zone, n] of truth) {
    expected += n
    const values = seen.get(zone) ?? []
    const last = values.length === 0 ? 0 : Number(values[values.length - 1])
    counted += last
    lost += Math.max(0, n - last)
    duplicated += Math.max(0, last - n)
    if (!exactlyOnce) continue
    for (let i = 1; i < values.length; i++) if (Number(values[i]) <= Number(values[i - 1])) duplicated++
  }
  for (const [zone, values] of seen) if (!truth.has(zone)) duplicated += values.length
  return { output: 'running count per zone (requests counted)', expected, seen: counted, lost, duplicated }
}

/**
 * One final count per zone and closed window. The closing requests (negative n) sit in windows
 * nothing closes, so their windows are not expected.
 */
function windowFinals(requests: readonly Request[], output: readonly RawRecord[]): OutputVerdict {
  const truth = tally(requests.filter((r) => r.request.n >= 0).map((r) => `${r.request.zone}@${r.timestamp - (r.timestamp % WINDOW_MS)}`))
  const seen = valuesByKey(output)
  let lost = 0
  let duplicated = 0
  for (const [window, n] of truth) {
    const finals = seen.get(window) ?? []
    if (!finals.some((count) => count >= n)) lost++
    duplicated += finals.filter((count) => count > n).length + Math.max(0, finals.filter((count) => count <= n).length - 1)
  }
  for (const [window, finals] of seen) if (!truth.has(window)) duplicated += finals.length
  return { output: 'final count per zone and window (suppressed)', expected: truth.size, seen: output.length, lost, duplicated }
}

/** One match per request and offer of a ride within the join's time difference. */
function matches(requests: readonly Request[], offers: readonly RawRecord[], output: readonly RawRecord[]): OutputVerdict {
  const offersByRide = new Map<string, { timestamp: number; offer: RideOffer }[]>()
  for (const o of offers) {
    const rideId = text(o.key)
    offersByRide.set(rideId, [...(offersByRide.get(rideId) ?? []), { timestamp: o.timestamp, offer: parse<RideOffer>(o.value) }])
  }
  const truth = new Map<string, number>()
  for (const r of requests) {
    for (const o of offersByRide.get(r.rideId) ?? []) {
      if (Math.abs(o.timestamp - r.timestamp) > JOIN_DIFFERENCE_MS) continue
      const match = `${r.rideId}|${r.request.n}|${o.offer.driver}`
      truth.set(match, (truth.get(match) ?? 0) + 1)
    }
  }
  const seen = tally(output.map((r) => `${text(r.key)}|${text(r.value)}`))
  let expected = 0
  let lost = 0
  let duplicated = 0
  for (const [match, n] of truth) {
    expected += n
    lost += Math.max(0, n - (seen.get(match) ?? 0))
  }
  for (const [match, times] of seen) duplicated += Math.max(0, times - (truth.get(match) ?? 0))
  return { output: 'request-offer matches (stream-stream join)', expected, seen: output.length, lost, duplicated }
}
