import type { ResultRow } from './results.js'

/** One of the performance targets, checked against a run's rows. */
export interface TargetCheck {
  readonly target: string
  readonly measured: string
  readonly met: boolean
}

const pct = (n: number): string => `${(n * 100).toFixed(0)}%`

/**
 * The published targets, measured rather than asserted: the stream-stream join at 60k records/s
 * in kafka mode with at-least-once; driver mode on RocksDB at 40% of the compute limit; kafka
 * mode at 60% of the raw pipe. Rows that did not run are left out.
 */
export function checkTargets(rows: readonly ResultRow[]): TargetCheck[] {
  const checks: TargetCheck[] = []
  for (const row of rows) {
    const name = `${row.scenario}/${row.variant}`
    if (row.mode !== 'kafka' && row.mode !== 'driver') continue
    if (row.scenario === 'ride-join' && row.target === 'at_least_once') {
      const rate = row.recordsPerSec.median
      checks.push({ target: `${name} kafka at_least_once >= 60,000 records/s`, measured: `${Math.round(rate).toLocaleString('en-US')} records/s`, met: rate >= 60_000 })
    }
    if (row.target === 'rocksdb' && row.ratioToComputeLimit !== undefined) {
      checks.push({ target: `${name} driver rocksdb >= 40% of the compute limit`, measured: pct(row.ratioToComputeLimit), met: row.ratioToComputeLimit >= 0.4 })
    }
    if (row.target === 'at_least_once' && row.ratioToIoLimit !== undefined) {
      checks.push({ target: `${name} kafka at_least_once >= 60% of the raw pipe`, measured: pct(row.ratioToIoLimit), met: row.ratioToIoLimit >= 0.6 })
    }
  }
  return checks
}
