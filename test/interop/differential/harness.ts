/**
 * The differential harness: one topology written with Tributary's DSL and with Kafka Streams' (a
 * Java Scenario of test/interop/src), fed the same input on one broker, each application writing
 * its own copy of every output topic (`<topic>-tributary`, `<topic>-kafka-streams`). Once both have
 * processed everything (see completion.ts), the copies are compared record by record.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RawRecord } from '../../../src/kafka/index.js'
import { KafkaStreams, type KafkaStreamsConfig } from '../../../src/runtime/index.js'
import type { Topology } from '../../../src/topology/topology.js'
import { readAll, type KafkaFixture } from '../../kafka/fixtures.js'
import { startKafkaStreams, type KafkaStreamsApp } from '../kafka-streams.js'
import { divergences, type Divergence } from './compare.js'
import { ProcessingProbe } from './completion.js'

export const TRIBUTARY_SUFFIX = '-tributary'
export const KAFKA_STREAMS_SUFFIX = '-kafka-streams'

export interface DifferentialInput {
  readonly topic: string
  /** Explicit: where a record lands decides its task, so both systems must see the same placement. */
  readonly partition: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly timestamp: number
}

export interface DifferentialTopic {
  readonly name: string
  readonly partitions: number
}

export interface DifferentialOutput extends DifferentialTopic {
  /** Ordering group of a record (see compare.ts); default: the whole partition is one sequence. */
  readonly groupOf?: (key: Buffer | null) => string
  /** How a failure names a group, e.g. with the seed that reproduces it. */
  readonly describeGroup?: (group: string) => string
}

export interface DifferentialSpec {
  /** Prefix of both application ids. */
  readonly name: string
  readonly inputTopics: readonly DifferentialTopic[]
  /** Base names: the applications write `<name><suffix>`. */
  readonly outputTopics: readonly DifferentialOutput[]
  /** Produced in this order. */
  readonly inputs: readonly DifferentialInput[]
  /** Tributary's topology, writing its outputs to `<name><outputSuffix>`. */
  readonly tributary: (outputSuffix: string) => Topology
  /** Kafka Streams' scenario (relative to dev.tributary.interop) and its options; it receives `output.suffix`. */
  readonly kafkaStreams: { readonly scenario: string; readonly options?: Readonly<Record<string, string | number>> }
  /** Bound for a broken run only (default 150 s). */
  readonly timeoutMs?: number
  /** Tributary settings beyond the defaults (the harness sets only what Kafka Streams' runner sets too). */
  readonly tributaryConfig?: Partial<KafkaStreamsConfig>
}

export interface OutputCounts {
  readonly topic: string
  readonly kafkaStreams: number
  readonly tributary: number
}

export interface DifferentialResult {
  readonly outputs: readonly OutputCounts[]
  readonly divergences: readonly Divergence[]
  /** Milliseconds from starting the applications until both had processed everything. */
  readonly processingMs: number
}

