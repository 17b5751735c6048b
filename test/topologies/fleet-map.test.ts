import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Serdes } from '../../src/serde/serdes.js'
import { cellOf } from '../../src/geo/index.js'
import { TopologyTestDriver, type TestInputTopic, type TestOutputTopic } from '../../src/testing/index.js'
import { buildFleetMap, bundled, FLEET_MAP_NAMES } from '../../topologies/fleet-map/index.js'
import type { DriverProfile, EnrichedLocation, RiderProfile, VehicleLocation } from '../../topologies/velocity/domain.js'
import { simulateCity, type ChangeEvent } from '../../topologies/generator/index.js'

/** Debezium change events as the JSON converter (without schemas) writes them, for profile topics in tests. */
interface CdcEnvelope<Row> {
  readonly before: Row | null
  readonly after: Row | null
  readonly op: 'c' | 'r' | 'u' | 'd'
  readonly source: { readonly ts_ms: number; readonly connector: string }
  readonly ts_ms: number
}

function cdcUpsert<Row>(row: Row, op: 'c' | 'r' | 'u', tsMs: number, before: Row | null = null): CdcEnvelope<Row> {
  return { before, after: row, op, source: { ts_ms: tsMs, connector: 'postgresql' }, ts_ms: tsMs }
}

function cdcDelete<Row>(row: Row, tsMs: number): CdcEnvelope<Row> {
  return { before: row, after: null, op: 'd', source: { ts_ms: tsMs, connector: 'postgresql' }, ts_ms: tsMs }
}

const ana: DriverProfile = {
  id: 'driver-0001', name: 'Ana', rating: 4.9, vehicle_make: 'Toyota', vehicle_model: 'Prius', vehicle_plate: '7ABC123', vehicle_seats: 4,
}
const bo: RiderProfile = { id: 'rider-0007', name: 'Bo', phone: '+1 415 555 0107', payment_method: 'card' }

function ping(driverId: string, ts: number, riderId: string | null = null, lat = 37.7749, lng = -122.4194): VehicleLocation {
  return { driverId, riderId, lat, lng, heading: 90, speedKmh: 30, ts }
}

