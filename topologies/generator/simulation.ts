import type { DriverProfile } from '../velocity/domain.js'
import { VELOCITY_TOPICS } from '../velocity/domain.js'
import { resolveCityOptions } from './city.js'
import { Delivery } from './delivery.js'
import {
  assignRide, createDriver, finishRide, isAvailable, pingOf, stepDriver, type Driver,
} from './drivers.js'
import { haversineKm } from '../../src/geo/index.js'
import { Prng } from './prng.js'
import { driverChange, driverProfile, riderChange, riderProfile, updatedDriver, updatedRider } from './profiles.js'
import { RepairShop } from './repair-shop.js'
import { requestsOfSecond, riderDroppedOff, riderGaveUp, riderId, type Rider, type WaitingRequest } from './riders.js'
import type { CityOptions, CityRecord } from './types.js'

/** Independent random streams of one seed, so that turning one feature on does not change the others. */
const STREAM = { movement: 1, demand: 2, people: 3, repairShop: 4, delivery: 5 } as const

/** One driver in this many signs up during the run: it pings before its profile reaches Kafka. */
const LATECOMER_EVERY = 20
/** Profile changes per driver or rider per simulated second. */
const DRIVER_UPDATE_RATE = 0.0005
const RIDER_UPDATE_RATE = 0.0002
const RIDER_DELETE_RATE = 0.00005

/**
 * Simulates a city of drivers and riders around San Francisco's centre, second by second, and
 * yields the records its systems would send to Kafka, in delivery order, with event times as
 * timestamps. Pure and deterministic: the same options give the same records.
 *
 * What it yields: a Debezium snapshot of every profile before the first ping; every driver's
 * location once per second; ride requests, each served (when a driver is free) by the nearest
 * free driver, who drives to the pickup, picks the rider up and drops them at the destination;
 * profile updates and rider deletions; the repair shop's events when asked for.
 *
 * @example
 * for (const record of simulateCity({ seed: 7, drivers: 50, durationS: 120 })) {
 *   await input(record.topic).pipeInput(record.key, record.value, record.timestamp)
 * }
 */
