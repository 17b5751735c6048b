/**
 * The bundled topologies' differential: a bundled Tributary topology (fixed topic names, as
 * shipped) and its Kafka Streams twin (test/interop/src/.../differential/bundled, writing every
 * output to `<topic>-kafka-streams`) on one broker, fed the same generated records in phases; after
 * each phase both must have processed everything (completion.ts) before the next is sent. Outputs
 * are compared decoded (JSON numbers are written differently by Java and JavaScript, Avro records
 * carry each writer's schema id), record by record per partition: key, value, timestamp, order.
 */
import { isDeepStrictEqual } from 'node:util'
import type { KafkaStreamsConfig } from '../../../src/runtime/index.js'
import type { BuiltTopology } from '../../../topologies/types.js'
import type { CityRecord } from '../../../topologies/generator/index.js'
import { sendCityRecords } from '../../e2e/city-records.js'
import { readAll, type StreamsFixture } from '../../e2e/fixtures.js'
import { startKafkaStreams, type KafkaStreamsApp } from '../kafka-streams.js'
import { ProcessingProbe } from './completion.js'

export const KAFKA_STREAMS_SUFFIX = '-kafka-streams'

/**
 * Tributary's application id for a case (start the fixture with it). Neither id is a prefix of
 * the other, so each application's repartition topics are told apart by prefix.
 */
export const tributaryIdOf = (name: string): string => `${name}-tributary`

/** A decoded record of an output topic. */
export interface OutputRecord {
  readonly offset: bigint
  readonly key: string | null
  readonly value: unknown
  readonly timestamp: number
}

export interface BundledCase {
  /** Application ids: `<name>-tributary` (see tributaryIdOf) and `<name>-kafka-streams`. */
  readonly name: string
  readonly built: BuiltTopology
  readonly partitions: { readonly inputs: number; readonly outputs: number }
  /** Sent in order; each phase is processed by both applications before the next is sent. */
  readonly phases: readonly (readonly CityRecord[])[]
  /**
   * Inputs read by global tables: no consumer group commits them. Both applications read a global
   * table to its end before they run, so its topic must be written in the first phase.
   */
  readonly globalInputs?: readonly string[]
  readonly scenario: string
  readonly scenarioOptions?: Readonly<Record<string, string | number>>
  /** Settings both applications get (Tributary's name, Kafka Streams' name). */
  readonly maxTaskIdleMs: number
  readonly send?: Parameters<typeof sendCityRecords>[2]
  /** How to decode each output topic's values (default JSON). */
  readonly decode?: (topic: string, value: Buffer) => unknown
  /** Tributary settings beyond the shared ones. */
  readonly tributaryConfig?: Partial<KafkaStreamsConfig>
}

export interface BundledRun {
  /** Per output topic, per partition: what Kafka Streams and Tributary wrote. */
  readonly outputs: Map<string, { kafkaStreams: OutputRecord[][]; tributary: OutputRecord[][] }>
}

