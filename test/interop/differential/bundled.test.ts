/**
 * The five bundled topologies against their Kafka Streams twins (test/interop/src/.../differential/
 * bundled), on the test broker (embedded, or Apache Kafka with TRIBUTARY_TEST_BROKER=kafka): the
 * same generated city in, the same records out, partition by partition and in order.
 *
 * Where Kafka Streams itself would not be deterministic, the input is arranged so that it is:
 * - A task reading several partitions takes the record with the smallest timestamp only when all
 *   of them have data; both applications wait up to maxTaskIdleMs (max.task.idle.ms) for a partition
 *   that ran dry, or the interleaving would depend on fetch timing.
 * - A repartition topic that several upstream tasks write interleaves their records as their
 *   producers happen to send: topologies that repartition records of one input partition into
 *   other partitions (surge-pricing, ride-history, ride-matching) run with one partition per input.
 * - A stream-table join reads the table as it is when the stream record is processed: the tables
 *   (profiles, surge) are a phase of their own, processed by both before the streams are sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedSchemaRegistry } from '../../../src/broker/index.js'
import { cellOf } from '../../../src/geo/index.js'
import { Serdes, type Serde } from '../../../src/index.js'
import { bundled as fleetMap } from '../../../topologies/fleet-map/index.js'
import { simulateCity, type CityRecord } from '../../../topologies/generator/index.js'
import { bundled as repairShop, repairShopSerdes } from '../../../topologies/repair-shop/index.js'
import { bundled as rideHistory } from '../../../topologies/ride-history/index.js'
import { bundled as rideMatching } from '../../../topologies/ride-matching/index.js'
import { bundled as surgePricing } from '../../../topologies/surge-pricing/index.js'
import type { SurgePrice, VehicleLocation } from '../../../topologies/velocity/domain.js'
import { startStreams, type StreamsFixture } from '../../e2e/fixtures.js'
import { counts, firstDivergence, runBundledCase, tributaryIdOf, type BundledCase, type BundledRun } from './bundled-harness.js'

const START_MS = Date.UTC(2026, 0, 1, 8, 0, 0)
/** Both applications wait this long for a partition of a task that ran dry before taking the others' records. */
const MAX_TASK_IDLE_MS = 2_000
const SCENARIOS = 'differential.bundled.'

function expectSameOutputs(run: BundledRun, minimum: Record<string, number>): void {
  for (const [topic, { kafkaStreams, tributary }] of run.outputs) {
    const divergence = firstDivergence(topic, kafkaStreams, tributary)
    expect(divergence, divergence).toBeUndefined()
  }
  const written = counts(run)
  console.log(`records compared: ${JSON.stringify(written)}`)
  for (const [topic, least] of Object.entries(minimum)) expect(written[topic], topic).toBeGreaterThanOrEqual(least)
}

const ofTopics = (records: Iterable<CityRecord>, topics: readonly string[]): CityRecord[] => [...records].filter((r) => topics.includes(r.topic))

/** Surge published for every other zone and minute some rider was driven through, so both "known" and "unknown" are priced. */
function surgeOfRideZones(pings: readonly CityRecord[]): CityRecord[] {
  const published = new Map<string, CityRecord>()
  let zone = 0
  for (const record of pings) {
    const ping = record.value as VehicleLocation
    if (ping.riderId === null) continue
    const cell = cellOf(ping)
    const windowStart = Math.floor(ping.ts / 60_000) * 60_000
    const id = `${cell}@${windowStart}`
    if (published.has(id)) continue
    const n = zone++
    const price: SurgePrice = { cell, windowStart, windowEnd: windowStart + 60_000, demand: 4, supply: 2, multiplier: 1 + (n % 4) * 0.25 }
    published.set(id, { topic: 'surge_pricing', key: cell, value: price, timestamp: windowStart + 70_000 })
  }
  return [...published.values()].filter((_, i) => i % 2 === 0)
}

