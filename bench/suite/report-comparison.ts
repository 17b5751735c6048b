import { comparisonLines } from './comparison.js'
import type { ResultRow } from './results.js'
import type { Summary } from './stats.js'

const int = (n: number): string => Math.round(n).toLocaleString('en-US')
const ms = (s: Summary | undefined): string => (s === undefined ? '' : s.median < 10 ? s.median.toFixed(1) : int(s.median))
const times = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '' : `${n.toFixed(2)}×`)
const cpu = (row: ResultRow | undefined): string => (row?.cpuMsPer1k === undefined ? '' : row.cpuMsPer1k.median.toFixed(0))

const HEADER = [
  'scenario', 'variant', 'guarantee',
  'Tributary rec/s', 'KS rec/s', 'T / KS rec/s',
  'Tributary CPU ms/1k', 'KS CPU ms/1k', 'T / KS CPU',
  'Tributary p50 / p99 ms', 'KS p50 / p99 ms',
  'Tributary RSS MiB', 'KS RSS MiB',
  'KS cached rec/s', 'KS cached CPU ms/1k',
] as const

/** The cells of one side-by-side line, in the order of HEADER. */
export function comparisonCells(line: ReturnType<typeof comparisonLines>[number]): string[] {
  const { tributary: t, kafkaStreams: k, kafkaStreamsCached: c } = line
  return [
    line.scenario, line.variant, line.guarantee,
    int(t.recordsPerSec.median), int(k.recordsPerSec.median), times(t.ratioToKafkaStreams),
    cpu(t), cpu(k), times(t.cpuRatioToKafkaStreams),
    `${ms(t.p50Ms)} / ${ms(t.p99Ms)}`, `${ms(k.p50Ms)} / ${ms(k.p99Ms)}`,
    String(t.peakRssMiB), String(k.peakRssMiB),
    c === undefined ? '' : int(c.recordsPerSec.median), cpu(c),
  ]
}

/** The Markdown section comparing Tributary with Kafka Streams, or nothing when Kafka Streams did not run. */
export function comparisonSection(rows: readonly ResultRow[]): string[] {
  const lines = comparisonLines(rows)
  if (lines.length === 0) return []
  return [
    '',
    '## Tributary and Kafka Streams',
    '',
    'The same scenario, records, broker, commit interval (100 ms) and guarantee; one stream thread; RocksDB stores; each application in its own process. Both run with the record cache off (statestore.cache.max.bytes=0, cacheMaxBytes: 0), so every update is compared; the "KS cached" columns are Kafka Streams at-least-once with its default 10 MiB cache, which forwards fewer intermediate updates. T / KS rec/s above 1: Tributary is faster; T / KS CPU below 1: Tributary uses less CPU per record.',
    '',
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map((_, c) => (c >= 3 ? '---:' : '---')).join(' | ')} |`,
    ...lines.map((line) => `| ${comparisonCells(line).join(' | ')} |`),
  ]
}