export async function runDifferential(kafka: KafkaFixture, spec: DifferentialSpec): Promise<DifferentialResult> {
  const admin = kafka.track(kafka.clients.admin())
  // Input timestamps start near the epoch (small numbers keep windows readable); a broker's time
  // retention would delete such records at once.
  const configs = { 'retention.ms': '-1' }
  await admin.createTopics([
    ...spec.inputTopics.map((t) => ({ ...t, configs })),
    ...spec.outputTopics.flatMap((t) => [TRIBUTARY_SUFFIX, KAFKA_STREAMS_SUFFIX].map((suffix) => ({ name: t.name + suffix, partitions: t.partitions, configs }))),
  ])
  const producer = kafka.track(kafka.clients.producer())
  for (let i = 0; i < spec.inputs.length; i += 1_000) {
    await producer.send(spec.inputs.slice(i, i + 1_000).map((r) => ({ topic: r.topic, partition: r.partition, key: r.key, value: r.value, timestamp: r.timestamp })))
  }

  const bootstrapServers = kafka.broker.bootstrapServers
  const ids = { tributary: `${spec.name}${TRIBUTARY_SUFFIX}`, kafkaStreams: `${spec.name}${KAFKA_STREAMS_SUFFIX}` }
  const stateDir = mkdtempSync(join(tmpdir(), `tributary-differential-`))
  const probe = new ProcessingProbe(bootstrapServers, admin, {
    groups: [ids.tributary, ids.kafkaStreams],
    inputs: new Map(spec.inputTopics.map((t) => [t.name, t.partitions])),
    outputs: new Map(spec.outputTopics.flatMap((t) => [[t.name + TRIBUTARY_SUFFIX, t.partitions], [t.name + KAFKA_STREAMS_SUFFIX, t.partitions]])),
  })
  // Kafka Streams' runner commits every 100 ms without a record cache (every update compared);
  // everything else stays at each system's defaults.
  const tributary = new KafkaStreams(spec.tributary(TRIBUTARY_SUFFIX), { applicationId: ids.tributary, bootstrapServers: [bootstrapServers], stateDir, commitIntervalMs: 100, cacheMaxBytes: 0, ...spec.tributaryConfig })
  let tributaryError: unknown
  tributary.on('error', (error) => {
    tributaryError ??= error
  })
  let kafkaStreams: KafkaStreamsApp | undefined
  const started = Date.now()
  try {
    ;[kafkaStreams] = await Promise.all([
      startKafkaStreams({ scenario: spec.kafkaStreams.scenario, bootstrapServers, applicationId: ids.kafkaStreams, options: { ...spec.kafkaStreams.options, 'output.suffix': KAFKA_STREAMS_SUFFIX } }),
      tributary.start(),
    ])
    const java = kafkaStreams
    await probe.waitUntilProcessed({
      timeoutMs: spec.timeoutMs ?? 150_000,
      failure: () => {
        if (tributaryError !== undefined || tributary.state() === 'ERROR') return `Tributary failed: ${String(tributaryError)}`
        const error = java.lines.find((line) => line.startsWith('ERROR '))
        return error === undefined && java.state() !== 'ERROR' ? undefined : `Kafka Streams failed: ${error ?? 'ERROR'}`
      },
      describe: () => `Tributary ${tributary.state()}, Kafka Streams ${java.state()}; Kafka Streams' last lines:\n${java.lines.slice(-15).join('\n')}`,
    })
    const processingMs = Date.now() - started
    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' }))
    const outputs: OutputCounts[] = []
    const found: Divergence[] = []
    for (const output of spec.outputTopics) {
      const written = { kafkaStreams: await readTopic(reader, output.name + KAFKA_STREAMS_SUFFIX, output.partitions), tributary: await readTopic(reader, output.name + TRIBUTARY_SUFFIX, output.partitions) }
      outputs.push({ topic: output.name, kafkaStreams: written.kafkaStreams.length, tributary: written.tributary.length })
      found.push(...divergences({ topic: output.name, ...written, ...(output.groupOf ? { groupOf: output.groupOf } : {}), ...(output.describeGroup ? { describeGroup: output.describeGroup } : {}) }))
    }
    return { outputs, divergences: found, processingMs }
  } finally {
    await Promise.all([tributary.close().catch(() => undefined), kafkaStreams?.stop()])
    await probe.close()
    rmSync(stateDir, { recursive: true, force: true })
  }
}

async function readTopic(reader: Parameters<typeof readAll>[0], topic: string, partitions: number): Promise<RawRecord[]> {
  const records: RawRecord[] = []
  for (let p = 0; p < partitions; p++) records.push(...(await readAll(reader, topic, p)))
  return records
}

/** A failure message: how many groups diverged and the first few, each with its neighbours. */
export function divergenceReport(result: DifferentialResult, shown = 3): string {
  const list = result.divergences
  const perTopic = new Map<string, number>()
  for (const d of list) perTopic.set(d.topic, (perTopic.get(d.topic) ?? 0) + 1)
  // The first divergence of each topic, then more of the first topics, up to `shown` in all.
  const firsts = [...perTopic.keys()].map((topic) => list.find((d) => d.topic === topic)!)
  const reports = [...new Set([...firsts, ...list])].slice(0, Math.max(shown, firsts.length))
  return [
    `${list.length} ordering group(s) differ between Kafka Streams and Tributary: ${[...perTopic].map(([topic, n]) => `${topic} ${n}`).join(', ')}`,
    ...reports.map((d) => d.report),
  ].join('\n\n')
}
