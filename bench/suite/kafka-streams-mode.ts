/**
 * Kafka Streams itself running a scenario's variant (its Java version under
 * test/interop/src/dev/tributary/interop/bench) against the same broker, records and phases as
 * Tributary's kafka mode: the side-by-side rows of `--cluster kafka`.
 */
import { rm } from 'node:fs/promises'
import type { ProcessingGuarantee } from '../../src/runtime/config.js'
import { directoryBytes } from '../../src/runtime/directory-bytes.js'
import { startKafkaStreams } from '../interop/kafka-streams-app.js'
import { withCluster, type ClusterKind } from './cluster.js'
import { countedResults, produceAll } from './kafka-harness.js'
import { APPLICATION_ID, COMMIT_INTERVAL_MS, drive, resultReaderFor, splitForKafka } from './kafka-mode.js'
import { peakRssOf } from './process-usage.js'
import type { Measured } from './runner.js'
import type { RunResult, Target } from './results.js'
import type { InputRecord, Scenario, ScenarioVariant } from './scenarios/scenario.js'

/** Kafka Streams' default record cache (statestore.cache.max.bytes), for the row that keeps it. */
export const KAFKA_STREAMS_DEFAULT_CACHE_BYTES = 10 * 1024 * 1024

export interface KafkaStreamsRowConfig {
  readonly guarantee: ProcessingGuarantee
  /** Kafka Streams' default 10 MiB record cache; otherwise none, as Tributary's rows run (cacheMaxBytes: 0). */
  readonly cached: boolean
}

/** The Kafka Streams settings of a row: one stream thread, RocksDB stores, the guarantee, commit interval and cache. */
export function kafkaStreamsSettings(config: KafkaStreamsRowConfig): Record<string, string | number> {
  return {
    'processing.guarantee': config.guarantee,
    'commit.interval.ms': COMMIT_INTERVAL_MS,
    'num.stream.threads': 1,
    'statestore.cache.max.bytes': config.cached ? KAFKA_STREAMS_DEFAULT_CACHE_BYTES : 0,
  }
}

export function kafkaStreamsTargetName(config: KafkaStreamsRowConfig): Target {
  if (!config.cached) return config.guarantee
  if (config.guarantee !== 'at_least_once') throw new Error('The cached Kafka Streams row runs at-least-once only.')
  return 'at_least_once_cached'
}

export function kafkaStreamsTarget(scenario: Scenario, variant: ScenarioVariant, inputs: readonly InputRecord[], config: KafkaStreamsRowConfig, cluster: ClusterKind): Measured {
  const version = variant.kafkaStreams
  if (version === undefined) throw new Error(`${scenario.name}/${variant.name} has no Kafka Streams version.`)
  return {
    scenario: scenario.name,
    variant: variant.name,
    mode: 'kafka-streams',
    target: kafkaStreamsTargetName(config),
    run: async () => {
      const { outputTopics } = variant.build()
      const phases = splitForKafka(scenario, inputs)
      return withCluster(cluster, [...scenario.inputTopics, ...outputTopics], async (c) => {
        const producer = c.clients('bench-load').producer()
        const reader = resultReaderFor(c, variant)
        let app: Awaited<ReturnType<typeof startKafkaStreams>> | undefined
        try {
          await reader.start(outputTopics)
          await produceAll(producer, phases.bootstrap)
          app = await startKafkaStreams({
            scenario: version.scenario,
            bootstrapServers: c.bootstrap,
            applicationId: APPLICATION_ID,
            options: { ...kafkaStreamsSettings(config), ...version.options },
          })
          // RUNNING: the global tables are bootstrapped and the tasks assigned, as Tributary's start() returning.
          await app.waitForState('RUNNING')
          const running = app
          const { seconds, cpuMs } = await drive(c, APPLICATION_ID, () => running.checkHealthy(), producer, reader, phases, running.pid)
          const peakRssBytes = peakRssOf(running.pid)
          await running.stop(true)
          const rocksdbBytes = await directoryBytes(running.stateDir)
          return {
            records: phases.bulk.length,
            seconds,
            ...countedResults(reader),
            latenciesMs: [...reader.latencies],
            rocksdbBytes,
            peakRssBytes,
            ...(cpuMs === undefined ? {} : { cpuMs }),
          } satisfies RunResult
        } finally {
          await app?.stop().catch(() => undefined)
          if (app !== undefined) await rm(app.stateDir, { recursive: true, force: true })
          await reader.close().catch(() => undefined)
          await producer.close().catch(() => undefined)
        }
      })
    },
  }
}
