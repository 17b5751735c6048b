import { latLngToCell } from 'h3-js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bundled, FLEET_MAP_NAMES } from '../../topologies/fleet-map/index.js'
import { simulateCity, type ChangeEvent, type CityRecord } from '../../topologies/generator/index.js'
import type { DriverProfile, EnrichedLocation, RiderProfile, VehicleLocation } from '../../topologies/velocity/domain.js'
import { sendCityRecords } from './city-records.js'
import { createTopicsOf, type KafkaFixture, readPartitions, startStreams, str, type StreamsFixture, testBrokerKind, waitFor } from './fixtures.js'

const APP = 'fleet-map-e2e'
const PARTITIONS = 3
const CITY = { seed: 17, drivers: 12, riders: 400, durationS: 150, outOfOrderFraction: 0.03, duplicateFraction: 0.02 } as const

/** The latest row of each profile table after every change event, as the databases hold them at the end. */
function finalRows<Row extends { id: string }>(records: readonly CityRecord[], topic: string): Map<string, Row> {
  const rows = new Map<string, Row>()
  for (const record of records) {
    if (record.topic !== topic || record.value === null) continue
    const event = record.value as ChangeEvent<Row>
    const id = (record.key as { id: string }).id
    if (event.after === null) rows.delete(id)
    else rows.set(id, event.after)
  }
  return rows
}

/** The fleet map's record, written plainly from a ping and the final profiles. */
function expectedLocation(ping: VehicleLocation, drivers: Map<string, DriverProfile>, riders: Map<string, RiderProfile>): EnrichedLocation {
  const d = drivers.get(ping.driverId)
  const r = ping.riderId === null ? undefined : riders.get(ping.riderId)
  return {
    ...ping,
    cell: latLngToCell(ping.lat, ping.lng, 7),
    driver: d === undefined ? null : {
      name: d.name, rating: d.rating, vehicle: { make: d.vehicle_make, model: d.vehicle_model, plate: d.vehicle_plate, seats: d.vehicle_seats },
    },
    rider: r === undefined ? null : { name: r.name, phone: r.phone, paymentMethod: r.payment_method },
  }
}

/** A stable text of a record, to compare multisets (duplicates included) whatever the partition order. */
const canonical = (key: string, value: EnrichedLocation): string => `${key} ${value.ts} ${JSON.stringify(value)}`

describe(`fleet-map end to end (${testBrokerKind()} broker, generated city)`, () => {
  let env: StreamsFixture
  let kafka: KafkaFixture

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
  })

  afterEach(() => env.close())

  it('enriches every generated ping with its zone, driver (table) and rider (global table), and keeps each driver\'s newest position', async () => {
    const records = [...simulateCity(CITY)]
    const profiles = records.filter((r) => r.topic === 'driver_profiles' || r.topic === 'rider_profiles')
    const pings = records.filter((r) => r.topic === 'vehicle_locations')
    const drivers = finalRows<DriverProfile>(records, 'driver_profiles')
    const riders = finalRows<RiderProfile>(records, 'rider_profiles')
    const expected = pings.map((r) => canonical(r.key as string, expectedLocation(r.value as VehicleLocation, drivers, riders))).sort()
    const values = pings.map((r) => r.value as VehicleLocation)
    // The city must exercise riders on board, empty cars and riders removed by CDC.
    expect(values.some((p) => p.riderId !== null && riders.has(p.riderId))).toBe(true)
    expect(values.some((p) => p.riderId === null)).toBe(true)
    expect(profiles.some((r) => r.topic === 'rider_profiles' && r.value === null)).toBe(true)

    const built = bundled.build({})
    await createTopicsOf(kafka, built, { inputs: PARTITIONS, outputs: PARTITIONS })
    const producer = kafka.track(kafka.clients.producer())
    const send = (list: readonly CityRecord[]) => sendCityRecords(producer, list)

    // The profiles first: a stream-table join uses the table as it is when the ping is processed,
    // so with the final profiles in place the expected record of each ping is known exactly.
    await send(profiles)
    const app = env.newApp(built.topology, { commitIntervalMs: 200 })
    await app.start()
    const driverStore = app.store<string, unknown>(FLEET_MAP_NAMES.drivers)
    await waitFor('the re-keyed driver profiles', async () => {
      for (const [id, profile] of drivers) {
        const card = (await driverStore.get(id)) as { name?: string } | null | undefined
        if (card?.name !== profile.name) return false
      }
      return true
    }, 15_000)
    await send(pings)

    const reader = env.reader()
    const readOutput = async (): Promise<string[]> =>
      (await readPartitions(reader, 'driver_rider_vehicle_location', PARTITIONS)).map((r) => canonical(str(r.key)!, JSON.parse(str(r.value)!) as EnrichedLocation))
    await waitFor('an enriched record per ping', async () => (await readOutput()).length >= expected.length, 20_000)
    expect((await readOutput()).sort()).toEqual(expected)

    const latest = app.store<string, EnrichedLocation>(FLEET_MAP_NAMES.latestPositions)
    const newest = new Map<string, VehicleLocation>()
    for (const p of values) if ((newest.get(p.driverId)?.ts ?? -Infinity) < p.ts) newest.set(p.driverId, p)
    for (const [driverId, ping] of newest) expect(await latest.get(driverId), driverId).toEqual(expectedLocation(ping, drivers, riders))
  }, 40_000)
})
