import type { CityOptions } from '../../../topologies/generator/types.js'
import { produceCity } from '../city-producer.js'
import type { ClusterAccess } from '../security-flags.js'

/** What `tributary run` asks of the city generator. */
export interface CityFeedRequest {
  readonly bootstrapServers: readonly string[]
  readonly schemaRegistryUrl: string | undefined
  readonly access: ClusterAccess
  readonly options: CityOptions
  /** Caps records per second; undefined sends the simulation in real time. */
  readonly ratePerSecond: number | undefined
  /** Aborting stops the feed; its promise then resolves with what was sent. */
  readonly signal: AbortSignal
  /** Called now and then with the records sent so far, per topic. */
  onProgress(sent: ReadonlyMap<string, number>): void
}

/** Sends a simulated city to Kafka; resolves with the records sent per topic. */
export type CityFeed = (request: CityFeedRequest) => Promise<ReadonlyMap<string, number>>

/** The city generator of `tributary generate`, paced in real time so that windows close while you watch. */
export const produceCityFeed: CityFeed = async (request) => {
  const result = await produceCity({
    bootstrapServers: request.bootstrapServers,
    ...(request.schemaRegistryUrl === undefined ? {} : { schemaRegistryUrl: request.schemaRegistryUrl }),
    ...request.access.kafka,
    ...(request.access.registry === undefined ? {} : { schemaRegistryAccess: request.access.registry }),
    options: request.options,
    ...(request.ratePerSecond === undefined ? {} : { ratePerSecond: request.ratePerSecond }),
    realTime: true,
    signal: request.signal,
    clientId: 'tributary-run-generator',
    onProgress: (progress) => request.onProgress(new Map(Object.entries(progress.byTopic))),
  })
  return new Map(Object.entries(result.byTopic))
}
