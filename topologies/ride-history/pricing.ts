/**
 * Pricing a finished ride: the tariff (base + per km + per minute, at least the minimum) times the
 * surge multiplier of the zone and minute in which the ride started, when surge-pricing published
 * one.
 */
import { cellOf, fareCents, type Tariff, defaultTariff } from '../../src/geo/index.js'
import type { Ride, SurgePrice } from '../velocity/domain.js'
import { stopOf, tripKm, type TripAggregate } from './trip.js'

/** The surge windows of one zone that surge-pricing published recently, oldest first. */
export interface SurgeHistory {
  readonly windows: readonly { readonly start: number; readonly end: number; readonly multiplier: number }[]
}

/**
 * How much surge history a zone keeps: rides are priced when their session closes, a few minutes
 * after they started, so an hour is plenty and keeps the table small.
 */
export const SURGE_HISTORY_MS = 60 * 60_000

export const emptySurgeHistory = (): SurgeHistory => ({ windows: [] })

/** Records one published window (replacing a re-published one) and forgets windows older than `keepMs`. */
export function recordSurge(history: SurgeHistory, surge: SurgePrice, keepMs = SURGE_HISTORY_MS): SurgeHistory {
  const window = { start: surge.windowStart, end: surge.windowEnd, multiplier: surge.multiplier }
  const newestEnd = Math.max(window.end, history.windows.at(-1)?.end ?? window.end)
  const windows = history.windows.filter((w) => w.start !== window.start && w.end > newestEnd - keepMs)
  if (window.end > newestEnd - keepMs) windows.push(window)
  windows.sort((a, b) => a.start - b.start)
  return { windows }
}

/** The multiplier of the window containing `ts`, or 1 when none is known (no surge published, or too old). */
export function surgeAt(history: SurgeHistory | null, ts: number): number {
  const window = history?.windows.find((w) => w.start <= ts && ts < w.end)
  return window === undefined ? 1 : window.multiplier
}

/** The ride's id: a driver carries a rider from one moment on, so the three identify a ride. */
export function rideId(trip: TripAggregate): string {
  return `${trip.driverId}:${trip.riderId}:${trip.start.ts}`
}

/** The zone surge is looked up in: where the rider was picked up. */
export function startCell(trip: TripAggregate): string {
  return cellOf(trip.start)
}

export function priceRide(trip: TripAggregate, surgeHistory: SurgeHistory | null, tariff: Tariff = defaultTariff): Ride {
  const stop = stopOf(trip)
  const distanceKm = tripKm(trip)
  const durationMs = stop.ts - trip.start.ts
  const surge = surgeAt(surgeHistory, trip.start.ts)
  return {
    rideId: rideId(trip),
    driverId: trip.driverId,
    riderId: trip.riderId,
    start: trip.start,
    stop,
    durationMs,
    distanceKm,
    surge,
    priceCents: fareCents(distanceKm, durationMs, surge, tariff),
  }
}
