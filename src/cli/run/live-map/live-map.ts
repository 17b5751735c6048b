import { Serdes } from '../../../index.js'
import { createQueryHandler, prometheusMetrics } from '../../../http/index.js'
import type { KafkaReader } from '../../../kafka/index.js'
import { VELOCITY_TOPICS } from '../../../../topologies/velocity/domain.js'
import type { OutputTopic } from '../../../../topologies/types.js'
import { CliError } from '../../../core/errors.js'
import { OutputTap } from '../output-tap.js'
import type { RunOptions } from '../run-options.js'
import { cityGeography } from './city-geography.js'
import { MapState, type MapApp } from './map-state.js'
import { startMapServer } from './map-server.js'

/** Records of each tapped topic the map keeps: enough to find an assignment's request. */
const KEPT_FOR_MAP = 500

export interface LiveMap {
  readonly url: string
  /** host:port, for the applications' `applicationServer`. */
  readonly address: string
  /** Starts serving the map's data and the query server for these applications. */
  serve(apps: readonly MapApp[]): void
  close(): Promise<void>
}

/**
 * The outputs the map draws besides the stores: assignments with their requests' pickup points
 * (ride-matching) and completed rides (ride-history), when the topologies writing them run.
 */
function mapTopics(outputs: readonly OutputTopic[]): OutputTopic[] {
  const wanted = outputs.filter((o) => o.topic === VELOCITY_TOPICS.rideAssignments || o.topic === VELOCITY_TOPICS.rides)
  if (wanted.some((o) => o.topic === VELOCITY_TOPICS.rideAssignments)) {
    wanted.push({ topic: VELOCITY_TOPICS.rideRequests, keySerde: Serdes.string() as OutputTopic['keySerde'], valueSerde: Serdes.json() as OutputTopic['valueSerde'] })
  }
  return wanted
}

/** Starts the live map's server on 127.0.0.1:--http-port; `serve` connects it to the applications. */
export async function startLiveMap(
  reader: KafkaReader,
  partitionCounts: ReadonlyMap<string, number>,
  outputs: readonly OutputTopic[],
  options: Pick<RunOptions, 'httpPort' | 'tiles' | 'topologies'>,
): Promise<LiveMap> {
  const topics = mapTopics(outputs)
  const tap = topics.length === 0 ? undefined : new OutputTap(reader, topics, partitionCounts, Math.random, KEPT_FOR_MAP)
  await tap?.begin()
  let server
  try {
    server = await startMapServer({ port: options.httpPort ?? 0, host: '127.0.0.1', tiles: options.tiles, geography: cityGeography(), topologies: options.topologies })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new CliError(`cannot serve the live map on port ${options.httpPort}: ${reason}. Use --http-port 0 to pick a free port, or --no-http.`, { cause: error })
  }
  return {
    url: server.url,
    address: server.address,
    serve(apps) {
      const all = apps.map((a) => a.app)
      const state = new MapState(apps, tap)
      server.serve(() => state.snapshot(), createQueryHandler(all, { metrics: prometheusMetrics(all) }))
    },
    close: () => server.close(),
  }
}
