import type { KafkaStreamsConfig } from '../../../src/runtime/config.js'
import type { Topology } from '../../../src/topology/topology.js'

/** One input record, already serialized, so every mode and baseline reads the very same bytes. */
export interface InputRecord {
  readonly topic: string
  readonly key: Buffer
  /** Null for a tombstone (a deleted row of a CDC topic). */
  readonly value: Buffer | null
  readonly timestamp: number
}

/** A topology to measure and the topics it writes the results to. */
export interface BuiltScenario {
  readonly topology: Topology
  readonly outputTopics: readonly string[]
}

/**
 * One computation of a scenario (e.g. the inner or the left join), as a Tributary topology and
 * as the compute limit: the same computation written by hand with Maps, no library and no
 * durability. The hand-written version parses and writes JSON like the topology does, so the
 * ratio between the two is the library's cost and nothing else.
 */
export interface ScenarioVariant {
  readonly name: string
  build(): BuiltScenario
  /**
   * Processes the inputs in order and returns how many results it emitted: as many as the topology
   * emits with `config`, once its inputs have gone idle where that closes the last windows. For
   * `finalResults: 'latest-per-key'`, the final results and the sum of their values.
   */
  computeLimit(inputs: readonly InputRecord[]): number | FinalResults
  /**
   * `latest-per-key`: the topology forwards every update of a result key (a count per window,
   * unsuppressed), so every mode counts the distinct result keys and sums their latest values
   * (see LatestPerKey) instead of counting result records, which depend on caching and timing.
   */
  readonly finalResults?: 'latest-per-key'
  /**
   * Settings Tributary runs the topology with, in driver and kafka mode: the bundled topology's
   * own `config` (e.g. upstream watermarks). Kafka Streams' rows do not use them.
   */
  readonly config?: Pick<KafkaStreamsConfig, 'watermarks'>
  /**
   * Under upstream watermarks: how much event time past the largest input timestamp it takes for
   * the last window (or session) of `inputs` to close. Once every input has been idle for
   * idleTimeoutMs the event time follows the wall clock, so the last results come out about
   * idleTimeoutMs + this much wall-clock time after the last input.
   */
  closeAfterMs?(inputs: readonly InputRecord[]): number
  /** The same computation written with Kafka Streams, for the side-by-side rows of `--cluster kafka`. */
  readonly kafkaStreams?: KafkaStreamsVersion
}

/** The final results of a `latest-per-key` variant: how many result keys, and the sum of their final values. */
export interface FinalResults {
  readonly outputs: number
  readonly resultTotal: number
}

/** A Scenario class of test/interop/src/dev/tributary/interop (run by KafkaStreamsRunner) and its options. */
export interface KafkaStreamsVersion {
  /** Relative to the package dev.tributary.interop, e.g. `bench.RideJoin`. */
  readonly scenario: string
  readonly options?: Readonly<Record<string, string>>
}

export interface Scenario {
  /** Used with `--scenario`. */
  readonly name: string
  readonly description: string
  /** Topics the inputs are written to (created with the partitions of the run). */
  readonly inputTopics: readonly string[]
  readonly variants: readonly ScenarioVariant[]
  /** Deterministic inputs in delivery order: about `records` of them, the same for the same seed. */
  prepare(records: number, seed: number): readonly InputRecord[]
  /** Where the data came from (the generator, or how the bench derived it). */
  readonly dataSource: string
  /**
   * Input topics the topology reads as global tables (a subset of `inputTopics`). KafkaStreams
   * bootstraps a global table before it processes anything and does not synchronize it with
   * stream time afterwards, so `prepare` puts these records first (see `globalTablesFirst`):
   * every mode and baseline then sees the reference data complete before the first event, and
   * kafka mode produces these records before the instance starts.
   */
  readonly globalTopics?: readonly string[]
}

/** True when Tributary runs the variant on upstream watermarks: its last windows close once its inputs go idle. */
export function closesWhenIdle(variant: Pick<ScenarioVariant, 'config'>): boolean {
  return variant.config?.watermarks === 'upstream'
}

/** The largest timestamp of `inputs` (-Infinity for none). */
export function maxTimestamp(inputs: readonly InputRecord[]): number {
  let max = Number.NEGATIVE_INFINITY
  for (const r of inputs) if (r.timestamp > max) max = r.timestamp
  return max
}

/** The topics a topology reads as global tables, from its global sub-topologies. */
export function globalTopicsOf(topology: Topology): string[] {
  return topology.subtopologies.filter((s) => s.global === true).flatMap((s) => s.sourceTopics)
}

/**
 * Moves the records of `globalTopics` before all others, keeping the order within each part:
 * the reference data a global table is bootstrapped from, then the events.
 */
export function globalTablesFirst(records: readonly InputRecord[], globalTopics: readonly string[]): InputRecord[] {
  const global = new Set(globalTopics)
  return [...records.filter((r) => global.has(r.topic)), ...records.filter((r) => !global.has(r.topic))]
}

/**
 * Reorders records into blocks of `blockSize`: within a block, the records of each topic in
 * turn. Drivers pipe a block's records of one topic as a single list; every mode and baseline
 * then sees the same order. Event times within a block stay close, so windows are unaffected.
 */
export function inBlocks(records: readonly InputRecord[], topics: readonly string[], blockSize = 1_000): InputRecord[] {
  const out: InputRecord[] = []
  for (let start = 0; start < records.length; start += blockSize) {
    const block = records.slice(start, start + blockSize)
    for (const topic of topics) for (const r of block) if (r.topic === topic) out.push(r)
  }
  return out
}
