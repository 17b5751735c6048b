import { StreamsBuilder } from '../../../src/dsl/streams-builder.js'
import { TimeWindows } from '../../../src/dsl/windows.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { VELOCITY_TOPICS, type VehicleLocation } from '../../../topologies/velocity/domain.js'
import { cityInputs, cityScale } from './city-data.js'
import type { FinalResults, InputRecord, Scenario } from './scenario.js'

/** Tumbling one-minute windows, as surge-pricing's. */
export const COUNT_WINDOW_MS = 60_000
export const COUNT_GRACE_MS = 10_000
export const COUNT_OUTPUT_TOPIC = 'pings_per_minute'

/** The result key of a driver's minute: plain text, so that every system (the peer too) writes the same one. */
export function minuteKey(driverId: string, windowStart: number): string {
  return `${driverId}@${windowStart}`
}

/**
 * Pings per driver and tumbling minute (grace 10 s), every update forwarded: the count of the
 * driver's minute so far, keyed `driver@windowStart`, as a JSON number. Unsuppressed, so that
 * a library without suppression (the npm peer of `--peers`) can run the same computation.
 */
function buildWindowCount(): ReturnType<StreamsBuilder['build']> {
  const builder = new StreamsBuilder()
  builder
    .stream<string, VehicleLocation>(VELOCITY_TOPICS.vehicleLocations, { keySerde: Serdes.string(), valueSerde: Serdes.json<VehicleLocation>() })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(COUNT_WINDOW_MS, COUNT_GRACE_MS))
    .count({ storeName: 'pings-per-minute' })
    .toStream()
    .map<string, number>((window, count) => [minuteKey(window.key, window.window.start), count])
    .to(COUNT_OUTPUT_TOPIC, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })
  return builder.build()
}

/**
 * The count by hand: a Map from `driver@windowStart` to its count, each ping's JSON parsed as the
 * topology deserializes it and each update written as JSON as the topology forwards it. The
 * final results are the Map: its size, and its counts' sum (every ping counted once). Fails the
 * run if a ping is more than the grace behind the newest, which the topology would drop as late.
 */
function computeLimit(inputs: readonly InputRecord[]): FinalResults {
  const counts = new Map<string, number>()
  let newest = Number.NEGATIVE_INFINITY
  let written = 0
  for (const input of inputs) {
    if (input.value === null) continue
    const ping = JSON.parse(input.value.toString()) as VehicleLocation
    const ts = input.timestamp
    if (ts > newest) newest = ts
    else if (ts < newest - COUNT_GRACE_MS) throw new Error(`window-count's compute limit needs the pings in event-time order within the grace: ${ts} came after ${newest}.`)
    const key = minuteKey(ping.driverId, ts - (ts % COUNT_WINDOW_MS))
    const count = (counts.get(key) ?? 0) + 1
    counts.set(key, count)
    written += Buffer.from(JSON.stringify(count)).length
  }
  let resultTotal = 0
  for (const n of counts.values()) resultTotal += n
  if (written === 0 && inputs.length > 0) throw new Error('window-count wrote nothing.')
  return { outputs: counts.size, resultTotal }
}

/** Scenario 5: the simplest windowed aggregation, a tumbling count per key; the workload of the npm peer row (`--peers`). */
export const windowCountScenario: Scenario = {
  name: 'window-count',
  description: `windowed count: ${VELOCITY_TOPICS.vehicleLocations} (JSON) counted per driver and tumbling minute (grace 10 s), every update forwarded; exactness on the final counts`,
  inputTopics: [VELOCITY_TOPICS.vehicleLocations],
  variants: [{ name: 'tumbling-1m', build: () => ({ topology: buildWindowCount(), outputTopics: [COUNT_OUTPUT_TOPIC] }), computeLimit, finalResults: 'latest-per-key' }],
  prepare: (records, seed) => cityInputs(cityScale(records), seed, [VELOCITY_TOPICS.vehicleLocations], VELOCITY_TOPICS.vehicleLocations, records),
  dataSource: 'the city generator: one ping per driver per second',
}
