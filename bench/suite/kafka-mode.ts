import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_IDLE_TIMEOUT_MS } from '../../src/engine/index.js'
import type { KafkaProducer } from '../../src/kafka/index.js'
import type { ProcessingGuarantee } from '../../src/runtime/config.js'
import type { Topology } from '../../src/topology/topology.js'
import { withCluster, type Cluster, type ClusterKind } from './cluster.js'
import { countedResults, produceAll, producePaced, ResultReader, waitForCommitted, wallClockMs } from './kafka-harness.js'
import { LatestPerKey } from './latest-per-key.js'
import { cpuMsOf, peakRssOf } from './process-usage.js'
import type { Measured } from './runner.js'
import type { RunResult } from './results.js'
import { startPipeProcess, type PipeProcess } from './pipe-process.js'
import { startTributaryProcess, type TributaryProcessOptions } from './tributary-process.js'
import { closesWhenIdle, type InputRecord, type Scenario, type ScenarioVariant } from './scenarios/scenario.js'

/** The consumer group (and application id) of the measured application, Tributary's or Kafka Streams'. */
export const APPLICATION_ID = 'bench-app'
/** Kafka Streams' default under exactly-once; used for both guarantees so their latencies compare. */
export const COMMIT_INTERVAL_MS = 100
/** Input records per second in the latency phase: well below saturation, so latency is not queueing. */
export const LATENCY_RATE = 1_000
const PIPE_OUTPUT = 'bench_pipe_out'
/** The raw pipe's consumer group. */
const PIPE_GROUP = 'bench-pipe'
/**
 * Wall-clock time allowed, past the close of the last window, for the close to reach the results
 * topic: the processing of the last inputs, the idleness passing from the input tasks to the
 * window task (markers), commits.
 */
export const IDLE_CLOSE_MARGIN_MS = 5_000

/** A run's inputs by phase. */
export interface KafkaInputs {
  /** Records of the global tables' topics, produced before the instance starts so that its bootstrap reads them. */
  readonly bootstrap: readonly InputRecord[]
  /** Produced as fast as the producer goes: the throughput. */
  readonly bulk: readonly InputRecord[]
  /** Produced at LATENCY_RATE after the bulk: the latency. */
  readonly tail: readonly InputRecord[]
  /** The input topics the consumer group reads (all but the global tables'). */
  readonly streamTopics: readonly string[]
}

/**
 * Splits a scenario's inputs into the run's phases: the global tables' records first (not timed:
 * KafkaStreams reads them while it starts), then of the rest the bulk and the tail, the last 10%
 * (at most 3 000).
 */
export function splitForKafka(scenario: Pick<Scenario, 'inputTopics' | 'globalTopics'>, inputs: readonly InputRecord[]): KafkaInputs {
  const global = new Set(scenario.globalTopics ?? [])
  const events = inputs.filter((r) => !global.has(r.topic))
  const tail = Math.min(3_000, Math.max(1, Math.floor(events.length / 10)))
  return {
    bootstrap: inputs.filter((r) => global.has(r.topic)),
    bulk: events.slice(0, events.length - tail),
    tail: events.slice(events.length - tail),
    streamTopics: scenario.inputTopics.filter((t) => !global.has(t)),
  }
}

/** What `drive` measured: the bulk's seconds and, when it was given a process, that process's CPU time over the bulk. */
export interface Driven {
  readonly seconds: number
  readonly cpuMs?: number
  /** Wall-clock time (ms) the producer had taken the last input record. */
  readonly lastProducedMs: number
}

/**
 * Feeds the bulk as fast as the producer goes; once `group` has committed all of it, the results
 * are in: the seconds from the first produce to the last result, and the CPU time `pid` (the
 * application's own process) used from the first produce to the commit of the last input. Then
 * feeds the tail at LATENCY_RATE, whose results' latencies `reader` records.
 */
export async function drive(
  cluster: Cluster,
  group: string,
  checkHealthy: () => void,
  producer: KafkaProducer,
  reader: ResultReader,
  { bulk, tail, streamTopics }: KafkaInputs,
  pid?: number,
): Promise<Driven> {
  const admin = cluster.clients('bench-admin')
  const groupClients = cluster.clients(group)
  const cpuBefore = pid === undefined ? 0 : cpuMsOf(pid)
  const started = wallClockMs()
  await produceAll(producer, bulk)
  await waitForCommitted(admin, groupClients, streamTopics, checkHealthy)
  const committedAt = wallClockMs()
  const cpuMs = pid === undefined ? undefined : cpuMsOf(pid) - cpuBefore
  await reader.settle()
  // Done when the last result is readable, or when all was committed if no result came (windows still open).
  const seconds = (Math.max(reader.lastArrival, committedAt) - started) / 1000
  reader.measureLatencyFromNow()
  await producePaced(producer, tail, LATENCY_RATE)
  const lastProducedMs = wallClockMs()
  await waitForCommitted(admin, groupClients, streamTopics, checkHealthy)
  await reader.settle()
  return cpuMs === undefined ? { seconds, lastProducedMs } : { seconds, cpuMs, lastProducedMs }
}

