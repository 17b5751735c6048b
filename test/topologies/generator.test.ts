import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedSchemaRegistry } from '../../src/broker/index.js'
import { ConfigError, Serdes, type DebeziumEnvelope } from '../../src/index.js'
import { haversineKm } from '../../src/geo/index.js'
import {
  CITY_CENTRE, CITY_TOPICS, LATE_DELAY_MS, OUT_OF_ORDER_DELAY_MS, citySerdes, cityTopics, simulateCity, type CityOptions, type CityRecord,
} from '../../topologies/generator/index.js'
import type { AppointmentBooked, PaymentRegistered, TicketOpened } from '../../topologies/repair-shop/schemas.js'
import type { DriverProfile, RideRequest, RiderProfile, VehicleLocation } from '../../topologies/velocity/domain.js'

const small: CityOptions = { seed: 7, drivers: 30, riders: 150, durationS: 900, requestsPerSecond: 0.15 }
const city = [...simulateCity(small)]
const of = <V>(records: readonly CityRecord[], topic: string): (CityRecord & { value: V })[] =>
  records.filter((r) => r.topic === topic) as (CityRecord & { value: V })[]
const pings = of<VehicleLocation>(city, 'vehicle_locations').map((r) => r.value)
const requests = of<RideRequest>(city, 'ride_requests').map((r) => r.value)

/** Each driver's pings in event-time order, duplicates removed. */
function pingsByDriver(locations: readonly VehicleLocation[]): Map<string, VehicleLocation[]> {
  const byDriver = new Map<string, Map<number, VehicleLocation>>()
  for (const ping of locations) {
    const seen = byDriver.get(ping.driverId) ?? new Map<number, VehicleLocation>()
    seen.set(ping.ts, ping)
    byDriver.set(ping.driverId, seen)
  }
  return new Map([...byDriver].map(([id, seen]) => [id, [...seen.values()].sort((a, b) => a.ts - b.ts)]))
}

/** Contiguous runs of pings of one driver with the same non-null rider aboard. */
function ridesOf(track: readonly VehicleLocation[]): VehicleLocation[][] {
  const rides: VehicleLocation[][] = []
  let current: VehicleLocation[] = []
  for (const ping of track) {
    if (ping.riderId !== null && (current.length === 0 || current[0]!.riderId === ping.riderId)) {
      current.push(ping)
      continue
    }
    if (current.length > 0) rides.push(current)
    current = ping.riderId === null ? [] : [ping]
  }
  if (current.length > 0) rides.push(current)
  return rides
}