export function* simulateCity(options: CityOptions = {}): Generator<CityRecord> {
  const o = resolveCityOptions(options)
  const movement = new Prng(o.seed, STREAM.movement)
  const demand = new Prng(o.seed, STREAM.demand)
  const people = new Prng(o.seed, STREAM.people)
  const delivery = new Delivery(new Prng(o.seed, STREAM.delivery), o)
  const repairShop = o.repairShop ? new RepairShop(new Prng(o.seed, STREAM.repairShop)) : undefined

  const drivers: Driver[] = Array.from({ length: o.drivers }, (_, i) => createDriver(movement, i, o.drivers))
  // Phones tick at their own offset within the second; stepping drivers in that order keeps each second's pings sorted.
  const driversInPingOrder = [...drivers].sort((a, b) => a.pingOffsetMs - b.pingOffsetMs)
  const driverProfiles = new Map<string, DriverProfile>()
  const signUps = new Map<number, DriverProfile[]>()
  const riders: Rider[] = Array.from({ length: o.riders }, (_, i) => {
    const id = riderId(i, o.riders)
    return { id, profile: riderProfile(people, id), status: 'idle', nextRequestFromS: 0 }
  })
  const ridersById = new Map(riders.map((r) => [r.id, r]))

  // The connectors' initial snapshot, committed just before the first second.
  const snapshotMs = o.startMs - 1000
  const snapshot: CityRecord[] = []
  drivers.forEach((driver, i) => {
    const profile = driverProfile(people, driver.id)
    if (i % LATECOMER_EVERY === LATECOMER_EVERY - 1) {
      const second = people.int(2, 30)
      signUps.set(second, [...(signUps.get(second) ?? []), profile])
    } else {
      driverProfiles.set(driver.id, profile)
      snapshot.push(...driverChange(people, 'r', null, profile, snapshotMs))
    }
  })
  for (const rider of riders) snapshot.push(...riderChange(people, 'r', null, rider.profile, snapshotMs))
  yield* delivery.deliver(snapshot, snapshotMs)

  let requestSeq = 0
  const nextRequestSeq = (): number => ++requestSeq
  let waiting: WaitingRequest[] = []

  for (let second = 0; second < o.durationS; second++) {
    const secondMs = o.startMs + second * 1000
    const records: CityRecord[] = []
    const someMs = (): number => secondMs + people.int(0, 999)

    for (const profile of signUps.get(second) ?? []) {
      driverProfiles.set(profile.id, profile)
      records.push(...driverChange(people, 'c', null, profile, someMs()))
    }
    for (let n = people.poisson(o.drivers * DRIVER_UPDATE_RATE); n > 0; n--) {
      const before = driverProfiles.get(people.pick(drivers).id)
      if (before === undefined) continue
      const after = updatedDriver(people, before)
      driverProfiles.set(after.id, after)
      records.push(...driverChange(people, 'u', before, after, someMs()))
    }
    for (let n = people.poisson(o.riders * RIDER_UPDATE_RATE); n > 0; n--) {
      const rider = people.pick(riders)
      if (rider.status === 'deleted') continue
      const before = rider.profile
      rider.profile = updatedRider(people, before)
      records.push(...riderChange(people, 'u', before, rider.profile, someMs()))
    }
    for (let n = people.poisson(o.riders * RIDER_DELETE_RATE); n > 0; n--) {
      const rider = people.pick(riders)
      if (rider.status !== 'idle') continue // only riders without a ride in progress close their account
      rider.status = 'deleted'
      records.push(...riderChange(people, 'd', rider.profile, null, someMs()))
    }

    const requests = requestsOfSecond(demand, riders, second, secondMs, o.requestsPerSecond, nextRequestSeq)
    for (const { request } of requests) records.push({ topic: VELOCITY_TOPICS.rideRequests, key: request.requestId, value: request, timestamp: request.ts })
    waiting = assignWaiting([...waiting, ...requests], drivers, ridersById, second)

    for (const driver of driversInPingOrder) {
      const event = stepDriver(driver, movement)
      const ts = secondMs + driver.pingOffsetMs
      records.push({ topic: VELOCITY_TOPICS.vehicleLocations, key: driver.id, value: pingOf(driver, ts), timestamp: ts })
      if (event === 'dropped-off') {
        riderDroppedOff(ridersById.get(driver.riderId!)!, second)
        finishRide(driver, second)
      }
    }
    if (repairShop !== undefined) records.push(...repairShop.eventsOfSecond(secondMs))

    records.sort((a, b) => a.timestamp - b.timestamp)
    yield* delivery.deliver(records, secondMs + 999)
  }
  yield* delivery.flush()
}

/**
 * Gives each waiting request, oldest first, the nearest free driver; returns those still waiting.
 * A rider who has waited too long gives up.
 */
function assignWaiting(
  waiting: readonly WaitingRequest[], drivers: readonly Driver[], riders: ReadonlyMap<string, Rider>, second: number,
): WaitingRequest[] {
  const free = drivers.filter((d) => isAvailable(d, second))
  const stillWaiting: WaitingRequest[] = []
  for (const entry of waiting) {
    const rider = riders.get(entry.request.riderId)!
    if (second >= entry.giveUpAtS) {
      riderGaveUp(rider, second)
      continue
    }
    let best = -1
    let bestKm = Infinity
    for (let i = 0; i < free.length; i++) {
      const km = haversineKm(free[i]!, entry.pickup)
      if (km < bestKm) {
        best = i
        bestKm = km
      }
    }
    if (best < 0) {
      stillWaiting.push(entry)
      continue
    }
    const [driver] = free.splice(best, 1)
    assignRide(driver!, { requestId: entry.request.requestId, riderId: rider.id, pickup: entry.pickup, destination: entry.destination })
    rider.status = 'riding'
  }
  return stillWaiting
}
