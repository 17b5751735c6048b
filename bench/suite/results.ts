import type { Summary } from './stats.js'

/** Where a row's numbers come from: Tributary's driver or kafka mode, Kafka Streams itself, an npm peer library (`--peers`), or a baseline. */
export type Mode = 'baseline' | 'driver' | 'kafka' | 'kafka-streams' | 'peer'

/**
 * What a row measured: a Tributary configuration, or one of the two baselines measured in the
 * same run (the compute limit: hand-written Maps; the I/O limit: a raw consume -> produce pipe).
 */
export type Target = 'compute-limit' | 'io-limit' | 'memory' | 'rocksdb' | 'at_least_once' | 'exactly_once_v2' | 'at_least_once_cached' | `npm:${string}`

/** One measured run. */
export interface RunResult {
  /** Input records processed (both sides of a join). */
  readonly records: number
  readonly seconds: number
  /** Result records emitted (a check that the run did the work, not a speed); for `latest-per-key` variants, the result keys. */
  readonly outputs: number
  /** `latest-per-key` variants: the sum of the final values (a count's: the inputs counted). */
  readonly resultTotal?: number
  /** End-to-end latencies (record produced -> result readable), kafka mode only. */
  readonly latenciesMs?: readonly number[]
  /** Bytes under the state directory at the end of the run. */
  readonly rocksdbBytes?: number
  /** Changelog records restored per second by a fresh instance without local state. */
  readonly restoreRecordsPerSec?: number
  /**
   * Peak resident set size in bytes: of the application's own process in kafka mode (Tributary's
   * Node process, Kafka Streams' JVM), of the bench's process otherwise.
   */
  readonly peakRssBytes: number
  /** CPU time (user + system) of the application's own process over the bulk, kafka mode only. */
  readonly cpuMs?: number
}

/** The median and spread of a configuration's runs, and how it compares to the baselines. */
export interface ResultRow {
  readonly scenario: string
  readonly variant: string
  readonly mode: Mode
  readonly target: Target
  readonly recordsPerRun: number
  readonly recordsPerSec: Summary
  /** Result records of the last measured run. */
  readonly outputs: number
  /** Result records of each measured run, when there were several. */
  readonly outputsByRun?: readonly number[]
  /** `latest-per-key` variants: the sum of the final values in each measured run. */
  readonly resultTotalByRun?: readonly number[]
  readonly p50Ms?: Summary
  readonly p99Ms?: Summary
  readonly restoreRecordsPerSec?: Summary
  readonly peakRssMiB: number
  /** CPU milliseconds of the application's process per 1,000 input records (kafka mode and Kafka Streams). */
  readonly cpuMsPer1k?: Summary
  readonly rocksdbBytes?: number
  /** Median records/s over the compute limit's of the same variant. */
  readonly ratioToComputeLimit?: number
  /** Median records/s over the I/O limit's of the same variant. */
  readonly ratioToIoLimit?: number
  /** Tributary kafka-mode rows: median records/s over Kafka Streams' (no record cache, same guarantee, same scenario and variant). */
  readonly ratioToKafkaStreams?: number
  /** Tributary kafka-mode rows: CPU-ms per 1,000 records over Kafka Streams' (below 1: Tributary uses less). */
  readonly cpuRatioToKafkaStreams?: number
  readonly notes?: readonly string[]
}

export interface MachineInfo {
  readonly node: string
  readonly platform: string
  readonly cpus: string
  readonly cores: number
  readonly memoryGiB: number
  readonly loadAverage: readonly number[]
}

export interface SuiteReport {
  readonly startedAt: string
  readonly finishedAt: string
  readonly machine: MachineInfo
  readonly options: {
    readonly quick: boolean
    readonly records: number
    readonly warmups: number
    readonly repeats: number
    readonly kafkaWarmups: number
    readonly kafkaRepeats: number
    readonly seed: number
    readonly scenarios: readonly string[]
    /** Empty: every variant. */
    readonly variants: readonly string[]
    readonly modes: readonly string[]
    /** The broker of kafka mode: the embedded one, or Apache Kafka (with its release). */
    readonly cluster?: string
    /** `--peers`: the npm peer libraries measured beside Tributary. */
    readonly peers?: readonly string[]
  }
  readonly rows: readonly ResultRow[]
  /** Scenarios or modes that did not run, and why. */
  readonly skipped: readonly string[]
}
