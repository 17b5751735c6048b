import type { DriverProfile, PaymentMethod, RiderProfile } from '../velocity/domain.js'
import { VELOCITY_TOPICS } from '../velocity/domain.js'
import { FIRST_NAMES, SURNAMES, VEHICLES, plate } from './names.js'
import type { Prng } from './prng.js'
import type { CityRecord } from './types.js'

/** Where a change event comes from, as Debezium writes it in `source`. */
export interface ChangeSource {
  readonly ts_ms: number
  readonly connector: 'postgresql' | 'mysql'
  readonly db: string
  readonly table: string
}

/** A Debezium change event as the JSON converter (without schemas) writes it. */
export interface ChangeEvent<Row> {
  readonly before: Row | null
  readonly after: Row | null
  readonly op: 'r' | 'c' | 'u' | 'd'
  readonly source: ChangeSource
  /** When the connector processed the change: a little after the commit (`source.ts_ms`). */
  readonly ts_ms: number
}

/** The key of a change event: the row's primary key, `{ id }`. */
export interface ChangeKey {
  readonly id: string
}

/** Team Charlie's drivers live in PostgreSQL, Team Alpha's riders in MySQL. */
const DRIVERS_TABLE = { topic: VELOCITY_TOPICS.driverProfiles, connector: 'postgresql', db: 'velocity', table: 'drivers' } as const
const RIDERS_TABLE = { topic: VELOCITY_TOPICS.riderProfiles, connector: 'mysql', db: 'velocity', table: 'riders' } as const
type Table = typeof DRIVERS_TABLE | typeof RIDERS_TABLE

const PAYMENT_METHODS: readonly PaymentMethod[] = ['card', 'card', 'card', 'wallet', 'wallet', 'cash']

const fullName = (prng: Prng): string => `${prng.pick(FIRST_NAMES)} ${prng.pick(SURNAMES)}`
const phone = (prng: Prng): string => `+1-415-555-${String(prng.int(0, 9999)).padStart(4, '0')}`
const rating = (prng: Prng): number => Math.round(prng.between(3.6, 5) * 100) / 100

export function driverProfile(prng: Prng, id: string): DriverProfile {
  const vehicle = prng.pick(VEHICLES)
  return {
    id,
    name: fullName(prng),
    rating: rating(prng),
    vehicle_make: vehicle.make,
    vehicle_model: vehicle.model,
    vehicle_plate: plate(prng),
    vehicle_seats: vehicle.seats,
  }
}

export function riderProfile(prng: Prng, id: string): RiderProfile {
  return { id, name: fullName(prng), phone: phone(prng), payment_method: prng.pick(PAYMENT_METHODS) }
}

/** A driver's row after an update: mostly a new rating after a ride, sometimes a new car. */
export function updatedDriver(prng: Prng, before: DriverProfile): DriverProfile {
  if (prng.chance(0.8)) {
    return { ...before, rating: Math.round(Math.min(5, Math.max(1, before.rating + prng.between(-0.1, 0.1))) * 100) / 100 }
  }
  const vehicle = prng.pick(VEHICLES)
  return { ...before, vehicle_make: vehicle.make, vehicle_model: vehicle.model, vehicle_plate: plate(prng), vehicle_seats: vehicle.seats }
}

/** A rider's row after an update: a new phone number or payment method. */
export function updatedRider(prng: Prng, before: RiderProfile): RiderProfile {
  return prng.chance(0.5)
    ? { ...before, phone: phone(prng) }
    : { ...before, payment_method: prng.pick(PAYMENT_METHODS.filter((m) => m !== before.payment_method)) }
}

function changeRecords<Row extends { id: string }>(
  table: Table, prng: Prng, op: ChangeEvent<Row>['op'], before: Row | null, after: Row | null, commitMs: number,
): CityRecord[] {
  const row = (after ?? before)!
  const key: ChangeKey = { id: row.id }
  const value: ChangeEvent<Row> = {
    before,
    after,
    op,
    source: { ts_ms: commitMs, connector: table.connector, db: table.db, table: table.table },
    ts_ms: commitMs + prng.int(5, 400),
  }
  const event: CityRecord = { topic: table.topic, key, value, timestamp: commitMs }
  // Debezium follows a delete with a tombstone so that log compaction can drop the key.
  return op === 'd' ? [event, { topic: table.topic, key, value: null, timestamp: commitMs }] : [event]
}

export const driverChange = (prng: Prng, op: 'r' | 'c' | 'u', before: DriverProfile | null, after: DriverProfile, commitMs: number): CityRecord[] =>
  changeRecords(DRIVERS_TABLE, prng, op, before, after, commitMs)

export const riderChange = (prng: Prng, op: 'r' | 'c' | 'u' | 'd', before: RiderProfile | null, after: RiderProfile | null, commitMs: number): CityRecord[] =>
  changeRecords(RIDERS_TABLE, prng, op, before, after, commitMs)
