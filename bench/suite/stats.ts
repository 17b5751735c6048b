/** Summaries of repeated measurements: the median and how far the runs spread around it. */

export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  /** (max - min) / median, in percent: how noisy the runs were. */
  readonly spreadPct: number
  readonly runs: readonly number[]
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function summarize(runs: readonly number[]): Summary {
  const m = median(runs)
  const min = Math.min(...runs)
  const max = Math.max(...runs)
  return { median: m, min, max, spreadPct: m === 0 || !Number.isFinite(m) ? 0 : ((max - min) / m) * 100, runs: [...runs] }
}

/** The q-quantile (0..1) by nearest rank; `sorted` must be ascending. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank] as number
}

/** p50 and p99 of latencies in milliseconds (the array is sorted in place). */
export function latencyPercentiles(latencies: number[]): { p50: number; p99: number } {
  latencies.sort((a, b) => a - b)
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) }
}