describe('bundled topologies: Tributary and Kafka Streams on the same input', () => {
  let env: StreamsFixture | undefined

  const run = async (c: Omit<BundledCase, 'maxTaskIdleMs' | 'name'> & { name: string }): Promise<BundledRun> => {
    env = await startStreams(tributaryIdOf(c.name))
    return runBundledCase(env, { maxTaskIdleMs: MAX_TASK_IDLE_MS, ...c })
  }

  beforeEach(() => {
    env = undefined
  })
  afterEach(async () => {
    await env?.close()
  })

  it('fleet-map: every ping enriched alike (profiles first, three partitions)', async () => {
    const city = [...simulateCity({ seed: 17, drivers: 12, riders: 400, durationS: 150, outOfOrderFraction: 0.03, duplicateFraction: 0.02 })]
    const result = await run({
      name: 'fleet-map',
      built: fleetMap.build({}),
      partitions: { inputs: 3, outputs: 3 },
      phases: [ofTopics(city, ['driver_profiles', 'rider_profiles']), ofTopics(city, ['vehicle_locations'])],
      globalInputs: ['rider_profiles'],
      scenario: `${SCENARIOS}FleetMap`,
    })
    expectSameOutputs(result, { driver_rider_vehicle_location: 1_000 })
  }, 180_000)

  it('surge-pricing: the same final price per zone and minute, emitted in the same order', async () => {
    const city = simulateCity({
      seed: 23, drivers: 12, riders: 150, durationS: 270, startMs: START_MS, requestsPerSecond: 0.5, outOfOrderFraction: 0.03, duplicateFraction: 0.02,
    })
    const result = await run({
      name: 'surge-pricing',
      built: surgePricing.build({}),
      partitions: { inputs: 1, outputs: 3 },
      phases: [ofTopics(city, ['ride_requests', 'vehicle_locations'])],
      scenario: `${SCENARIOS}SurgePricing`,
    })
    expectSameOutputs(result, { surge_pricing: 20 })
  }, 180_000)

  it('ride-history: the same rides, priced alike, when their sessions close', async () => {
    const pings = ofTopics(simulateCity({
      seed: 31, drivers: 8, riders: 80, durationS: 900, startMs: START_MS, requestsPerSecond: 0.5, outOfOrderFraction: 0.03, duplicateFraction: 0.02,
    }), ['vehicle_locations'])
    const surgeSerdes = { keySerde: Serdes.string() as Serde<unknown>, valueSerde: Serdes.json() }
    const result = await run({
      name: 'ride-history',
      built: rideHistory.build({}),
      partitions: { inputs: 1, outputs: 3 },
      phases: [surgeOfRideZones(pings), pings],
      scenario: `${SCENARIOS}RideHistory`,
      send: { serdesOf: (topic) => (topic === 'surge_pricing' ? surgeSerdes : undefined) },
    })
    expectSameOutputs(result, { rides: 5 })
  }, 180_000)

  it('ride-matching: every request answered alike (the dispatcher sees one merged sequence)', async () => {
    const city = simulateCity({ seed: 11, drivers: 20, riders: 150, durationS: 420, outOfOrderFraction: 0.02, duplicateFraction: 0.02 })
    const result = await run({
      name: 'ride-matching',
      built: rideMatching.build({}),
      partitions: { inputs: 1, outputs: 3 },
      phases: [ofTopics(city, ['ride_requests', 'vehicle_locations'])],
      scenario: `${SCENARIOS}RideMatching`,
    })
    expectSameOutputs(result, { ride_assignments: 10, unmatched_ride_requests: 1 })
  }, 180_000)

  it('repair-shop: the same tickets closed once, Avro decoded (three partitions)', async () => {
    const name = 'repair-shop'
    env = await startStreams(tributaryIdOf(name))
    const registry = env.track(await EmbeddedSchemaRegistry.start())
    const ticketClosed = repairShopSerdes(registry.url).ticketClosed
    const records = ofTopics(simulateCity({ seed: 5, drivers: 0, riders: 0, durationS: 300, repairShop: true, duplicateFraction: 0.03 }), ['tickets', 'appointments', 'payments'])
    const result = await runBundledCase(env, {
      name,
      maxTaskIdleMs: MAX_TASK_IDLE_MS,
      built: repairShop.build({ schemaRegistryUrl: registry.url }),
      partitions: { inputs: 3, outputs: 3 },
      phases: [records],
      scenario: `${SCENARIOS}RepairShop`,
      scenarioOptions: { 'registry.url': registry.url },
      send: { schemaRegistryUrl: registry.url },
      decode: (topic, value) => {
        if (topic !== 'ticket_closed') return JSON.parse(value.toString('utf8')) as unknown
        // A promise the first time a schema id is met: the harness awaits it.
        return ticketClosed.deserialize(value, { topic, isKey: false })
      },
    })
    expectSameOutputs(result, { ticket_closed: 10, closed_ticket_summaries: 10 })
  }, 180_000)
})