/** Runs both applications through every phase, then reads their outputs. `env` is closed by the caller. */
export async function runBundledCase(env: StreamsFixture, c: BundledCase): Promise<BundledRun> {
  const kafka = env.kafka
  const admin = kafka.track(kafka.clients.admin())
  const outputs = c.built.outputs.map((o) => o.topic)
  await admin.createTopics([
    ...c.built.inputs.map((name) => ({ name, partitions: c.partitions.inputs })),
    ...outputs.flatMap((name) => [name, `${name}${KAFKA_STREAMS_SUFFIX}`]).map((name) => ({ name, partitions: c.partitions.outputs })),
  ])
  const producer = kafka.track(kafka.clients.producer())
  await sendCityRecords(producer, c.phases[0] ?? [], c.send)

  const kafkaStreamsId = `${c.name}${KAFKA_STREAMS_SUFFIX}`
  let javaApp: KafkaStreamsApp | undefined
  const probe = new ProcessingProbe(kafka.broker.bootstrapServers, admin, {
    groups: [tributaryIdOf(c.name), kafkaStreamsId],
    inputs: new Map(c.built.inputs.filter((t) => !(c.globalInputs ?? []).includes(t)).map((t) => [t, c.partitions.inputs])),
    outputs: new Map(outputs.flatMap((t) => [[t, c.partitions.outputs], [`${t}${KAFKA_STREAMS_SUFFIX}`, c.partitions.outputs]])),
  })
  try {
    javaApp = await startKafkaStreams({
      scenario: c.scenario,
      bootstrapServers: kafka.broker.bootstrapServers,
      applicationId: kafkaStreamsId,
      options: { 'output.suffix': KAFKA_STREAMS_SUFFIX, 'max.task.idle.ms': c.maxTaskIdleMs, ...c.scenarioOptions },
    })
    const app = env.newApp(c.built.topology, { commitIntervalMs: 100, cacheMaxBytes: 0, maxTaskIdleMs: c.maxTaskIdleMs, ...c.tributaryConfig })
    await Promise.all([app.start(), javaApp.waitForState('RUNNING', 90_000)])
    const java = javaApp
    for (let phase = 0; phase < c.phases.length; phase++) {
      if (phase > 0) await sendCityRecords(producer, c.phases[phase]!, c.send)
      await probe.waitUntilProcessed({
        timeoutMs: 150_000,
        failure: () => java.lines.find((l) => l.startsWith('ERROR ')) ?? (java.state() === 'ERROR' ? 'Kafka Streams failed' : undefined),
        describe: () => `Kafka Streams said, last:\n${java.lines.slice(-15).join('\n')}`,
      })
    }
  } finally {
    await probe.close()
    await javaApp?.stop()
  }

  const reader = env.reader()
  const decode = c.decode ?? ((_topic: string, value: Buffer): unknown => JSON.parse(value.toString('utf8')))
  const read = async (topic: string, decodeAs: string): Promise<OutputRecord[][]> => {
    const partitions: OutputRecord[][] = []
    for (let p = 0; p < c.partitions.outputs; p++) {
      const records = await readAll(reader, topic, p)
      partitions.push(await Promise.all(records.map(async (r) => ({
        offset: r.offset,
        key: r.key === null ? null : r.key.toString('utf8'),
        value: r.value === null ? null : await decode(decodeAs, r.value),
        timestamp: r.timestamp,
      }))))
    }
    return partitions
  }
  const result = new Map<string, { kafkaStreams: OutputRecord[][]; tributary: OutputRecord[][] }>()
  for (const topic of outputs) result.set(topic, { kafkaStreams: await read(`${topic}${KAFKA_STREAMS_SUFFIX}`, topic), tributary: await read(topic, topic) })
  return { outputs: result }
}

/** The first record where the two differ, with its neighbours, or undefined when every partition is the same. */
export function firstDivergence(topic: string, kafkaStreams: readonly OutputRecord[][], tributary: readonly OutputRecord[][]): string | undefined {
  for (let p = 0; p < Math.max(kafkaStreams.length, tributary.length); p++) {
    const want = kafkaStreams[p] ?? []
    const got = tributary[p] ?? []
    for (let i = 0; i < Math.max(want.length, got.length); i++) {
      if (sameRecord(want[i], got[i])) continue
      const around = (list: readonly OutputRecord[]) => list.slice(Math.max(0, i - 2), i + 3).map((r) => `    ${show(r)}`).join('\n') || '    (none)'
      return [
        `${topic} partition ${p}: record #${i} differs (Kafka Streams wrote ${want.length}, Tributary ${got.length})`,
        `  Kafka Streams: ${show(want[i])}`,
        `  Tributary:     ${show(got[i])}`,
        `  Kafka Streams #${Math.max(0, i - 2)}..:\n${around(want)}`,
        `  Tributary #${Math.max(0, i - 2)}..:\n${around(got)}`,
      ].join('\n')
    }
  }
  return undefined
}

function sameRecord(a: OutputRecord | undefined, b: OutputRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.key === b.key && a.timestamp === b.timestamp && isDeepStrictEqual(plain(a.value), plain(b.value))
}

/** Dates (Avro timestamp-millis) as their instant, so that decoded values compare as data. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown
}

function show(record: OutputRecord | undefined): string {
  return record === undefined ? '(none)' : `#${record.offset} @${record.timestamp} ${JSON.stringify(record.key)} -> ${JSON.stringify(record.value)}`
}

/** Record counts per topic, for the assertion that a comparison is not of two empty outputs. */
export function counts(run: BundledRun): Record<string, number> {
  return Object.fromEntries([...run.outputs].map(([topic, { tributary }]) => [topic, tributary.flat().length]))
}
