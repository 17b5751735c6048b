import { JoinWindows, StreamsBuilder, Suppressed, TimeWindows } from '../src/dsl/index.js'
import { Serdes } from '../src/serde/index.js'
import type { Topology } from '../src/topology/topology.js'

/** The soak's input and output topics. Requests and offers are keyed by ride id. */
export const TOPICS = {
  requests: 'soak-requests',
  offers: 'soak-offers',
  zoneCounts: 'soak-zone-counts',
  windowFinals: 'soak-window-finals',
  matches: 'soak-matches',
} as const

export const PARTITIONS = 3
export const WINDOW_MS = 10_000
/**
 * Grace of the windows and the join: longer than any recovery the soak expects, so that records
 * held up by a fault are not dropped as late once they arrive (they would be in Kafka Streams too).
 */
export const GRACE_MS = 60_000
export const JOIN_DIFFERENCE_MS = 10_000

export interface RideRequest {
  readonly zone: string
  /** The feeder's sequence number: unique per ride. */
  readonly n: number
}

export interface RideOffer {
  readonly driver: string
  readonly n: number
}

/**
 * Surge pricing's shape: requests regrouped by zone (a repartition) into a running count per zone
 * and a tumbling count per zone suppressed until the window closes; and requests joined with
 * offers of the same ride within a time difference (a stream-stream join).
 */
export function soakTopology(): Topology {
  const str = Serdes.string()
  const b = new StreamsBuilder()
  const requests = b.stream<string, RideRequest>(TOPICS.requests, { keySerde: str, valueSerde: Serdes.json<RideRequest>() })
  const offers = b.stream<string, RideOffer>(TOPICS.offers, { keySerde: str, valueSerde: Serdes.json<RideOffer>() })

  const byZone = requests.groupBy((_, request) => request.zone, { keySerde: str, name: 'requests-by-zone' })
  byZone.count({ storeName: 'zone-counts' }).toStream().to(TOPICS.zoneCounts, { keySerde: str, valueSerde: Serdes.json<number>() })
  byZone
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS))
    .count({ storeName: 'zone-windows' })
    .suppress(Suppressed.untilWindowCloses())
    .toStream()
    .map<string, number>((window, count) => [`${window.key}@${window.window.start}`, count])
    .to(TOPICS.windowFinals, { keySerde: str, valueSerde: Serdes.json<number>() })

  requests
    .join(offers, (request, offer) => `${request.n}|${offer.driver}`, JoinWindows.ofTimeDifferenceAndGrace(JOIN_DIFFERENCE_MS, GRACE_MS))
    .to(TOPICS.matches, { keySerde: str, valueSerde: str })
  return b.build()
}
