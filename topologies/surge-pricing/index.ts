/**
 * surge-pricing (Team Bravo): per H3 zone (resolution 7) and 1-minute tumbling window, demand (ride
 * requests picked up in the zone) against supply (distinct available drivers, without a rider, that
 * pinged from the zone); the surge multiplier is emitted once per zone and window, when the window
 * closes, to `surge_pricing`.
 *
 * Two windowed aggregations, demand (distinct request ids per zone and window) and supply (distinct
 * driver ids), are outer-joined as windowed tables per zone and window, and the joined table is
 * suppressed until the window closes: one final result per zone and window, zones with demand and no
 * supply (or supply and no demand) included.
 */
import { Serdes, StreamsBuilder, Suppressed, TimeWindows, type KStream, type KTable, type Serde, type Topology, type Windowed } from '../../src/index.js'
import { cellOf, surgeMultiplier } from '../../src/geo/index.js'
import type { BundledTopology } from '../types.js'
import { VELOCITY_TOPICS, type RideRequest, type SurgePrice, type VehicleLocation } from '../velocity/domain.js'

/** Surge windows: 1 minute, tumbling. */
export const SURGE_WINDOW_MS = 60_000
/**
 * How long a window waits for out-of-order records after it ends. Phones deliver some pings a few
 * seconds after newer ones; anything later than this is dropped and counted as late.
 */
export const SURGE_GRACE_MS = 10_000

export const SURGE_NAMES = {
  /** Window store of the request ids per zone and window (queryable as a window store). */
  demandWindows: 'surge-demand-windows',
  /** Window store of the available driver ids per zone and window (queryable as a window store). */
  supplyWindows: 'surge-supply-windows',
  /** Repartition topic of the requests by zone: `<app>-surge-demand-by-zone-repartition`. */
  demandByZone: 'surge-demand-by-zone',
  /** Repartition topic of the available-driver pings by zone: `<app>-surge-supply-by-zone-repartition`. */
  supplyByZone: 'surge-supply-by-zone',
  /** The outer join of demand and supply per zone and window. */
  demandSupplyJoin: 'surge-demand-supply',
  /** The suppression that holds each joined window back until it closes. */
  finalPerWindow: 'surge-final-per-window',
} as const

/**
 * A zone's window, both sides: the ids of the requests and of the available drivers, each a sorted
 * list (a small, JSON-friendly set). Counting distinct ids makes the counts immune to records sent
 * twice by a retrying producer, and to a driver pinging every second.
 */
export interface ZoneDemandSupply {
  readonly requests: readonly string[]
  readonly availableDrivers: readonly string[]
}

/** The join of a zone's window: a side the zone has no record of in that window is empty. */
export function demandAgainstSupply(requests: readonly string[] | null, availableDrivers: readonly string[] | null): ZoneDemandSupply {
  return { requests: requests ?? [], availableDrivers: availableDrivers ?? [] }
}

/** `ids` with `id` added in order; the same array when it is there already. */
function withId(ids: readonly string[], id: string): readonly string[] {
  const at = sortedIndex(ids, id)
  return ids[at] === id ? ids : [...ids.slice(0, at), id, ...ids.slice(at)]
}

function sortedIndex(sorted: readonly string[], id: string): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (sorted[mid]! < id) low = mid + 1
    else high = mid
  }
  return low
}

/**
 * The published price of a closed window. A zone with drivers and no requests is published too, at
 * 1.0: pricing consumers keep the latest multiplier per zone, and an explicit "no surge" ends an
 * earlier surge instead of leaving it in place until the next request.
 */
export function surgePrice(window: Windowed<string>, totals: ZoneDemandSupply): SurgePrice {
  const demand = totals.requests.length
  const supply = totals.availableDrivers.length
  return {
    cell: window.key,
    windowStart: window.window.start,
    windowEnd: window.window.end,
    demand,
    supply,
    multiplier: surgeMultiplier(demand, supply),
  }
}

