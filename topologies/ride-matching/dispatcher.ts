import type { KeyValueStore, Processor, ProcessorContext, ProcessorSupplier, StreamRecord } from '../../src/index.js'
import { cellOf, etaSeconds } from '../../src/geo/index.js'
import type { RideAssignment, RideRequest, VehicleLocation } from '../velocity/domain.js'
import { findNearestDriver } from './nearest-driver.js'
import {
  RIDE_MATCHING_STORES, type DispatchEvent, type DriverAssignment, type DriverState, type ResolvedRideMatchingOptions,
  type UnmatchedRideRequest,
} from './types.js'

/** What the dispatcher answers to a request. */
export type DispatchOutcome =
  | { readonly kind: 'assigned'; readonly assignment: RideAssignment }
  | { readonly kind: 'unmatched'; readonly unmatched: UnmatchedRideRequest }

/** How often (in stream time) forgotten drivers and old request ids are swept from the stores. */
const SWEEP_INTERVAL_MS = 60_000

/**
 * The assignment after a ping: a rider aboard marks the pickup, the first ping without one after
 * that ends the ride, and a pickup that never happens times out so the driver is not lost forever.
 */
function assignmentAfterPing(assignment: DriverAssignment | null, ping: VehicleLocation, pickupTimeoutMs: number): DriverAssignment | null {
  if (assignment === null) return null
  if (ping.riderId !== null) return assignment.pickedUp ? assignment : { ...assignment, pickedUp: true }
  if (assignment.pickedUp) return null
  return ping.ts - assignment.at >= pickupTimeoutMs ? null : assignment
}

/** A driver may take a request at `now`: no rider aboard, not sent elsewhere, and heard from recently. */
export function isDriverFree(driver: DriverState, now: number, options: ResolvedRideMatchingOptions): boolean {
  if (driver.riderId !== null || now - driver.ts > options.staleAfterMs) return false
  const assignment = driver.assignment
  return assignment === null || (!assignment.pickedUp && now - assignment.at >= options.pickupTimeoutMs)
}

/**
 * The matching service's processor. Records arrive keyed by dispatch area; per area it keeps each
 * driver's latest state and an index H3 cell -> drivers, and answers each request with the nearest
 * free driver, who is then unavailable until the ride is over.
 */
