import { citySerdes, simulateCity } from '../../../topologies/generator/index.js'
import { isPromiseLike, type MaybePromise } from '../../../src/core/maybe-promise.js'
import type { InputRecord } from './scenario.js'

export interface CityScale {
  /** Drivers in the city: one location ping each per simulated second. */
  readonly drivers: number
  readonly durationS: number
  /** Ride requests per simulated second across the city. */
  readonly requestsPerSecond: number
  readonly riders: number
}

/**
 * A city whose pings add up to about `pings`: a 10-minute simulation where that allows at least
 * 20 drivers, shorter otherwise (but at least `minDurationS`), so that windows have time to close.
 */
export function cityScale(pings: number, requestsPerDriverPerMinute = 1, minDurationS = 60): CityScale {
  const durationS = Math.max(minDurationS, Math.min(600, Math.round(pings / 20)))
  const drivers = Math.max(1, Math.round(pings / durationS))
  return { drivers, durationS, requestsPerSecond: (drivers * requestsPerDriverPerMinute) / 60, riders: drivers * 5 }
}

/**
 * The generator's records of `topics`, in delivery order, serialized with the serdes the city's
 * systems use (string keys and JSON for pings and requests, Debezium JSON for profiles), stopping
 * after `limit` records of `countedTopic` (the profiles' snapshot comes first and is not counted).
 */
export function cityInputs(scale: CityScale, seed: number, topics: readonly string[], countedTopic: string, limit: number): InputRecord[] {
  const serdes = new Map(topics.map((t) => [t, citySerdes(t)]))
  const out: InputRecord[] = []
  let counted = 0
  for (const record of simulateCity({ seed, ...scale })) {
    const serde = serdes.get(record.topic)
    if (serde === undefined) continue
    const key = synchronously(serde.keySerde.serialize(record.key, { topic: record.topic, isKey: true }))
    const value = record.value === null ? null : synchronously(serde.valueSerde.serialize(record.value, { topic: record.topic, isKey: false }))
    out.push({ topic: record.topic, key, value, timestamp: record.timestamp })
    if (record.topic === countedTopic && ++counted >= limit) break
  }
  return out
}

/** The city's ride-sharing topics have synchronous serdes (JSON, strings); Avro topics are not used here. */
function synchronously(bytes: MaybePromise<Buffer>): Buffer {
  if (isPromiseLike(bytes)) throw new Error('The bench only serializes topics with synchronous serdes.')
  return bytes
}
