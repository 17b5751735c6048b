import { surgeMultiplier } from '../../../geo/index.js'
import { QueryableStoreTypes } from '../../../index.js'
import type { KafkaStreams } from '../../../runtime/index.js'
import { FLEET_MAP_NAMES } from '../../../../topologies/fleet-map/index.js'
import { SURGE_NAMES } from '../../../../topologies/surge-pricing/index.js'
import { VELOCITY_TOPICS, type EnrichedLocation, type Ride, type RideAssignment, type RideRequest } from '../../../../topologies/velocity/domain.js'
import type { OutputTap } from '../output-tap.js'

/** One running application, as the side panel shows it. */
export interface MapApplication {
  readonly name: string
  readonly state: string
  readonly processedPerSecond: number | undefined
  readonly processedTotal: number | undefined
  readonly lag: number | undefined
}

export interface MapDriver {
  readonly id: string
  readonly lat: number
  readonly lng: number
  readonly heading: number
  /** A rider is in the car. */
  readonly onTrip: boolean
  readonly ts: number
  readonly name: string | null
  readonly rating: number | null
  /** "Toyota Prius, 7ABC123" */
  readonly vehicle: string | null
}

export interface MapZoneSurge {
  readonly zone: string
  readonly surge: number
  readonly demand: number
  readonly supply: number
}

export interface MapAssignment {
  readonly requestId: string
  readonly driverId: string
  /** The driver's position when the map last saw it; null without fleet-map. */
  readonly driver: { readonly lat: number; readonly lng: number } | null
  readonly pickup: { readonly lat: number; readonly lng: number } | null
  readonly etaSeconds: number
  readonly ts: number
}

/** What the page draws each second. A part is null when no running topology provides it. */
export interface MapSnapshot {
  readonly at: number
  readonly applications: readonly MapApplication[]
  readonly drivers: readonly MapDriver[] | null
  /** The surge of each zone in the latest window (the minute in progress); null without surge-pricing. */
  readonly zones: readonly MapZoneSurge[] | null
  readonly windowStart: number | null
  readonly assignments: readonly MapAssignment[] | null
  readonly rides: readonly Ride[] | null
}

const SURGE_WINDOW_MS = 60_000
const RECENT_ASSIGNMENTS = 30
const RECENT_RIDES = 10

/** A running bundled topology: its application and the stores it lets the map query. */
export interface MapApp {
  readonly name: string
  readonly app: KafkaStreams
  readonly stores: readonly string[]
}

/** The application holding `store`, or undefined when no running topology has it. */
function appWithStore(apps: readonly MapApp[], store: string): KafkaStreams | undefined {
  return apps.find((a) => a.stores.includes(store))?.app
}

/**
 * Reads what the map shows from the running applications' own stores (interactive queries) and
 * from the outputs the CLI taps: each driver's latest position (fleet-map), demand against supply
 * per zone in the current window (surge-pricing), recent assignments (ride-matching) and rides
 * (ride-history).
 */
export class MapState {
  /** Window starts older than this are not read again: the scan starts one window before it. */
  private latestWindowStart = 0

  constructor(
    private readonly apps: readonly MapApp[],
    /** Taps ride_assignments, ride_requests and rides when the topologies that write them run. */
    private readonly tap: OutputTap | undefined,
  ) {}

  private inFlight: Promise<MapSnapshot> | undefined

  /** What the map shows now; callers at the same moment (several pages open) share one read. */
  snapshot(): Promise<MapSnapshot> {
    this.inFlight ??= this.read().finally(() => (this.inFlight = undefined))
    return this.inFlight
  }

  private async read(): Promise<MapSnapshot> {
    await this.tap?.poll().catch(() => undefined)
    const drivers = await this.drivers()
    const surge = await this.zones()
    return {
      at: Date.now(),
      applications: await Promise.all(this.apps.map((a) => application(a))),
      drivers,
      zones: surge?.zones ?? null,
      windowStart: surge?.windowStart ?? null,
      assignments: await this.assignments(drivers),
      rides: await this.rides(),
    }
  }

  private async drivers(): Promise<MapDriver[] | null> {
    const app = appWithStore(this.apps, FLEET_MAP_NAMES.latestPositions)
    if (app === undefined) return null
    const drivers: MapDriver[] = []
    if (app.state() !== 'RUNNING') return drivers
    try {
      const store = app.store<string, EnrichedLocation>(FLEET_MAP_NAMES.latestPositions)
      for await (const [, value] of store.all()) drivers.push(mapDriver(value))
    } catch {
      // A rebalance or close under the read: the next second reads again.
    }
    return drivers
  }