describe('simulateCity', () => {
  it('yields the same records for the same seed and different ones for another seed', () => {
    const options: CityOptions = { seed: 3, drivers: 8, riders: 40, durationS: 90, repairShop: true, outOfOrderFraction: 0.1, lateFraction: 0.05, duplicateFraction: 0.05 }
    const first = JSON.stringify([...simulateCity(options)])
    expect(JSON.stringify([...simulateCity(options)])).toBe(first)
    expect(JSON.stringify([...simulateCity({ ...options, seed: 4 })])).not.toBe(first)
  })

  it('keeps the city itself unchanged when only the delivery fractions change', () => {
    const options: CityOptions = { seed: 5, drivers: 6, riders: 30, durationS: 60 }
    const canonical = (records: CityRecord[]): string[] => [...new Set(records.map((r) => JSON.stringify(r)))].sort()
    expect(canonical([...simulateCity({ ...options, outOfOrderFraction: 0.2, duplicateFraction: 0.2 })]))
      .toEqual(canonical([...simulateCity(options)]))
  })

  it('makes every driver ping once per simulated second, starting at startMs', () => {
    const tracks = pingsByDriver(pings)
    expect(tracks.size).toBe(small.drivers)
    const intervals = new Set<number>()
    for (const track of tracks.values()) {
      expect(track).toHaveLength(small.durationS!)
      expect(track[0]!.ts - Date.UTC(2026, 0, 1, 8)).toBeLessThan(1000)
      for (let i = 1; i < track.length; i++) intervals.add(track[i]!.ts - track[i - 1]!.ts)
    }
    expect([...intervals]).toEqual([1000])
    const mismatched = of<VehicleLocation>(city, 'vehicle_locations')
      .filter((r) => r.key !== r.value.driverId || r.timestamp !== r.value.ts)
    expect(mismatched).toEqual([])
  })

  it('moves drivers at plausible speeds, with smooth turns, within the city and without teleporting', () => {
    let [minSpeed, maxSpeed, minStepKm, maxStepKm, maxTurn, maxFromCentreKm] = [Infinity, 0, Infinity, 0, 0, 0]
    for (const track of pingsByDriver(pings).values()) {
      for (let i = 1; i < track.length; i++) {
        const [a, b] = [track[i - 1]!, track[i]!]
        const stepKm = haversineKm(a, b)
        minSpeed = Math.min(minSpeed, b.speedKmh)
        maxSpeed = Math.max(maxSpeed, b.speedKmh)
        minStepKm = Math.min(minStepKm, stepKm)
        maxStepKm = Math.max(maxStepKm, stepKm)
        maxTurn = Math.max(maxTurn, Math.abs(((b.heading - a.heading + 540) % 360) - 180))
        maxFromCentreKm = Math.max(maxFromCentreKm, haversineKm(CITY_CENTRE, b))
      }
    }
    expect(minSpeed).toBeGreaterThanOrEqual(15)
    expect(maxSpeed).toBeLessThanOrEqual(60)
    expect(maxSpeed).toBeGreaterThan(40)
    expect(minStepKm).toBeGreaterThan(0)
    expect(maxStepKm).toBeLessThanOrEqual(60 / 3600 + 0.001)
    expect(maxTurn).toBeLessThanOrEqual(60.1)
    expect(maxFromCentreKm).toBeLessThan(7)
  })

  it('drives each assigned rider from the pickup to the destination with the riderId set only meanwhile', () => {
    const requestByRider = new Map<string, RideRequest[]>()
    for (const request of requests) requestByRider.set(request.riderId, [...(requestByRider.get(request.riderId) ?? []), request])
    let rides = 0
    for (const track of pingsByDriver(pings).values()) {
      const driverRides = ridesOf(track)
      for (const [i, ride] of driverRides.entries()) {
        const first = ride[0]!
        const last = ride.at(-1)!
        const complete = last.ts < track.at(-1)!.ts && first.ts > track[0]!.ts
        if (!complete) continue
        rides++
        // The ride answers the rider's latest request before the pickup.
        const request = requestByRider.get(first.riderId!)!.filter((r) => r.ts < first.ts).at(-1)!
        expect(haversineKm(first, { lat: request.pickupLat, lng: request.pickupLng })).toBeLessThan(0.001)
        expect(haversineKm(last, { lat: request.destinationLat, lng: request.destinationLng })).toBeLessThan(0.001)
        // A ride lasts minutes, and rides of one driver are further apart than a 2-minute session gap.
        expect(last.ts - first.ts).toBeGreaterThan(60_000)
        expect(last.ts - first.ts).toBeLessThan(15 * 60_000)
        if (i > 0) expect(first.ts - driverRides[i - 1]!.at(-1)!.ts).toBeGreaterThan(120_000)
      }
    }
    expect(rides).toBeGreaterThanOrEqual(10)
  })

  it('sends ride requests only from riders whose profile exists at the time', () => {
    expect(requests.length).toBeGreaterThan(50)
    const live = new Set<string>()
    for (const record of city) {
      if (record.topic === 'rider_profiles' && record.value !== null) {
        const event = record.value as DebeziumEnvelope<RiderProfile>
        if (event.op === 'd') live.delete(event.before!.id)
        else live.add(event.after!.id)
      }
      if (record.topic === 'ride_requests') {
        expect(live.has((record.value as RideRequest).riderId)).toBe(true)
        expect(record.key).toBe((record.value as RideRequest).requestId)
      }
    }
    expect(new Set(requests.map((r) => r.requestId)).size).toBe(requests.length)
  })

  it('starts with a Debezium snapshot of the profiles before any ping, and some drivers sign up later', () => {
    const firstPing = city.findIndex((r) => r.topic === 'vehicle_locations')
    const snapshot = city.slice(0, firstPing)
    expect(snapshot.every((r) => (r.value as DebeziumEnvelope<unknown>).op === 'r')).toBe(true)
    expect(of(snapshot, 'rider_profiles')).toHaveLength(small.riders!)
    const snapshotDrivers = of<DebeziumEnvelope<DriverProfile>>(snapshot, 'driver_profiles')
    expect(snapshotDrivers.length).toBeGreaterThanOrEqual(0.9 * small.drivers!)
    expect(snapshotDrivers.length).toBeLessThan(small.drivers!)
    const [event] = snapshotDrivers
    expect(event!.key).toEqual({ id: event!.value.after!.id })
    expect(event!.value).toMatchObject({ before: null, op: 'r', source: { connector: 'postgresql', db: 'velocity', table: 'drivers' } })
    expect(event!.value.ts_ms).toBeGreaterThanOrEqual(event!.value.source.ts_ms)
    expect(of<DebeziumEnvelope<RiderProfile>>(snapshot, 'rider_profiles')[0]!.value.source).toMatchObject({ connector: 'mysql', table: 'riders' })

    const created = of<DebeziumEnvelope<DriverProfile>>(city, 'driver_profiles').filter((r) => r.value.op === 'c')
    expect(created.length).toBe(small.drivers! - snapshotDrivers.length)
    for (const record of created) {
      const id = record.value.after!.id
      expect(city.findIndex((r) => r.topic === 'vehicle_locations' && r.key === id)).toBeLessThan(city.indexOf(record))
    }
  })

  it('updates profiles with before and after, and follows a rider deletion with a tombstone', () => {
    const long = [...simulateCity({ seed: 11, drivers: 100, riders: 1000, durationS: 300, requestsPerSecond: 0.5 })]
    const updates = long.filter((r) => r.topic.endsWith('_profiles') && (r.value as DebeziumEnvelope<unknown> | null)?.op === 'u')
    expect(updates.length).toBeGreaterThan(5)
    for (const update of updates) {
      const { before, after } = update.value as DebeziumEnvelope<{ id: string }>
      expect(before!.id).toBe(after!.id)
      expect(before).not.toEqual(after)
    }
    const deletes = long.filter((r) => (r.value as DebeziumEnvelope<unknown> | null)?.op === 'd')
    expect(deletes.length).toBeGreaterThan(0)
    for (const deletion of deletes) {
      expect(deletion.topic).toBe('rider_profiles')
      expect((deletion.value as DebeziumEnvelope<RiderProfile>).after).toBeNull()
      const tombstone = long[long.indexOf(deletion) + 1]!
      expect(tombstone).toEqual({ topic: 'rider_profiles', key: deletion.key, value: null, timestamp: deletion.timestamp })
      const riderId = (deletion.key as { id: string }).id
      const later = long.slice(long.indexOf(deletion)).filter((r) => r.topic === 'ride_requests')
      expect(later.some((r) => (r.value as RideRequest).riderId === riderId)).toBe(false)
    }
  })

  it('delivers roughly the asked fractions of out-of-order, late and duplicate records', () => {
    const records = [...simulateCity({ ...small, durationS: 600, outOfOrderFraction: 0.1, lateFraction: 0.05, duplicateFraction: 0.05 })]
    // Pings still held back when the run ends are delivered at its end, less late than they would
    // have been: count only those taken early enough.
    const countedBefore = Date.UTC(2026, 0, 1, 8) + 300_000
    let newest = -Infinity
    let all = 0
    let outOfOrder = 0
    let late = 0
    let duplicates = 0
    let pingCount = 0
    let previous: CityRecord | undefined
    for (const record of records) {
      if (record === previous) duplicates++
      else if (record.topic === 'vehicle_locations') all++
      if (record !== previous && record.topic === 'vehicle_locations' && record.timestamp < countedBefore) {
        pingCount++
        const lag = newest - record.timestamp
        if (lag >= LATE_DELAY_MS[0] - 1000) late++
        else if (lag >= OUT_OF_ORDER_DELAY_MS[0] - 1000) outOfOrder++
      }
      newest = Math.max(newest, record.timestamp)
      previous = record
    }
    // Late pings held until after the end of the run are still delivered, at the end.
    expect(all).toBe(small.drivers! * 600)
    expect(pingCount).toBe(small.drivers! * 300)
    expect(outOfOrder / pingCount).toBeGreaterThan(0.08)
    expect(outOfOrder / pingCount).toBeLessThan(0.12)
    expect(late / pingCount).toBeGreaterThan(0.04)
    expect(late / pingCount).toBeLessThan(0.06)
    expect(duplicates / (records.length - duplicates)).toBeGreaterThan(0.04)
    expect(duplicates / (records.length - duplicates)).toBeLessThan(0.06)
  })

  it('delivers records in event-time order when no disorder is asked for', () => {
    expect(city.findIndex((r, i) => i > 0 && r.timestamp < city[i - 1]!.timestamp)).toBe(-1)
  })

  it('opens repair tickets, books them, and has most of them paid, with decimal amounts', () => {
    const records = [...simulateCity({ seed: 2, drivers: 2, riders: 5, durationS: 600, repairShop: true })]
    const tickets = of<TicketOpened>(records, 'tickets')
    const appointments = of<AppointmentBooked>(records, 'appointments')
    const payments = of<PaymentRegistered>(records, 'payments')
    expect(tickets.length).toBeGreaterThan(100)
    expect(tickets.some((t) => t.value.requester.middlename !== null)).toBe(true)
    expect(tickets.some((t) => t.value.requester.middlename === null)).toBe(true)
    const openedAt = new Map(tickets.map((t) => [t.value.ticket_id, t.timestamp]))
    const bookedAt = new Map(appointments.map((a) => [a.value.ticket_id, a]))
    for (const appointment of appointments) {
      expect(appointment.key).toBe(appointment.value.ticket_id)
      expect(appointment.timestamp).toBeGreaterThan(openedAt.get(appointment.value.ticket_id)!)
      expect(appointment.value.scheduled_at.getTime()).toBeGreaterThan(appointment.timestamp)
    }
    for (const payment of payments) {
      const booking = bookedAt.get(payment.value.ticket_id)!
      expect(payment.value.appointment_id).toBe(booking.value.appointment_id)
      expect(payment.timestamp).toBeGreaterThan(booking.timestamp)
      expect(payment.value.amount).toMatch(/^\d+\.(90|50|00)$/)
    }
    const unpaid = appointments.filter((a) => a.timestamp < records.at(-1)!.timestamp - 200_000)
      .filter((a) => !payments.some((p) => p.value.ticket_id === a.value.ticket_id))
    expect(unpaid.length).toBeGreaterThan(0)
    expect(payments.length).toBeGreaterThan(0.5 * appointments.length)
  })

  it('rejects options it cannot simulate with a ConfigError', () => {
    expect(() => [...simulateCity({ outOfOrderFraction: 1.5 })]).toThrow(ConfigError)
    expect(() => [...simulateCity({ drivers: -1 })]).toThrow(/drivers must be an integer >= 0/)
    expect(() => [...simulateCity({ outOfOrderFraction: 0.6, lateFraction: 0.6 })]).toThrow(ConfigError)
  })
})

