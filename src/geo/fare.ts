import { ConfigError } from '../core/errors.js'

/** How long a trip of `distanceKm` takes at `speedKmh`, in whole seconds (rounded up). */
export function etaSeconds(distanceKm: number, speedKmh: number): number {
  if (!(distanceKm >= 0)) throw new ConfigError(`Distance must be >= 0 km, got ${distanceKm}.`)
  if (!(speedKmh > 0)) throw new ConfigError(`Speed must be > 0 km/h to estimate an arrival time, got ${speedKmh}.`)
  return Math.ceil((distanceKm / speedKmh) * 3600)
}

/** A city's tariff. Amounts in the currency's minor unit (cents) so that fares add up exactly. */
export interface Tariff {
  readonly baseCents: number
  readonly perKmCents: number
  readonly perMinuteCents: number
  /** No fare is below this, before surge. */
  readonly minimumCents: number
}

/** Velocity's San Francisco tariff. */
export const defaultTariff: Tariff = Object.freeze({ baseCents: 250, perKmCents: 120, perMinuteCents: 35, minimumCents: 700 })

/** The largest surge multiplier Velocity applies. */
export const MAX_SURGE = 3.0

/**
 * Surge pricing of a zone: when demand (ride requests) exceeds supply (available drivers), the
 * ratio demand / max(supply, 1), capped at MAX_SURGE; otherwise 1.
 */
export function surgeMultiplier(demand: number, supply: number): number {
  if (demand <= supply) return 1.0
  return Math.min(demand / Math.max(supply, 1), MAX_SURGE)
}

/**
 * The fare of a ride in cents: (base + per km + per minute), at least the minimum, times the surge
 * multiplier, rounded to the nearest cent.
 */
export function fareCents(distanceKm: number, durationMs: number, surge = 1.0, tariff: Tariff = defaultTariff): number {
  if (!(distanceKm >= 0) || !(durationMs >= 0)) {
    throw new ConfigError(`A fare needs a distance >= 0 and a duration >= 0, got ${distanceKm} km and ${durationMs} ms.`)
  }
  if (!(surge >= 1)) throw new ConfigError(`A surge multiplier is at least 1, got ${surge}.`)
  const metered = tariff.baseCents + tariff.perKmCents * distanceKm + tariff.perMinuteCents * (durationMs / 60_000)
  return Math.round(Math.max(metered, tariff.minimumCents) * surge)
}
