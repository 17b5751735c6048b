/**
 * The cases of the differential suite: each kind is written once with Tributary's DSL (here) and
 * once with Kafka Streams' (the Java class of the same name in
 * test/interop/src/dev/tributary/interop/differential/random, run together by its `Cases`
 * scenario). Many cases share one application: each reads and writes topics of its own prefix.
 */
import { StreamsBuilder } from '../../../../src/dsl/index.js'
import type { Topology } from '../../../../src/topology/topology.js'
import { groupedAggregate, tableAggregate } from './aggregations.js'
import { streamStreamJoin, streamTableJoin, tableTableJoin } from './joins.js'
import type { CaseParams } from './text.js'
import { sessionAggregate, slidingAggregate, windowedAggregate, windowedCount } from './windowed.js'

interface CaseKindDefinition {
  readonly build: (builder: StreamsBuilder, params: CaseParams, outputSuffix: string) => void
  /** Its input topics, `<prefix>-<role>`. */
  readonly inputs: readonly ('in' | 'left' | 'right')[]
  /**
   * Whether it regroups through a repartition topic: then records of one seed reach the output
   * from several tasks, and only the order per key is determined by the input.
   */
  readonly repartitions: boolean
}

const single = ['in'] as const
const pair = ['left', 'right'] as const

export const CASE_KINDS = {
  WindowedCount: { build: windowedCount, inputs: single, repartitions: false },
  WindowedAggregate: { build: windowedAggregate, inputs: single, repartitions: false },
  SessionAggregate: { build: sessionAggregate, inputs: single, repartitions: false },
  SlidingAggregate: { build: slidingAggregate, inputs: single, repartitions: false },
  StreamStreamJoin: { build: streamStreamJoin, inputs: pair, repartitions: false },
  StreamTableJoin: { build: streamTableJoin, inputs: pair, repartitions: false },
  TableTableJoin: { build: tableTableJoin, inputs: pair, repartitions: false },
  GroupedAggregate: { build: groupedAggregate, inputs: single, repartitions: false },
  TableAggregate: { build: tableAggregate, inputs: single, repartitions: true },
} satisfies Record<string, CaseKindDefinition>

export type CaseKind = keyof typeof CASE_KINDS

/** One case of a run: its kind, its topic prefix, its options and the partitions of its topics. */
export interface CaseSpec extends CaseParams {
  readonly kind: CaseKind
  readonly partitions: number
}

export function inputTopicsOf(spec: CaseSpec): string[] {
  return CASE_KINDS[spec.kind].inputs.map((role) => `${spec.prefix}-${role}`)
}

export function outputTopicOf(spec: CaseSpec): string {
  return `${spec.prefix}-out`
}

export function repartitions(spec: CaseSpec): boolean {
  return CASE_KINDS[spec.kind].repartitions
}

/** Tributary's application of `specs`. */
export function tributaryTopology(specs: readonly CaseSpec[], outputSuffix: string): Topology {
  const builder = new StreamsBuilder()
  for (const spec of specs) CASE_KINDS[spec.kind].build(builder, spec, outputSuffix)
  return builder.build()
}

/** The Kafka Streams scenario running the same `specs`, and its options. */
export function kafkaStreamsCases(specs: readonly CaseSpec[]): { scenario: string; options: Record<string, string> } {
  const options: Record<string, string> = { cases: specs.map((s) => `${s.prefix}:${s.kind}`).join(',') }
  for (const spec of specs) for (const [name, value] of Object.entries(spec.options)) options[`${spec.prefix}.${name}`] = String(value)
  return { scenario: 'differential.random.Cases', options }
}
