import { cellOf } from '../../../src/geo/index.js'
import { buildSurgePricing, bundled, SURGE_GRACE_MS, SURGE_WINDOW_MS, surgePrice } from '../../../topologies/surge-pricing/index.js'
import { VELOCITY_TOPICS, type RideRequest, type VehicleLocation } from '../../../topologies/velocity/domain.js'
import { cityInputs, cityScale } from './city-data.js'
import { inBlocks, maxTimestamp, type InputRecord, type Scenario } from './scenario.js'

const TOPICS = [VELOCITY_TOPICS.rideRequests, VELOCITY_TOPICS.vehicleLocations]

interface ZoneWindow {
  readonly requests: Set<string>
  readonly availableDrivers: Set<string>
}

/**
 * surge-pricing by hand, as the topology runs on upstream watermarks (its bundled config): per
 * minute, a Map from zone to the sets of request ids and available drivers (both sides of the
 * topology's outer join in one entry), over every input. No record is late: each input partition
 * is in event-time order (checked: a record more than the grace behind its topic's newest fails
 * the run) and the task's event time is the minimum over the upstream tasks, so it never passes a
 * window before every record of it is in. Once the inputs go idle the event time moves on with the
 * wall clock and every window closes, so each zone's minute is priced and written once, at the end.
 */
function computeLimit(inputs: readonly InputRecord[]): number {
  const minutes = new Map<number, Map<string, ZoneWindow>>()
  const newest = new Map<string, number>()
  const zone = (start: number, cell: string): ZoneWindow => {
    let byCell = minutes.get(start)
    if (byCell === undefined) minutes.set(start, (byCell = new Map()))
    let window = byCell.get(cell)
    if (window === undefined) byCell.set(cell, (window = { requests: new Set(), availableDrivers: new Set() }))
    return window
  }
  for (const input of inputs) {
    if (input.value === null) continue
    let ts: number
    let cell: string | undefined
    let request: string | undefined
    let driver: string | undefined
    if (input.topic === VELOCITY_TOPICS.rideRequests) {
      const value = JSON.parse(input.value.toString()) as RideRequest
      ts = value.ts
      cell = cellOf({ lat: value.pickupLat, lng: value.pickupLng })
      request = input.key.toString()
    } else {
      const ping = JSON.parse(input.value.toString()) as VehicleLocation
      ts = ping.ts
      if (ping.riderId === null) {
        cell = cellOf(ping)
        driver = ping.driverId
      }
    }
    inOrder(newest, input.topic, ts)
    // A ping with a rider on board is no supply.
    if (cell === undefined) continue
    const window = zone(ts - (ts % SURGE_WINDOW_MS), cell)
    if (request !== undefined) window.requests.add(request)
    if (driver !== undefined) window.availableDrivers.add(driver)
  }
  let emitted = 0
  for (const [start, byCell] of minutes) {
    for (const [c, w] of byCell) {
      const price = surgePrice({ key: c, window: { start, end: start + SURGE_WINDOW_MS } }, { requests: [...w.requests], availableDrivers: [...w.availableDrivers] })
      if (Buffer.from(JSON.stringify(price)).length > 0) emitted++
    }
  }
  return emitted
}

/**
 * Fails unless `ts` is within the grace of the newest timestamp of `topic` so far: the compute
 * limit drops nothing as late, which matches the topology only for inputs in that order (the
 * city generator's, without its out-of-order and late options).
 */
function inOrder(newest: Map<string, number>, topic: string, ts: number): void {
  const before = newest.get(topic)
  if (before === undefined || ts > before) newest.set(topic, ts)
  else if (ts < before - SURGE_GRACE_MS) throw new Error(`surge-pricing's compute limit needs each topic in event-time order within the grace: ${ts} came after ${before} on ${topic}.`)
}

/**
 * Event time past the newest input for the last minute to close: the minute holding the newest
 * timestamp closes at its end plus the grace (tumbling windows start at multiples of their size).
 */
function closeAfterMs(inputs: readonly InputRecord[]): number {
  const newest = maxTimestamp(inputs)
  return SURGE_WINDOW_MS + SURGE_GRACE_MS - (newest % SURGE_WINDOW_MS)
}

/**
 * Scenario 3: two windowed aggregations (tumbling 1 min) outer-joined per zone and window, the
 * join suppressed until the window closes.
 */
export const surgePricingScenario: Scenario = {
  name: 'surge-pricing',
  description: `windowed aggregations and a windowed table join: demand (${VELOCITY_TOPICS.rideRequests}) and supply (available drivers' ${VELOCITY_TOPICS.vehicleLocations}) re-keyed by H3 zone and aggregated per tumbling minute (grace 10 s), outer-joined per zone and window, suppressed until the window closes; on upstream watermarks, as bundled`,
  inputTopics: TOPICS,
  variants: [
    {
      name: 'tumbling-1m',
      build: () => ({ topology: buildSurgePricing(), outputTopics: [VELOCITY_TOPICS.surgePricing] }),
      computeLimit,
      // As `tributary run surge-pricing` runs it: on upstream watermarks.
      config: bundled.config,
      closeAfterMs,
      kafkaStreams: { scenario: 'bench.SurgePricing' },
    },
  ],
  prepare: (records, seed) => inBlocks(cityInputs(cityScale(records, 6), seed, TOPICS, VELOCITY_TOPICS.vehicleLocations, records), TOPICS),
  dataSource: 'the city generator: one ping per driver per second, six ride requests per driver per minute',
}
