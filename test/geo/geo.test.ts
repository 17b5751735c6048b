import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/core/errors.js'
import {
  bearingDegrees, cellCenter, cellDisk, cellDistance, cellOf, cellRing, destinationPoint, etaSeconds, fareCents,
  haversineKm, pathLengthKm, surgeMultiplier,
} from '../../src/geo/index.js'

const ferryBuilding = { lat: 37.7955, lng: -122.3937 }
const civicCenter = { lat: 37.7793, lng: -122.4193 }

describe('distance', () => {
  it('computes great-circle distances (known values)', () => {
    expect(haversineKm(ferryBuilding, ferryBuilding)).toBe(0)
    // San Francisco to Los Angeles City Hall is about 559 km as the crow flies.
    expect(haversineKm({ lat: 37.7793, lng: -122.4193 }, { lat: 34.0537, lng: -118.2428 })).toBeCloseTo(559.1, 0)
    // One degree of latitude is about 111.2 km.
    expect(haversineKm({ lat: 0, lng: 0 }, { lat: 1, lng: 0 })).toBeCloseTo(111.19, 1)
    expect(haversineKm(ferryBuilding, civicCenter)).toBeCloseTo(haversineKm(civicCenter, ferryBuilding), 12)
  })

  it('sums a path and finds bearings and destinations consistently', () => {
    const mid = { lat: 37.787, lng: -122.406 }
    expect(pathLengthKm([ferryBuilding, mid, civicCenter])).toBeCloseTo(haversineKm(ferryBuilding, mid) + haversineKm(mid, civicCenter), 12)
    expect(pathLengthKm([ferryBuilding])).toBe(0)
    expect(bearingDegrees({ lat: 0, lng: 0 }, { lat: 1, lng: 0 })).toBeCloseTo(0, 6)
    expect(bearingDegrees({ lat: 0, lng: 0 }, { lat: 0, lng: 1 })).toBeCloseTo(90, 6)
    const there = destinationPoint(civicCenter, 45, 2.5)
    expect(haversineKm(civicCenter, there)).toBeCloseTo(2.5, 6)
    expect(bearingDegrees(civicCenter, there)).toBeCloseTo(45, 2)
  })
})

describe('H3 zones', () => {
  it('puts nearby points in the same cell and far ones in different cells', () => {
    const cell = cellOf(civicCenter)
    expect(cell).toMatch(/^87[0-9a-f]{13}$/)
    expect(cellOf({ lat: civicCenter.lat + 0.0001, lng: civicCenter.lng })).toBe(cell)
    expect(cellOf(ferryBuilding)).not.toBe(cell)
    expect(haversineKm(cellCenter(cell), civicCenter)).toBeLessThan(2)
  })

  it('enumerates rings for a nearest-first search', () => {
    const cell = cellOf(civicCenter)
    expect(cellRing(cell, 0)).toEqual([cell])
    expect(cellRing(cell, 1)).toHaveLength(6)
    expect(cellRing(cell, 2)).toHaveLength(12)
    expect(new Set([...cellRing(cell, 0), ...cellRing(cell, 1), ...cellRing(cell, 2)])).toEqual(new Set(cellDisk(cell, 2)))
    for (const c of cellRing(cell, 2)) expect(cellDistance(cell, c)).toBe(2)
  })

  it('rejects invalid positions, resolutions and cells with a typed error', () => {
    expect(() => cellOf({ lat: 91, lng: 0 })).toThrow(ConfigError)
    expect(() => cellOf({ lat: Number.NaN, lng: 0 })).toThrow(ConfigError)
    expect(() => cellOf(civicCenter, 16)).toThrow(ConfigError)
    expect(() => cellCenter('not-a-cell')).toThrow(ConfigError)
  })
})

describe('fares and arrival times', () => {
  it('estimates arrival in whole seconds, rounding up', () => {
    expect(etaSeconds(1, 60)).toBe(60)
    expect(etaSeconds(0.5, 30)).toBe(60)
    expect(etaSeconds(1, 7)).toBe(515) // 514.28... s
    expect(etaSeconds(0, 30)).toBe(0)
    expect(() => etaSeconds(1, 0)).toThrow(ConfigError)
  })

  it('computes surge as demand over supply, capped at 3, and 1 without excess demand', () => {
    expect(surgeMultiplier(0, 0)).toBe(1)
    expect(surgeMultiplier(5, 5)).toBe(1)
    expect(surgeMultiplier(3, 10)).toBe(1)
    expect(surgeMultiplier(6, 4)).toBe(1.5)
    expect(surgeMultiplier(2, 0)).toBe(2)
    expect(surgeMultiplier(40, 2)).toBe(3)
  })

  it('prices a ride as base + per km + per minute, with a minimum, times surge', () => {
    // 250 + 120 * 5 + 35 * 12 = 1270 cents
    expect(fareCents(5, 12 * 60_000)).toBe(1270)
    expect(fareCents(5, 12 * 60_000, 1.5)).toBe(1905)
    expect(fareCents(0.2, 60_000)).toBe(700) // the minimum fare
    expect(fareCents(0.2, 60_000, 2)).toBe(1400)
    expect(fareCents(5, 12 * 60_000, 1, { baseCents: 0, perKmCents: 100, perMinuteCents: 0, minimumCents: 0 })).toBe(500)
    expect(() => fareCents(-1, 0)).toThrow(ConfigError)
    expect(() => fareCents(1, 0, 0.5)).toThrow(ConfigError)
  })
})