const ids = Serdes.json<readonly string[]>()

export const surgePricingSerdes = {
  requestKey: Serdes.string(),
  request: Serdes.json<RideRequest>(),
  locationKey: Serdes.string(),
  location: Serdes.json<VehicleLocation>(),
  cell: Serdes.string(),
  surge: Serdes.json<SurgePrice>(),
} as const

export interface SurgePricingOptions {
  /** Default SURGE_GRACE_MS. */
  readonly graceMs?: number
}

/** Builds the surge-pricing topology. */
export function buildSurgePricing(options: SurgePricingOptions = {}): Topology {
  const builder = new StreamsBuilder()
  const requests = builder.stream<string, RideRequest>(VELOCITY_TOPICS.rideRequests, {
    keySerde: surgePricingSerdes.requestKey,
    valueSerde: surgePricingSerdes.request,
    timestampExtractor: (record) => record.value.ts,
  })
  const pings = builder.stream<string, VehicleLocation>(VELOCITY_TOPICS.vehicleLocations, {
    keySerde: surgePricingSerdes.locationKey,
    valueSerde: surgePricingSerdes.location,
    timestampExtractor: (record) => record.value.ts,
  })

  const windows = TimeWindows.ofSizeAndGrace(SURGE_WINDOW_MS, options.graceMs ?? SURGE_GRACE_MS)
  const distinctIds = (name: string, storeName: string, stream: KStream<string, string>): KTable<Windowed<string>, readonly string[]> =>
    stream
      .groupByKey({ keySerde: surgePricingSerdes.cell, valueSerde: Serdes.string(), name })
      .windowedBy(windows)
      .aggregate<readonly string[]>(() => [], (_cell, id, seen) => withId(seen, id), { storeName, valueSerde: ids })

  const demand = distinctIds(
    SURGE_NAMES.demandByZone,
    SURGE_NAMES.demandWindows,
    requests.map<string, string>((requestId, request) => [cellOf({ lat: request.pickupLat, lng: request.pickupLng }), requestId]),
  )
  const supply = distinctIds(
    SURGE_NAMES.supplyByZone,
    SURGE_NAMES.supplyWindows,
    pings.filter((_driverId, ping) => ping.riderId === null).map<string, string>((_driverId, ping) => [cellOf(ping), ping.driverId]),
  )

  // Outer: a zone with requests and no available driver is priced (the surge it most needs), and a
  // zone with drivers and no request is published at 1.0.
  demand
    .outerJoin(supply, demandAgainstSupply, { name: SURGE_NAMES.demandSupplyJoin, valueSerde: Serdes.json<ZoneDemandSupply>() })
    .suppress(Suppressed.untilWindowCloses().withName(SURGE_NAMES.finalPerWindow))
    .toStream()
    .map<string, SurgePrice>((window, totals) => [window.key, surgePrice(window, totals)])
    .to(VELOCITY_TOPICS.surgePricing, { keySerde: surgePricingSerdes.cell, valueSerde: surgePricingSerdes.surge })

  return builder.build()
}

export const bundled: BundledTopology = {
  name: 'surge-pricing',
  description: 'Ride requests against available drivers per H3 zone and minute; the surge multiplier of each closed window',
  // Windows behind a repartition: exact whatever the speeds of the input partitions, and the last
  // minute comes out once the inputs go quiet (docs/windows.md, "Event time across partitions").
  config: { watermarks: 'upstream' },
  build() {
    return {
      topology: buildSurgePricing(),
      inputs: [VELOCITY_TOPICS.rideRequests, VELOCITY_TOPICS.vehicleLocations],
      outputs: [{
        topic: VELOCITY_TOPICS.surgePricing,
        keySerde: surgePricingSerdes.cell as Serde<unknown>,
        valueSerde: surgePricingSerdes.surge as Serde<unknown>,
      }],
      stores: [SURGE_NAMES.demandWindows, SURGE_NAMES.supplyWindows],
    }
  },
}