/**
 * Under upstream watermarks the last windows close only once the inputs have been idle for
 * idleTimeoutMs and the event time, following the wall clock from there, has passed them. Waits
 * (unmeasured: after the timed phases, and the latencies are taken before) until then, plus
 * `marginMs`, and until the results have stopped coming, so that the count read next is the final
 * one. Throws at once if the application fails meanwhile.
 */
export async function waitForIdleClose(reader: ResultReader, lastProducedMs: number, closeAfterMs: number, checkHealthy: () => void, marginMs = IDLE_CLOSE_MARGIN_MS): Promise<void> {
  const until = lastProducedMs + DEFAULT_IDLE_TIMEOUT_MS + closeAfterMs + marginMs
  for (let left = until - wallClockMs(); left > 0; left = until - wallClockMs()) {
    checkHealthy()
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, 1_000)))
  }
  checkHealthy()
  await reader.settle(1_000)
}

/**
 * Tributary's KafkaStreams running the variant (RocksDB stores) in a process of its own, against
 * the run's broker. The global tables' records are produced before it starts, so that it
 * bootstraps them before it processes the first event, as an application reading reference data
 * would be deployed.
 */
export function kafkaTarget(scenario: Scenario, variant: ScenarioVariant, inputs: readonly InputRecord[], guarantee: ProcessingGuarantee, cluster: ClusterKind = 'embedded'): Measured {
  return {
    scenario: scenario.name,
    variant: variant.name,
    mode: 'kafka',
    target: guarantee,
    run: async () => {
      const { topology, outputTopics } = variant.build()
      const phases = splitForKafka(scenario, inputs)
      return withCluster(cluster, [...scenario.inputTopics, ...outputTopics], async (c) => {
        const stateDir = await mkdtemp(join(tmpdir(), 'tributary-bench-kafka-'))
        const options: TributaryProcessOptions = {
          scenario: scenario.name,
          variant: variant.name,
          guarantee,
          bootstrapServers: c.bootstrap,
          applicationId: APPLICATION_ID,
          stateDir,
          commitIntervalMs: COMMIT_INTERVAL_MS,
        }
        const producer = c.clients('bench-load').producer()
        const reader = resultReaderFor(c, variant)
        let app: Awaited<ReturnType<typeof startTributaryProcess>> | undefined
        try {
          await reader.start(outputTopics)
          await produceAll(producer, phases.bootstrap)
          app = await startTributaryProcess(options)
          checkBootstrapped(app.globalRecordsRead, phases.bootstrap.length)
          const { seconds, cpuMs, lastProducedMs } = await drive(c, APPLICATION_ID, app.checkHealthy, producer, reader, phases, app.pid)
          // Results of the paced tail only: the idle close below comes tens of seconds after its inputs.
          const latenciesMs = [...reader.latencies]
          if (closesWhenIdle(variant)) await waitForIdleClose(reader, lastProducedMs, variant.closeAfterMs?.(inputs) ?? 0, app.checkHealthy)
          const peakRssBytes = peakRssOf(app.pid)
          const rocksdbBytes = await app.stop()
          const restoreRecordsPerSec = await measureRestore(c, { ...options, stateDir: `${stateDir}-restored` }, app.startMs, topology)
          return {
            records: phases.bulk.length,
            seconds,
            ...countedResults(reader),
            latenciesMs,
            rocksdbBytes,
            peakRssBytes,
            ...(cpuMs === undefined ? {} : { cpuMs }),
            ...(restoreRecordsPerSec === undefined ? {} : { restoreRecordsPerSec }),
          } satisfies RunResult
        } finally {
          await app?.stop().catch(() => undefined)
          await reader.close().catch(() => undefined)
          await producer.close().catch(() => undefined)
          await rm(stateDir, { recursive: true, force: true })
          await rm(`${stateDir}-restored`, { recursive: true, force: true })
        }
      })
    },
  }
}

/** The downstream reader of a variant's results (read_committed), keeping final values where the variant counts them. */
export function resultReaderFor(cluster: Cluster, variant: Pick<ScenarioVariant, 'finalResults'>): ResultReader {
  const consumer = cluster.clients('bench-results').consumer({ isolationLevel: 'read_committed' })
  return new ResultReader(consumer, variant.finalResults === 'latest-per-key' ? new LatestPerKey() : undefined)
}

