import { cellOf } from '../../../src/geo/index.js'
import { buildSurgePricing, SURGE_GRACE_MS, SURGE_WINDOW_MS, surgePrice } from '../../../topologies/surge-pricing/index.js'
import { VELOCITY_TOPICS, type RideRequest, type VehicleLocation } from '../../../topologies/velocity/domain.js'
import { cityInputs, cityScale } from './city-data.js'
import { inBlocks, type InputRecord, type Scenario } from './scenario.js'

const TOPICS = [VELOCITY_TOPICS.rideRequests, VELOCITY_TOPICS.vehicleLocations]

interface ZoneWindow {
  readonly requests: Set<string>
  readonly availableDrivers: Set<string>
}

/**
 * surge-pricing by hand: per minute, a Map from zone to the sets of request ids and available
 * drivers (both sides of the topology's outer join in one entry); a minute is priced and written
 * once stream time passes its end plus the grace, and a record for a minute already priced is
 * dropped as late.
 */
function computeLimit(inputs: readonly InputRecord[]): number {
  const minutes = new Map<number, Map<string, ZoneWindow>>()
  let streamTime = -1
  let emitted = 0
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
    let cell: string
    let request: string | undefined
    let driver: string | undefined
    if (input.topic === VELOCITY_TOPICS.rideRequests) {
      const value = JSON.parse(input.value.toString()) as RideRequest
      ts = value.ts
      cell = cellOf({ lat: value.pickupLat, lng: value.pickupLng })
      request = input.key.toString()
    } else {
      const ping = JSON.parse(input.value.toString()) as VehicleLocation
      if (ping.riderId !== null) continue
      ts = ping.ts
      cell = cellOf(ping)
      driver = ping.driverId
    }
    if (ts > streamTime) streamTime = ts
    const start = ts - (ts % SURGE_WINDOW_MS)
    if (start + SURGE_WINDOW_MS + SURGE_GRACE_MS <= streamTime) continue
    const window = zone(start, cell)
    if (request !== undefined) window.requests.add(request)
    if (driver !== undefined) window.availableDrivers.add(driver)
    for (const [closing, byCell] of minutes) {
      if (closing + SURGE_WINDOW_MS + SURGE_GRACE_MS > streamTime) continue
      for (const [c, w] of byCell) {
        const price = surgePrice({ key: c, window: { start: closing, end: closing + SURGE_WINDOW_MS } }, { requests: [...w.requests], availableDrivers: [...w.availableDrivers] })
        if (Buffer.from(JSON.stringify(price)).length > 0) emitted++
      }
      minutes.delete(closing)
    }
  }
  return emitted
}

/**
 * Scenario 3: two windowed aggregations (tumbling 1 min) outer-joined per zone and window, the
 * join suppressed until the window closes.
 */
export const surgePricingScenario: Scenario = {
  name: 'surge-pricing',
  description: `windowed aggregations and a windowed table join: demand (${VELOCITY_TOPICS.rideRequests}) and supply (available drivers' ${VELOCITY_TOPICS.vehicleLocations}) re-keyed by H3 zone and aggregated per tumbling minute (grace 10 s), outer-joined per zone and window, suppressed until the window closes`,
  inputTopics: TOPICS,
  variants: [{ name: 'tumbling-1m', build: () => ({ topology: buildSurgePricing(), outputTopics: [VELOCITY_TOPICS.surgePricing] }), computeLimit, kafkaStreams: { scenario: 'bench.SurgePricing' } }],
  prepare: (records, seed) => inBlocks(cityInputs(cityScale(records, 6), seed, TOPICS, VELOCITY_TOPICS.vehicleLocations, records), TOPICS),
  dataSource: 'the city generator: one ping per driver per second, six ride requests per driver per minute',
}
