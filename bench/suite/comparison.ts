import type { ResultRow } from './results.js'

/**
 * The Kafka Streams row a Tributary kafka-mode row is compared with: the same scenario, variant
 * and guarantee, record cache off (both run without it here, so every update goes downstream
 * in both).
 */
export function kafkaStreamsCounterpart(rows: readonly ResultRow[], row: ResultRow): ResultRow | undefined {
  if (row.mode !== 'kafka') return undefined
  return rows.find((r) => r.mode === 'kafka-streams' && r.scenario === row.scenario && r.variant === row.variant && r.target === row.target)
}

/** Adds to each Tributary kafka-mode row its throughput and CPU ratios to Kafka Streams' row. */
export function withKafkaStreamsRatios(rows: readonly ResultRow[]): ResultRow[] {
  return rows.map((row) => {
    const ks = kafkaStreamsCounterpart(rows, row)
    if (ks === undefined) return row
    const cpu = row.cpuMsPer1k !== undefined && ks.cpuMsPer1k !== undefined && ks.cpuMsPer1k.median > 0 ? row.cpuMsPer1k.median / ks.cpuMsPer1k.median : undefined
    return {
      ...row,
      ratioToKafkaStreams: row.recordsPerSec.median / ks.recordsPerSec.median,
      ...(cpu === undefined ? {} : { cpuRatioToKafkaStreams: cpu }),
    }
  })
}

/** One line of the side-by-side table: a Tributary kafka-mode row and its Kafka Streams counterpart. */
export interface ComparisonLine {
  readonly scenario: string
  readonly variant: string
  readonly guarantee: string
  readonly tributary: ResultRow
  readonly kafkaStreams: ResultRow
  /** Kafka Streams with its default record cache (10 MiB), when that row ran. */
  readonly kafkaStreamsCached?: ResultRow
}

export function comparisonLines(rows: readonly ResultRow[]): ComparisonLine[] {
  const lines: ComparisonLine[] = []
  for (const row of rows) {
    const ks = kafkaStreamsCounterpart(rows, row)
    if (ks === undefined) continue
    const cached = row.target === 'at_least_once'
      ? rows.find((r) => r.mode === 'kafka-streams' && r.scenario === row.scenario && r.variant === row.variant && r.target === 'at_least_once_cached')
      : undefined
    lines.push({ scenario: row.scenario, variant: row.variant, guarantee: row.target, tributary: row, kafkaStreams: ks, ...(cached === undefined ? {} : { kafkaStreamsCached: cached }) })
  }
  return lines
}
