import type { Mode, ResultRow, RunResult, Target } from './results.js'
import { cpuMsPerThousand } from './process-usage.js'
import { latencyPercentiles, summarize } from './stats.js'

export interface RunPlan {
  readonly warmups: number
  readonly repeats: number
  /** Called with one line per finished run, for the terminal. */
  readonly log: (line: string) => void
}

export interface Measured {
  readonly scenario: string
  readonly variant: string
  readonly mode: Mode
  readonly target: Target
  /** One complete, independent run: fresh stores, topics or maps each time. */
  run(): Promise<RunResult>
}

/**
 * Runs a configuration `warmups` times without keeping the numbers (JIT, page cache, broker
 * segments), then `repeats` times, and summarizes: the median and the spread of each figure.
 */
export async function measure(target: Measured, plan: RunPlan): Promise<ResultRow> {
  const label = `${target.scenario}/${target.variant} ${target.mode}:${target.target}`
  const cpuNote = (run: RunResult): string => (run.cpuMs === undefined ? '' : `, ${cpuMsPerThousand(run.cpuMs, run.records).toFixed(0)} CPU-ms/1k`)
  for (let i = 0; i < plan.warmups; i++) {
    const warm = await target.run()
    plan.log(`  ${label} warm-up ${i + 1}: ${rate(warm)} records/s`)
  }
  const runs: RunResult[] = []
  // A run that fails is reported on its row, and the row keeps the runs that completed: one
  // failure (e.g. an error of the application against Apache Kafka) does not lose the whole report.
  const failures: string[] = []
  for (let i = 0; i < plan.repeats; i++) {
    try {
      const result = await target.run()
      runs.push(result)
      plan.log(`  ${label} run ${i + 1}/${plan.repeats}: ${rate(result)} records/s, ${result.outputs} results${cpuNote(result)}`)
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
      failures.push(`run ${i + 1} of ${plan.repeats} failed: ${message}`)
      plan.log(`  ${label} run ${i + 1}/${plan.repeats} FAILED: ${message}`)
    }
  }
  if (runs.length === 0) throw new Error(`${label}: ${failures.join('; ')}`)
  const p50: number[] = []
  const p99: number[] = []
  for (const run of runs) {
    if (run.latenciesMs === undefined || run.latenciesMs.length === 0) continue
    const { p50: a, p99: b } = latencyPercentiles([...run.latenciesMs])
    p50.push(a)
    p99.push(b)
  }
  const restores = runs.flatMap((r) => (r.restoreRecordsPerSec === undefined ? [] : [r.restoreRecordsPerSec]))
  const disk = runs.flatMap((r) => (r.rocksdbBytes === undefined ? [] : [r.rocksdbBytes]))
  const cpu = runs.flatMap((r) => (r.cpuMs === undefined ? [] : [cpuMsPerThousand(r.cpuMs, r.records)]))
  const last = runs[runs.length - 1] as RunResult
  return {
    scenario: target.scenario,
    variant: target.variant,
    mode: target.mode,
    target: target.target,
    recordsPerRun: last.records,
    recordsPerSec: summarize(runs.map((r) => r.records / r.seconds)),
    outputs: last.outputs,
    ...(runs.length > 1 ? { outputsByRun: runs.map((r) => r.outputs) } : {}),
    ...(runs.every((r) => r.resultTotal !== undefined) ? { resultTotalByRun: runs.map((r) => r.resultTotal as number) } : {}),
    ...(p50.length > 0 ? { p50Ms: summarize(p50), p99Ms: summarize(p99) } : {}),
    ...(restores.length > 0 ? { restoreRecordsPerSec: summarize(restores) } : {}),
    peakRssMiB: Math.round(Math.max(...runs.map((r) => r.peakRssBytes)) / 1_048_576),
    ...(cpu.length > 0 ? { cpuMsPer1k: summarize(cpu) } : {}),
    ...(disk.length > 0 ? { rocksdbBytes: Math.max(...disk) } : {}),
    ...(failures.length > 0 ? { notes: failures } : {}),
  }
}

/** Adds each row's ratios to the baselines of its scenario (and variant, for the compute limit). */
export function withRatios(rows: readonly ResultRow[]): ResultRow[] {
  // The I/O limit does not depend on the variant: one raw pipe per scenario serves all of them.
  const baseline = (row: ResultRow, target: Target): number | undefined =>
    rows.find((r) => r.scenario === row.scenario && (target === 'io-limit' || r.variant === row.variant) && r.target === target)?.recordsPerSec.median
  return rows.map((row) => {
    if (row.mode === 'baseline') return row
    const compute = baseline(row, 'compute-limit')
    const io = row.mode === 'kafka' || row.mode === 'kafka-streams' || row.mode === 'peer' ? baseline(row, 'io-limit') : undefined
    return {
      ...row,
      ...(compute === undefined ? {} : { ratioToComputeLimit: row.recordsPerSec.median / compute }),
      ...(io === undefined ? {} : { ratioToIoLimit: row.recordsPerSec.median / io }),
    }
  })
}

function rate(run: RunResult): string {
  return Math.round(run.records / run.seconds).toLocaleString('en-US')
}

/**
 * Notes every Tributary or Kafka Streams row whose result count differs from its compute limit's,
 * in any of its runs: the two are meant to do the same work, so a difference is either a bug or a
 * semantic difference (e.g. a window that stream time never closed in one of them) the report
 * should not hide.
 */
export function withOutputCheck(rows: readonly ResultRow[]): ResultRow[] {
  return rows.map((row) => {
    if (row.mode === 'baseline') return row
    const compute = rows.find((r) => r.scenario === row.scenario && r.variant === row.variant && r.target === 'compute-limit')
    if (compute === undefined) return row
    const int = (n: number): string => n.toLocaleString('en-US')
    const notes: string[] = []
    const counts = row.outputsByRun ?? [row.outputs]
    if (!counts.every((n) => n === compute.outputs)) {
      const emitted = new Set(counts).size === 1 ? `${int(row.outputs)} results` : `${counts.map(int).join(', ')} results in its ${counts.length} runs`
      notes.push(`${emitted} where the compute limit emits ${int(compute.outputs)}`)
    }
    // Final values (latest-per-key variants): the same keys can still hold other values.
    const expected = compute.resultTotalByRun?.[0]
    const totals = row.resultTotalByRun
    if (expected !== undefined && totals !== undefined && !totals.every((t) => t === expected)) {
      notes.push(`final values sum to ${totals.map(int).join(', ')} where the compute limit's sum to ${int(expected)}`)
    }
    return notes.length === 0 ? row : { ...row, notes: [...(row.notes ?? []), ...notes] }
  })
}