/**
 * Fails the run unless the instance read every global-table record while it started: otherwise
 * the first events would be joined with a partial table, and the run would measure something else.
 */
function checkBootstrapped(read: number, records: number): void {
  if (read < records) {
    throw new Error(`KafkaStreams started having read ${read} of the ${records} records of its global tables: the bootstrap must read them all before processing starts.`)
  }
}

/**
 * A second instance with an empty state directory restores every store from its changelog
 * before it runs. Its start time minus the first instance's (group join and topic checks, with
 * nothing to restore) is the restoration; divided into the changelog records, the restore rate.
 * Global stores are bootstrapped by both starts alike, so they cancel out and are not counted.
 */
async function measureRestore(cluster: Cluster, options: TributaryProcessOptions, emptyStartMs: number, topology: Topology): Promise<number | undefined> {
  const admin = cluster.clients('bench-admin').admin()
  let changelogRecords = 0n
  try {
    const partitions = await admin.describeTopics(changelogTopics(topology, options.applicationId))
    for (const [topic, count] of partitions) {
      const ids = Array.from({ length: count }, (_, i) => i)
      const [start, end] = await Promise.all([admin.listOffsets(topic, ids, 'earliest'), admin.listOffsets(topic, ids, 'latest')])
      for (const id of ids) changelogRecords += (end.get(id) ?? 0n) - (start.get(id) ?? 0n)
    }
  } finally {
    await admin.close()
  }
  if (changelogRecords === 0n) return undefined
  const app = await startTributaryProcess(options)
  try {
    const restoreMs = app.startMs - emptyStartMs
    // Below a tenth of a second the difference of two start-up times is noise, not a rate.
    return restoreMs < 100 ? undefined : Number(changelogRecords) / (restoreMs / 1000)
  } finally {
    await app.stop()
  }
}

/**
 * The topics a fresh instance restores its task stores from, full names: the internal
 * `-changelog` topics, and the source topic a table reuses as its changelog (whose records reached
 * the first instance only after it started). Global stores are left out.
 */
export function changelogTopics(topology: Topology, applicationId: string): string[] {
  const topics = new Set<string>()
  for (const spec of topology.stores.values()) {
    if (spec.global === true || spec.changelogTopic === undefined) continue
    topics.add(spec.changelogIsInternal ? `${applicationId}-${spec.changelogTopic}` : spec.changelogTopic)
  }
  return [...topics]
}

/**
 * The I/O limit: the same records consumed and produced unchanged to one topic through the same
 * broker and client, with no processing at all, by the best loop a user could write with that
 * client (see RawPipe: fetch overlapped with sends, sends pipelined, offsets of acknowledged
 * records committed as often as Tributary commits). It runs in a process of its own, as
 * Tributary's application does, so that its CPU time per 1,000 records is measured the same way.
 * The global tables' records are not piped: Tributary reads them before the timed phases too.
 */
export function rawPipeTarget(scenario: Scenario, variantName: string, inputs: readonly InputRecord[], cluster: ClusterKind = 'embedded'): Measured {
  return {
    scenario: scenario.name,
    variant: variantName,
    mode: 'baseline',
    target: 'io-limit',
    run: async () => {
      const phases = splitForKafka(scenario, inputs)
      return withCluster(cluster, [...phases.streamTopics, PIPE_OUTPUT], async (c) => {
        const producer = c.clients('bench-load').producer()
        const reader = new ResultReader(c.clients('bench-results').consumer({ isolationLevel: 'read_committed' }))
        let pipe: PipeProcess | undefined
        try {
          await reader.start([PIPE_OUTPUT])
          pipe = await startPipeProcess({
            bootstrapServers: c.bootstrap,
            groupId: PIPE_GROUP,
            inputTopics: phases.streamTopics,
            settings: { outputTopic: PIPE_OUTPUT, commitIntervalMs: COMMIT_INTERVAL_MS },
          })
          const running = pipe
          const { seconds, cpuMs } = await drive(c, PIPE_GROUP, () => running.checkHealthy(), producer, reader, phases, running.pid)
          const peakRssBytes = peakRssOf(running.pid)
          return {
            records: phases.bulk.length,
            seconds,
            outputs: reader.count,
            latenciesMs: [...reader.latencies],
            peakRssBytes,
            ...(cpuMs === undefined ? {} : { cpuMs }),
          } satisfies RunResult
        } finally {
          await pipe?.stop().catch(() => undefined)
          await reader.close().catch(() => undefined)
          await producer.close().catch(() => undefined)
        }
      })
    },
  }
}
