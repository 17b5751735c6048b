import type { ResultRow, SuiteReport } from './results.js'
import type { Summary } from './stats.js'
import { checkTargets } from './targets.js'
import { comparisonSection } from './report-comparison.js'

const COLUMNS = ['scenario', 'variant', 'mode', 'target', 'records/s', 'spread', 'p50 ms', 'p99 ms', 'CPU ms/1k', 'restore rec/s', 'peak RSS MiB', 'RocksDB MiB', 'x compute', 'x I/O', 'x KS'] as const

const int = (n: number): string => Math.round(n).toLocaleString('en-US')
const ratio = (n: number | undefined): string => (n === undefined ? '' : `${(n * 100).toFixed(0)}%`)
const ms = (s: Summary | undefined): string => (s === undefined ? '' : s.median < 10 ? s.median.toFixed(1) : int(s.median))

/** The cells of one row, in the order of COLUMNS. */
function cells(row: ResultRow): string[] {
  return [
    row.scenario,
    row.variant,
    row.mode,
    row.target,
    int(row.recordsPerSec.median),
    `±${(row.recordsPerSec.spreadPct / 2).toFixed(0)}%`,
    ms(row.p50Ms),
    ms(row.p99Ms),
    row.cpuMsPer1k === undefined ? '' : row.cpuMsPer1k.median.toFixed(0),
    row.restoreRecordsPerSec === undefined ? '' : int(row.restoreRecordsPerSec.median),
    String(row.peakRssMiB),
    row.rocksdbBytes === undefined ? '' : (row.rocksdbBytes / 1_048_576).toFixed(1),
    ratio(row.ratioToComputeLimit),
    ratio(row.ratioToIoLimit),
    ratio(row.ratioToKafkaStreams),
  ]
}

/** The rows as an aligned plain-text table for the terminal. */
export function terminalTable(rows: readonly ResultRow[]): string {
  const table = [[...COLUMNS], ...rows.map(cells)]
  const widths = COLUMNS.map((_, c) => Math.max(...table.map((r) => (r[c] as string).length)))
  const numeric = (c: number): boolean => c >= 4
  return table
    .map((r) => r.map((cell, c) => (numeric(c) ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number))).join('  '))
    .join('\n')
}

/** The report as Markdown: the machine, the options, the table, notes and what was skipped. */
export function markdownReport(report: SuiteReport): string {
  const { machine, options } = report
  const lines = [
    '# Tributary benchmark results',
    '',
    `Run ${report.startedAt} to ${report.finishedAt} on ${machine.cores} × ${machine.cpus}, ${machine.memoryGiB} GiB RAM, ${machine.platform}, Node ${machine.node} (load average at start ${machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}).`,
    '',
    `Kafka mode's broker: ${options.cluster ?? 'embedded'}.`,
    '',
    ...(options.peers === undefined ? [] : [`Peers (--peers): ${options.peers.length > 0 ? options.peers.join(', ') : 'none installed'}.`, '']),
    `Options: ${options.quick ? 'quick, ' : ''}${options.records.toLocaleString('en-US')} input records per run, ${options.warmups} warm-up and ${options.repeats} measured runs per row (kafka mode: ${options.kafkaWarmups} and ${options.kafkaRepeats}; median shown, spread = ±half the min-max range), seed ${options.seed}; scenarios ${options.scenarios.join(', ')}; modes ${options.modes.join(', ')}.`,
    '',
    `| ${COLUMNS.join(' | ')} |`,
    `| ${COLUMNS.map((_, c) => (c >= 4 ? '---:' : '---')).join(' | ')} |`,
    ...report.rows.map((row) => `| ${cells(row).join(' | ')} |`),
    '',
    'x compute = Tributary records/s over the hand-written compute limit of the same scenario; x I/O = over the raw consume -> produce pipe through the same broker and client; x KS = Tributary records/s over Kafka Streams\' (same scenario, variant and guarantee, record cache off). CPU ms/1k = CPU time (user + system) of the measured program\'s own process per 1,000 input records of the bulk phase: Tributary\'s application, Kafka Streams\' JVM, the raw pipe (io-limit), an npm peer (mode peer); the broker, the load generator and the result reader are not counted; peak RSS in kafka mode, for the raw pipe, Kafka Streams and the peers = that process\'s VmHWM. Peer rows (--peers) are npm stream-processing libraries running the same workload against the same broker and records; a note says when their results differ from the compute limit\'s.',
    ...comparisonSection(report.rows),
  ]
  const checks = checkTargets(report.rows)
  if (checks.length > 0) {
    lines.push('', '## Targets', '', '| target | measured | met |', '| --- | ---: | --- |', ...checks.map((c) => `| ${c.target} | ${c.measured} | ${c.met ? 'yes' : 'no'} |`))
  }
  const notes = report.rows.flatMap((row) => (row.notes ?? []).map((n) => `- ${row.scenario}/${row.variant} ${row.mode}:${row.target}: ${n}`))
  if (notes.length > 0) lines.push('', '## Notes', '', ...notes)
  if (report.skipped.length > 0) lines.push('', '## Not measured', '', ...report.skipped.map((s) => `- ${s}`))
  return `${lines.join('\n')}\n`
}
