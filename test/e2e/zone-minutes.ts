import { StreamsBuilder, Suppressed, TimeWindows } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { buf, type KafkaFixture } from './fixtures.js'

/**
 * The scenario of the upstream-watermarks tests: pings re-keyed by zone and counted per zone and
 * minute, from three input partitions running at very different densities.
 */
export const MINUTE = 60_000
export const ZONES = 8
export const MINUTES = 20
/** A recent minute: records older than the topics' retention (7 days) would be deleted by the broker. */
export const START = (Math.floor(Date.now() / MINUTE) - 2 * MINUTES) * MINUTE

/** Pings re-keyed by zone, counted per zone and tumbling minute (grace 2 s), each minute once it closes. */
export function zoneMinuteCounts(): Topology {
  const s = Serdes.string()
  const b = new StreamsBuilder()
  b.stream<string, string>('pings', { keySerde: s, valueSerde: s })
    .groupBy((_driver, zone) => zone, { keySerde: s, valueSerde: s, name: 'pings-by-zone' })
    .windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 2_000))
    .count()
    .suppress(Suppressed.untilWindowCloses())
    .toStream()
    .map<string, number>((window, count) => [`${window.key}@${(window.window.start - START) / MINUTE}`, count])
    .to('zone-minute-counts', { keySerde: s, valueSerde: Serdes.json<number>() })
  return b.build()
}

export interface Ping {
  readonly partition: number
  readonly driver: string
  readonly zone: string
  readonly timestamp: number
}

/**
 * 13,200 pings over 20 minutes in 3 partitions: partition 0 dense (12,000, one every 100 ms),
 * partitions 1 and 2 sparse (600 each, one every 2 s). Every zone has pings in every minute.
 */
export function pings(): Ping[] {
  const all: Ping[] = []
  const spread = (partition: number, count: number) => {
    const step = (MINUTES * MINUTE) / count
    for (let i = 0; i < count; i++) all.push({ partition, driver: `driver-${partition}-${i % 50}`, zone: `zone-${(i * 7 + partition) % ZONES}`, timestamp: START + Math.floor(i * step) })
  }
  spread(0, 12_000)
  spread(1, 600)
  spread(2, 600)
  return all
}

/** The counts a plain recomputation gives: zone and minute -> pings. */
export function recomputed(input: readonly Ping[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const p of input) {
    const key = `${p.zone}@${Math.floor((p.timestamp - START) / MINUTE)}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}

/** Creates the scenario's topics: pings (3 partitions) and the counts (1). Returns a sender of pings to their partitions. */
export async function zoneMinuteTopics(kafka: KafkaFixture): Promise<(records: readonly Ping[]) => Promise<void>> {
  await kafka.track(kafka.clients.admin()).createTopics([
    { name: 'pings', partitions: 3 },
    { name: 'zone-minute-counts', partitions: 1 },
  ])
  const producer = kafka.track(kafka.clients.producer())
  return async (records) => {
    for (let i = 0; i < records.length; i += 1_000) {
      await producer.send(records.slice(i, i + 1_000).map((p) => ({ topic: 'pings', partition: p.partition, key: buf(p.driver), value: buf(p.zone), timestamp: p.timestamp })))
    }
  }
}