  private async zones(): Promise<{ zones: MapZoneSurge[]; windowStart: number } | null> {
    const demandApp = appWithStore(this.apps, SURGE_NAMES.demandWindows)
    if (demandApp === undefined) return null
    const demand = await this.windowCounts(demandApp, SURGE_NAMES.demandWindows)
    const supply = await this.windowCounts(demandApp, SURGE_NAMES.supplyWindows)
    const windowStart = Math.max(demand.latest, supply.latest)
    if (!Number.isFinite(windowStart)) return { zones: [], windowStart: this.latestWindowStart }
    this.latestWindowStart = windowStart
    const zones = new Set([...(demand.counts.get(windowStart)?.keys() ?? []), ...(supply.counts.get(windowStart)?.keys() ?? [])])
    return {
      windowStart,
      zones: [...zones].sort().map((zone) => {
        const d = demand.counts.get(windowStart)?.get(zone) ?? 0
        const s = supply.counts.get(windowStart)?.get(zone) ?? 0
        return { zone, surge: surgeMultiplier(d, s), demand: d, supply: s }
      }),
    }
  }

  /** Distinct ids per window start and zone, from the latest known window on. */
  private async windowCounts(app: KafkaStreams, storeName: string): Promise<{ counts: Map<number, Map<string, number>>; latest: number }> {
    const counts = new Map<number, Map<string, number>>()
    let latest = -Infinity
    if (app.state() !== 'RUNNING') return { counts, latest }
    try {
      const store = app.store(storeName, QueryableStoreTypes.windowStore<string, readonly string[]>())
      for await (const [key, value] of store.fetchAll(Math.max(0, this.latestWindowStart - SURGE_WINDOW_MS), Number.MAX_SAFE_INTEGER)) {
        const start = key.window.start
        let zones = counts.get(start)
        if (zones === undefined) counts.set(start, (zones = new Map()))
        zones.set(key.key, value.length)
        if (start > latest) latest = start
      }
    } catch {
      // As for drivers: read again next second.
    }
    return { counts, latest }
  }

  private async assignments(drivers: readonly MapDriver[] | null): Promise<MapAssignment[] | null> {
    if (this.tap === undefined || !this.tap.has(VELOCITY_TOPICS.rideAssignments)) return null
    const requests = new Map<string, RideRequest>()
    for (const record of await this.tap.latest(VELOCITY_TOPICS.rideRequests)) {
      const request = record.value as RideRequest | null
      if (request !== null && typeof request === 'object') requests.set(request.requestId, request)
    }
    const positions = new Map((drivers ?? []).map((d) => [d.id, d]))
    const assignments: MapAssignment[] = []
    for (const record of (await this.tap.latest(VELOCITY_TOPICS.rideAssignments)).slice(-RECENT_ASSIGNMENTS)) {
      const assignment = record.value as RideAssignment | null
      if (assignment === null || typeof assignment !== 'object') continue
      const request = requests.get(assignment.requestId)
      const driver = positions.get(assignment.driverId)
      assignments.push({
        requestId: assignment.requestId,
        driverId: assignment.driverId,
        driver: driver === undefined ? null : { lat: driver.lat, lng: driver.lng },
        pickup: request === undefined ? null : { lat: request.pickupLat, lng: request.pickupLng },
        etaSeconds: assignment.etaSeconds,
        ts: assignment.ts,
      })
    }
    return assignments
  }

  private async rides(): Promise<Ride[] | null> {
    if (this.tap === undefined || !this.tap.has(VELOCITY_TOPICS.rides)) return null
    const rides = (await this.tap.latest(VELOCITY_TOPICS.rides)).map((r) => r.value as Ride | null).filter((r): r is Ride => r !== null && typeof r === 'object')
    return rides.slice(-RECENT_RIDES).reverse()
  }
}

function mapDriver(location: EnrichedLocation): MapDriver {
  const { driver } = location
  return {
    id: location.driverId,
    lat: location.lat,
    lng: location.lng,
    heading: location.heading,
    onTrip: location.riderId !== null,
    ts: location.ts,
    name: driver?.name ?? null,
    rating: driver?.rating ?? null,
    vehicle: driver === null ? null : `${driver.vehicle.make} ${driver.vehicle.model}, ${driver.vehicle.plate}`,
  }
}

async function application({ name, app }: MapApp): Promise<MapApplication> {
  try {
    const metrics = await app.metrics()
    return {
      name,
      state: metrics.state,
      processedPerSecond: metrics.records.processedPerSecond,
      processedTotal: metrics.records.processedTotal,
      lag: metrics.consumerLag?.reduce((sum, p) => sum + p.lag, 0),
    }
  } catch {
    return { name, state: app.state(), processedPerSecond: undefined, processedTotal: undefined, lag: undefined }
  }
}
