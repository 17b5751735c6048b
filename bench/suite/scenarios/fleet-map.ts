import { buildFleetMap, driverCard, enrichLocation, type DriverCard } from '../../../topologies/fleet-map/index.js'
import { VELOCITY_TOPICS, type DriverProfile, type EnrichedLocation, type RiderProfile, type VehicleLocation } from '../../../topologies/velocity/domain.js'
import { cityInputs, cityScale } from './city-data.js'
import { globalTablesFirst, globalTopicsOf, inBlocks, type InputRecord, type Scenario } from './scenario.js'

const TOPICS = [VELOCITY_TOPICS.driverProfiles, VELOCITY_TOPICS.riderProfiles, VELOCITY_TOPICS.vehicleLocations]

interface Envelope<Row> {
  readonly after: Row | null
}

/**
 * fleet-map by hand: the driver and rider profiles in Maps (the after-image of each change
 * event), every ping enriched with its zone and both profiles and written as JSON, and the
 * newest position per driver kept in a Map.
 */
function computeLimit(inputs: readonly InputRecord[]): number {
  const drivers = new Map<string, DriverCard>()
  const riders = new Map<string, RiderProfile>()
  const latest = new Map<string, EnrichedLocation>()
  let emitted = 0
  for (const input of inputs) {
    if (input.topic === VELOCITY_TOPICS.vehicleLocations) {
      if (input.value === null) continue
      const driverId = input.key.toString()
      const ping = JSON.parse(input.value.toString()) as VehicleLocation
      const enriched = enrichLocation(ping, drivers.get(driverId) ?? null, riders.get(ping.riderId ?? '') ?? null)
      if (Buffer.from(JSON.stringify(enriched)).length > 0) emitted++
      const current = latest.get(driverId)
      if (current === undefined || enriched.ts >= current.ts) latest.set(driverId, enriched)
      continue
    }
    // A tombstone follows a delete event, which already removed the row.
    if (input.value === null) continue
    const id = (JSON.parse(input.key.toString()) as { id: string }).id
    if (input.topic === VELOCITY_TOPICS.driverProfiles) {
      const after = (JSON.parse(input.value.toString()) as Envelope<DriverProfile>).after
      if (after === null) drivers.delete(id)
      else drivers.set(id, driverCard(after))
    } else {
      const after = (JSON.parse(input.value.toString()) as Envelope<RiderProfile>).after
      if (after === null) riders.delete(id)
      else riders.set(id, after)
    }
  }
  return emitted
}

/** rider_profiles, read as a global table: its records lead the inputs (see Scenario.globalTopics). */
const GLOBAL_TOPICS = globalTopicsOf(buildFleetMap())

/** Scenario 2: stream-table and stream-global-table joins, the fleet map's enrichment. */
export const fleetMapScenario: Scenario = {
  name: 'fleet-map',
  description: `stream-table + stream-global-table join: ${VELOCITY_TOPICS.vehicleLocations} enriched with driver (table, re-keyed) and rider (global table) profiles from CDC, plus the latest position per driver`,
  inputTopics: TOPICS,
  globalTopics: GLOBAL_TOPICS,
  variants: [{ name: 'enrich', build: () => ({ topology: buildFleetMap(), outputTopics: [VELOCITY_TOPICS.driverRiderVehicleLocation] }), computeLimit, kafkaStreams: { scenario: 'bench.FleetMap' } }],
  prepare: (records, seed) =>
    globalTablesFirst(inBlocks(cityInputs(cityScale(records), seed, TOPICS, VELOCITY_TOPICS.vehicleLocations, records), TOPICS), GLOBAL_TOPICS),
  dataSource: 'the city generator: one ping per driver per second, the profiles\' CDC snapshot and changes (the rider profiles, a global table, all before the first ping)',
}