describe('fleet-map topology', () => {
  let driver: TopologyTestDriver
  let locations: TestInputTopic<string, VehicleLocation>
  let drivers: TestInputTopic<string, CdcEnvelope<DriverProfile>>
  let riders: TestInputTopic<string, CdcEnvelope<RiderProfile>>
  let enriched: TestOutputTopic<string, EnrichedLocation>

  beforeEach(() => {
    driver = new TopologyTestDriver(buildFleetMap(), { applicationId: 'fleet-map' })
    // Several partitions, so that the Debezium-keyed profiles really have to be re-keyed to meet the pings.
    for (const topic of ['vehicle_locations', 'driver_profiles', 'rider_profiles']) driver.declareTopic(topic, { partitions: 3 })
    const profileKey = Serdes.debeziumKey<string>(Serdes.json(), { field: 'id' })
    locations = driver.createInputTopic('vehicle_locations', Serdes.string(), Serdes.json<VehicleLocation>())
    drivers = driver.createInputTopic('driver_profiles', profileKey, Serdes.json<CdcEnvelope<DriverProfile>>())
    riders = driver.createInputTopic('rider_profiles', profileKey, Serdes.json<CdcEnvelope<RiderProfile>>())
    enriched = driver.createOutputTopic('driver_rider_vehicle_location', Serdes.string(), Serdes.json<EnrichedLocation>())
  })

  afterEach(async () => {
    await driver.close()
  })

  it('enriches a ping with its zone, the driver card and the rider card', async () => {
    await drivers.pipeInput(ana.id, cdcUpsert(ana, 'r', 500), 500)
    await riders.pipeInput(bo.id, cdcUpsert(bo, 'r', 600), 600)
    await locations.pipeInput(ana.id, ping(ana.id, 1_000, bo.id), 1_000)

    const record = enriched.readRecord()
    expect(record.key).toBe(ana.id)
    expect(record.timestamp).toBe(1_000)
    expect(record.value).toEqual({
      ...ping(ana.id, 1_000, bo.id),
      cell: cellOf({ lat: 37.7749, lng: -122.4194 }),
      driver: { name: 'Ana', rating: 4.9, vehicle: { make: 'Toyota', model: 'Prius', plate: '7ABC123', seats: 4 } },
      rider: { name: 'Bo', phone: '+1 415 555 0107', paymentMethod: 'card' },
    })
    expect(enriched.isEmpty()).toBe(true)
  })

  it('shows a driver without a profile, and a car without a rider, with nulls', async () => {
    await locations.pipeInput('driver-0404', ping('driver-0404', 1_000), 1_000)
    await locations.pipeInput('driver-0404', ping('driver-0404', 2_000, 'rider-unknown'), 2_000)
    const values = enriched.readValuesToList()
    expect(values.map((v) => [v?.driverId, v?.driver, v?.rider, v?.riderId])).toEqual([
      ['driver-0404', null, null, null],
      ['driver-0404', null, null, 'rider-unknown'],
    ])
  })

  it('follows CDC: a profile update is used from then on, a deleted rider or driver becomes null', async () => {
    await drivers.pipeInput(ana.id, cdcUpsert(ana, 'c', 100), 100)
    await riders.pipeInput(bo.id, cdcUpsert(bo, 'c', 100), 100)
    await locations.pipeInput(ana.id, ping(ana.id, 1_000, bo.id), 1_000)

    await drivers.pipeInput(ana.id, cdcUpsert({ ...ana, rating: 4.7, vehicle_plate: '8XYZ999' }, 'u', 1_500, ana), 1_500)
    await riders.pipeInput(bo.id, cdcDelete(bo, 1_600), 1_600)
    await locations.pipeInput(ana.id, ping(ana.id, 2_000, bo.id), 2_000)

    await drivers.pipeInput(ana.id, cdcDelete(ana, 2_500), 2_500)
    await drivers.pipeInput(ana.id, null, 2_500) // Debezium's tombstone after a delete
    await riders.pipeInput(bo.id, null, 2_500)
    await locations.pipeInput(ana.id, ping(ana.id, 3_000), 3_000)

    const values = enriched.readValuesToList()
    expect(values.map((v) => [v?.ts, v?.driver?.rating, v?.driver?.vehicle.plate, v?.rider?.name ?? null])).toEqual([
      [1_000, 4.9, '7ABC123', 'Bo'],
      [2_000, 4.7, '8XYZ999', null],
      [3_000, undefined, undefined, null],
    ])
    expect(values[2]?.driver).toBeNull()
  })

  it('keeps the newest fix per driver in the queryable store: a late ping goes out but does not move the car back', async () => {
    await locations.pipeInput(ana.id, ping(ana.id, 5_000, null, 37.78, -122.41), 5_000)
    await locations.pipeInput(ana.id, ping(ana.id, 3_000, null, 37.70, -122.45), 3_000)
    await locations.pipeInput('driver-0002', ping('driver-0002', 4_000, null, 37.76, -122.43), 4_000)

    expect(enriched.readValuesToList().map((v) => v?.ts)).toEqual([5_000, 3_000, 4_000])
    const latest = driver.getKeyValueStore<string, EnrichedLocation>(FLEET_MAP_NAMES.latestPositions)
    expect((await latest.get(ana.id))?.ts).toBe(5_000)
    expect((await latest.get(ana.id))?.lat).toBe(37.78)
    expect((await latest.get('driver-0002'))?.ts).toBe(4_000)
    expect(await latest.get('driver-9999')).toBeUndefined()
  })

  it('enriches a generated city\'s pings with the profiles as CDC had them when each ping arrived', async () => {
    const city = [...simulateCity({ seed: 9, drivers: 8, riders: 300, durationS: 90, outOfOrderFraction: 0.05, duplicateFraction: 0.02 })]
    // Plainly: replay the change events in delivery order and enrich each ping with the rows of that moment.
    const driverRows = new Map<string, DriverProfile>()
    const riderRows = new Map<string, RiderProfile>()
    const expected: EnrichedLocation[] = []
    let updates = 0
    for (const record of city) {
      if (record.topic === 'vehicle_locations') {
        const p = record.value as VehicleLocation
        const d = driverRows.get(p.driverId)
        const r = p.riderId === null ? undefined : riderRows.get(p.riderId)
        expected.push({
          ...p,
          cell: cellOf(p),
          driver: d === undefined ? null : { name: d.name, rating: d.rating, vehicle: { make: d.vehicle_make, model: d.vehicle_model, plate: d.vehicle_plate, seats: d.vehicle_seats } },
          rider: r === undefined ? null : { name: r.name, phone: r.phone, paymentMethod: r.payment_method },
        })
      } else if ((record.topic === 'driver_profiles' || record.topic === 'rider_profiles') && record.value !== null) {
        const event = record.value as ChangeEvent<DriverProfile & RiderProfile>
        const rows: Map<string, unknown> = record.topic === 'driver_profiles' ? driverRows : riderRows
        if (event.op === 'u') updates++
        if (event.after === null) rows.delete((record.key as { id: string }).id)
        else rows.set(event.after.id, event.after)
      }
    }
    expect(updates).toBeGreaterThan(0)

    for (const record of city) {
      const id = (record.key as { id?: string }).id
      if (record.topic === 'vehicle_locations') await locations.pipeInput(record.key as string, record.value as VehicleLocation, record.timestamp)
      if (record.topic === 'driver_profiles') await drivers.pipeInput(id!, record.value as CdcEnvelope<DriverProfile> | null, record.timestamp)
      if (record.topic === 'rider_profiles') await riders.pipeInput(id!, record.value as CdcEnvelope<RiderProfile> | null, record.timestamp)
    }
    expect(enriched.readValuesToList()).toEqual(expected)
  })

  it('re-keys the driver profiles through a repartition topic and reads the riders as a global table', () => {
    const description = buildFleetMap().describe()
    expect(description).toContain('fleet-map-drivers-by-id-repartition')
    expect(description).toContain('for global store')
    expect(description).toContain(FLEET_MAP_NAMES.riders)
    const built = bundled.build({})
    expect(bundled.name).toBe('fleet-map')
    expect(built.inputs).toEqual(['vehicle_locations', 'driver_profiles', 'rider_profiles'])
    expect(built.outputs.map((o) => o.topic)).toEqual(['driver_rider_vehicle_location'])
    expect(built.stores).toEqual([FLEET_MAP_NAMES.latestPositions])
  })
})