export function dispatcher(options: ResolvedRideMatchingOptions): ProcessorSupplier<string, DispatchEvent, string, DispatchOutcome> {
  return (): Processor<string, DispatchEvent, string, DispatchOutcome> => {
    let ctx!: ProcessorContext<string, DispatchOutcome>
    let drivers!: KeyValueStore<string, DriverState>
    let cells!: KeyValueStore<string, string[]>
    let requests!: KeyValueStore<string, number>

    const driverKey = (area: string, driverId: string): string => `${area}|${driverId}`
    const cellKey = (area: string, cell: string): string => `${area}|${cell}`

    async function addToCell(area: string, cell: string, driverId: string): Promise<void> {
      const ids = (await cells.get(cellKey(area, cell))) ?? []
      if (!ids.includes(driverId)) await cells.put(cellKey(area, cell), [...ids, driverId])
    }

    async function removeFromCell(area: string, cell: string, driverId: string): Promise<void> {
      const ids = (await cells.get(cellKey(area, cell))) ?? []
      const rest = ids.filter((id) => id !== driverId)
      await cells.put(cellKey(area, cell), rest.length === 0 ? null : rest)
    }

    async function onPing(area: string, ping: VehicleLocation): Promise<void> {
      const key = driverKey(area, ping.driverId)
      const previous = await drivers.get(key)
      // An out-of-order ping is older news than what the store holds: it must not move the driver back.
      if (previous !== undefined && ping.ts < previous.ts) return
      const cell = cellOf(ping, options.indexResolution)
      if (previous?.cell !== cell) {
        if (previous !== undefined) await removeFromCell(area, previous.cell, ping.driverId)
        await addToCell(area, cell, ping.driverId)
      }
      await drivers.put(key, {
        driverId: ping.driverId,
        lat: ping.lat,
        lng: ping.lng,
        cell,
        ts: ping.ts,
        riderId: ping.riderId,
        assignment: assignmentAfterPing(previous?.assignment ?? null, ping, options.pickupTimeoutMs),
      })
    }

    async function onRequest(area: string, request: RideRequest, record: StreamRecord<string, DispatchEvent>): Promise<void> {
      // A request sent twice (a producer retry) was answered the first time.
      if ((await requests.get(request.requestId)) !== undefined) return
      await requests.put(request.requestId, request.ts)
      const now = Math.max(ctx.currentStreamTimeMs(), request.ts)
      const nearest = await findNearestDriver({
        pickup: { lat: request.pickupLat, lng: request.pickupLng },
        resolution: options.indexResolution,
        maxPickupKm: options.maxPickupKm,
        driversIn: async (cell) => {
          const found: DriverState[] = []
          for (const id of (await cells.get(cellKey(area, cell))) ?? []) {
            const driver = await drivers.get(driverKey(area, id))
            if (driver !== undefined) found.push(driver)
          }
          return found
        },
        isEligible: (driver) => isDriverFree(driver, now, options),
      })
      if (nearest === undefined) {
        const unmatched: UnmatchedRideRequest = {
          requestId: request.requestId, riderId: request.riderId, pickupLat: request.pickupLat, pickupLng: request.pickupLng,
          reason: 'no-driver-in-range', searchedKm: options.maxPickupKm, ts: request.ts,
        }
        await ctx.forward({ key: request.requestId, value: { kind: 'unmatched', unmatched }, timestamp: record.timestamp, headers: record.headers })
        return
      }
      const { driver, distanceKm } = nearest
      await drivers.put(driverKey(area, driver.driverId), {
        ...driver,
        assignment: { requestId: request.requestId, riderId: request.riderId, at: now, pickedUp: false },
      })
      const assignment: RideAssignment = {
        requestId: request.requestId, riderId: request.riderId, driverId: driver.driverId,
        distanceKm, etaSeconds: etaSeconds(distanceKm, options.citySpeedKmh), ts: request.ts,
      }
      await ctx.forward({ key: request.requestId, value: { kind: 'assigned', assignment }, timestamp: record.timestamp, headers: record.headers })
    }

    /** Forgets drivers silent for `retentionMs` and request ids older than that, so the stores stay bounded. */
    async function sweep(streamTimeMs: number): Promise<void> {
      const silent: DriverState[] = []
      const silentKeys: string[] = []
      for await (const [key, driver] of drivers.all()) {
        if (streamTimeMs - driver.ts > options.retentionMs) {
          silent.push(driver)
          silentKeys.push(key)
        }
      }
      for (let i = 0; i < silent.length; i++) {
        const key = silentKeys[i]!
        const area = key.slice(0, key.length - silent[i]!.driverId.length - 1)
        await removeFromCell(area, silent[i]!.cell, silent[i]!.driverId)
        await drivers.delete(key)
      }
      const oldRequests: string[] = []
      for await (const [requestId, ts] of requests.all()) if (streamTimeMs - ts > options.retentionMs) oldRequests.push(requestId)
      for (const requestId of oldRequests) await requests.delete(requestId)
    }

    return {
      init(context) {
        ctx = context
        drivers = context.getStateStore(RIDE_MATCHING_STORES.drivers)
        cells = context.getStateStore(RIDE_MATCHING_STORES.cells)
        requests = context.getStateStore(RIDE_MATCHING_STORES.requests)
        context.schedule(SWEEP_INTERVAL_MS, 'stream-time', sweep)
      },
      process(record) {
        const event = record.value
        if (event.kind === 'ping') return onPing(record.key, event.ping)
        return onRequest(record.key, event.request, record)
      },
    }
  }
}
