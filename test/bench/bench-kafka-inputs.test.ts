import { describe, expect, it } from 'vitest'
import { changelogTopics, splitForKafka } from '../../bench/suite/kafka-mode.js'
import { fleetMapScenario } from '../../bench/suite/scenarios/fleet-map.js'
import { globalTablesFirst, type InputRecord } from '../../bench/suite/scenarios/scenario.js'
import { surgePricingScenario } from '../../bench/suite/scenarios/surge-pricing.js'
import { buildFleetMap } from '../../topologies/fleet-map/index.js'
import { VELOCITY_TOPICS } from '../../topologies/velocity/domain.js'

const rec = (topic: string, timestamp: number): InputRecord => ({ topic, key: Buffer.from('k'), value: null, timestamp })
const label = (records: readonly InputRecord[]): string[] => records.map((r) => `${r.topic}${r.timestamp}`)

describe('bench inputs of global tables', () => {
  it('moves the global topics\' records to the front, keeping the order within each part', () => {
    const records = [rec('pings', 1), rec('riders', 2), rec('pings', 3), rec('drivers', 4), rec('riders', 5)]
    expect(label(globalTablesFirst(records, ['riders']))).toEqual(['riders2', 'riders5', 'pings1', 'pings3', 'drivers4'])
  })

  it('fleet-map reads rider_profiles as a global table, and its inputs start with all of that topic', () => {
    expect(fleetMapScenario.globalTopics).toEqual([VELOCITY_TOPICS.riderProfiles])
    const inputs = fleetMapScenario.prepare(3_000, 7)
    const riders = inputs.filter((r) => r.topic === VELOCITY_TOPICS.riderProfiles).length
    // The snapshot and the changes made during the run, all ahead of the first event.
    expect(riders).toBeGreaterThan(0)
    expect(inputs.slice(0, riders).every((r) => r.topic === VELOCITY_TOPICS.riderProfiles)).toBe(true)
    expect(inputs.filter((r) => r.topic === VELOCITY_TOPICS.vehicleLocations)).toHaveLength(3_000)
  })
})

describe('kafka-mode phases', () => {
  it('produces the global tables\' records before the start, and splits the rest into the bulk and a 10% tail', () => {
    const scenario = { inputTopics: ['pings', 'riders'], globalTopics: ['riders'] }
    const inputs = [rec('riders', 0), rec('riders', 1), ...Array.from({ length: 20 }, (_, i) => rec('pings', 10 + i))]
    const phases = splitForKafka(scenario, inputs)
    expect(label(phases.bootstrap)).toEqual(['riders0', 'riders1'])
    expect(phases.bulk).toHaveLength(18)
    expect(label(phases.tail)).toEqual(['pings28', 'pings29'])
    // The group never commits offsets of a global topic: waiting for them would never end.
    expect(phases.streamTopics).toEqual(['pings'])
  })

  it('without global tables, every input topic is a stream and nothing is produced before the start', () => {
    const inputs = surgePricingScenario.prepare(2_000, 7)
    const phases = splitForKafka(surgePricingScenario, inputs)
    expect(phases.bootstrap).toEqual([])
    expect(phases.streamTopics).toEqual(surgePricingScenario.inputTopics)
    expect(phases.bulk.length + phases.tail.length).toBe(inputs.length)
    expect(phases.tail.length).toBe(Math.floor(inputs.length / 10))
  })

  it('restores fleet-map\'s task stores from their changelogs and the re-used source topic, not from the global topic', () => {
    expect(changelogTopics(buildFleetMap(), 'bench-app').sort()).toEqual([
      'bench-app-fleet-map-drivers-changelog',
      'bench-app-fleet-map-latest-positions-changelog',
      VELOCITY_TOPICS.driverProfiles,
    ])
  })
})
