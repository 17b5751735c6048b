import { startChildService, type ChildService } from '../child-service.js'
import { withCluster, type ClusterKind } from '../cluster.js'
import { countedResults, produceAll } from '../kafka-harness.js'
import { APPLICATION_ID, COMMIT_INTERVAL_MS, drive, resultReaderFor, splitForKafka } from '../kafka-mode.js'
import { peakRssOf } from '../process-usage.js'
import type { Measured } from '../runner.js'
import type { RunResult } from '../results.js'
import type { InputRecord, Scenario, ScenarioVariant } from '../scenarios/scenario.js'
import type { PeerProgramOptions } from './kafkats-flow-app.js'
import { peerTargetName, type PeerLibrary } from './peer-library.js'

/**
 * A peer library's row: its program for the variant in a process of its own, against a fresh
 * broker, with the records and phases of Tributary's kafka mode (drive): records/s over the bulk,
 * CPU-ms per 1,000 bulk records of the peer's process, latency of the paced tail, peak RSS. Its
 * results are read and counted as Tributary's are, so the report notes a peer that is not exact.
 * `cacheDir` must already hold the library (installPeer).
 */
export function peerTarget(peer: PeerLibrary, cacheDir: string, scenario: Scenario, variant: ScenarioVariant, inputs: readonly InputRecord[], cluster: ClusterKind = 'embedded'): Measured {
  return {
    scenario: scenario.name,
    variant: variant.name,
    mode: 'peer',
    target: peerTargetName(peer),
    run: async () => {
      const { outputTopics } = variant.build()
      const phases = splitForKafka(scenario, inputs)
      return withCluster(cluster, [...scenario.inputTopics, ...outputTopics], async (c) => {
        const producer = c.clients('bench-load').producer()
        const reader = resultReaderFor(c, variant)
        let app: ChildService<Record<string, never>, Record<string, never>> | undefined
        try {
          await reader.start(outputTopics)
          await produceAll(producer, phases.bootstrap)
          const options: PeerProgramOptions = {
            cacheDir,
            bootstrapServers: c.bootstrap,
            applicationId: APPLICATION_ID,
            commitIntervalMs: COMMIT_INTERVAL_MS,
            scenario: scenario.name,
            variant: variant.name,
          }
          app = await startChildService(peer.program, options, `${peer.packageName} (${scenario.name}/${variant.name})`)
          const running = app
          const { seconds, cpuMs } = await drive(c, APPLICATION_ID, () => running.checkHealthy(), producer, reader, phases, running.pid)
          const peakRssBytes = peakRssOf(running.pid)
          return {
            records: phases.bulk.length,
            seconds,
            ...countedResults(reader),
            latenciesMs: [...reader.latencies],
            peakRssBytes,
            ...(cpuMs === undefined ? {} : { cpuMs }),
          } satisfies RunResult
        } finally {
          await app?.stop().catch(() => undefined)
          await reader.close().catch(() => undefined)
          await producer.close().catch(() => undefined)
        }
      })
    },
  }
}