describe('citySerdes', () => {
  let registry: EmbeddedSchemaRegistry
  beforeAll(async () => {
    registry = await EmbeddedSchemaRegistry.start()
  })
  afterAll(async () => {
    await registry.close()
  })

  it('names the topics a run writes', () => {
    expect(cityTopics()).toEqual(['vehicle_locations', 'driver_profiles', 'rider_profiles', 'ride_requests'])
    expect(cityTopics({ repairShop: true })).toEqual(CITY_TOPICS)
    expect(() => citySerdes('rides')).toThrow(ConfigError)
    expect(() => citySerdes('tickets')).toThrow(/schemaRegistryUrl/)
  })

  it('encodes every record with its topic serde, and reads back what the topologies expect', async () => {
    const records = [...simulateCity({ seed: 9, drivers: 10, riders: 50, durationS: 120, repairShop: true, requestsPerSecond: 0.5 })]
    const serdes = new Map(CITY_TOPICS.map((t) => [t, citySerdes(t, { schemaRegistryUrl: registry.url })]))
    const seen = new Set<string>()
    for (const record of records) {
      const { keySerde, valueSerde } = serdes.get(record.topic as (typeof CITY_TOPICS)[number])!
      const keyContext = { topic: record.topic, isKey: true }
      const valueContext = { topic: record.topic, isKey: false }
      expect(Buffer.isBuffer(await keySerde.serialize(record.key, keyContext))).toBe(true)
      if (record.value === null) continue
      const bytes = await valueSerde.serialize(record.value, valueContext)
      if (seen.has(record.topic)) continue
      seen.add(record.topic)
      expect(JSON.stringify(await valueSerde.deserialize(bytes, valueContext))).toEqual(JSON.stringify(record.value))
    }
    expect(seen).toEqual(new Set(CITY_TOPICS))

    // The profile topics read as Debezium tables: the key's id, the row after the change.
    const profile = records.find((r) => r.topic === 'driver_profiles')!
    const context = { topic: 'driver_profiles', isKey: false }
    const bytes = await serdes.get('driver_profiles')!.valueSerde.serialize(profile.value, context)
    expect(await Serdes.debezium<DriverProfile>(Serdes.json()).deserialize(bytes, context))
      .toEqual((profile.value as DebeziumEnvelope<DriverProfile>).after)
    const keyBytes = await serdes.get('driver_profiles')!.keySerde.serialize(profile.key, { topic: 'driver_profiles', isKey: true })
    expect(Serdes.debeziumKey(Serdes.json(), { field: 'id' }).deserialize(keyBytes, { topic: 'driver_profiles', isKey: true }))
      .toBe((profile.key as { id: string }).id)
  })
})
