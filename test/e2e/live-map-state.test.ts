import { afterAll, describe, expect, it } from 'vitest'
import { haversineKm } from '../../src/geo/index.js'
import type { MapSnapshot } from '../../src/cli/run/live-map/map-state.js'
import { CITY_CENTRE, CITY_RADIUS_KM } from '../../topologies/generator/index.js'
import { startTributaryRun, type TributaryRun } from './fixtures/tributary-run.js'

let run: TributaryRun | undefined
afterAll(async () => {
  await run?.stop()
})

async function snapshot(url: string): Promise<MapSnapshot> {
  const response = await fetch(new URL('/map/state.json', url))
  expect(response.status).toBe(200)
  return (await response.json()) as MapSnapshot
}

describe('the live map\'s data (tributary run fleet-map ride-matching)', () => {
  it('draws each assignment from the assigned driver to the request\'s pickup point, and leaves out what no topology provides', { timeout: 120_000 }, async () => {
    const map = await startTributaryRun(['fleet-map', 'ride-matching', '--duration', '100'])
    run = map
    const config = (await (await fetch(new URL('/map/config.json', map.url))).json()) as { tiles: string | null; topologies: string[] }
    expect(config.tiles).toBeNull()
    expect(config.topologies).toEqual(['fleet-map', 'ride-matching'])

    // Riders request a few rides a second; the first assignments come within seconds of RUNNING.
    let state: MapSnapshot | undefined
    for (const deadline = Date.now() + 90_000; Date.now() < deadline;) {
      state = await snapshot(map.url)
      if ((state.assignments ?? []).filter((a) => a.driver !== null && a.pickup !== null).length >= 3) break
      await new Promise((done) => setTimeout(done, 1_000))
    }
    expect(state!.applications.map((a) => [a.name, a.state])).toEqual([['fleet-map', 'RUNNING'], ['ride-matching', 'RUNNING']])
    // surge-pricing and ride-history do not run: no zones, no rides.
    expect(state!.zones).toBeNull()
    expect(state!.rides).toBeNull()
    const drawn = state!.assignments!.filter((a) => a.driver !== null && a.pickup !== null)
    expect(drawn.length).toBeGreaterThanOrEqual(3)
    const drivers = new Map(state!.drivers!.map((d) => [d.id, d]))
    for (const assignment of drawn) {
      // The line starts at the assigned driver's latest position on the map...
      const driver = drivers.get(assignment.driverId)
      expect(driver).toBeDefined()
      expect(assignment.driver).toEqual({ lat: driver!.lat, lng: driver!.lng })
      // ...and ends at the pickup the rider asked for, inside the city; ride-matching only
      // assigns drivers within its search radius of the pickup.
      expect(haversineKm(assignment.pickup!, CITY_CENTRE)).toBeLessThanOrEqual(CITY_RADIUS_KM + 1)
      expect(assignment.requestId).toMatch(/^request-\d+$/)
    }
    expect(await map.stop()).toBe(0)
  })
})
