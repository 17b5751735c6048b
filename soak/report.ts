import type { FaultKind, SoakReport } from './run-soak.js'

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** The soak's result as a plain-text table: faults by kind with recovery times, then each output. */
export function formatReport(report: SoakReport): string {
  const lines = [`Soak, ${report.processingGuarantee}, ${seconds(report.durationMs)}: ${report.passed ? 'PASSED' : 'FAILED'}`, '']
  lines.push('| fault | injected | recovered | recovery (min / median / max) |', '| --- | ---: | ---: | --- |')
  const kinds = [...new Set(report.faults.map((f) => f.kind))] as FaultKind[]
  for (const kind of kinds) {
    const of = report.faults.filter((f) => f.kind === kind)
    const times = of.flatMap((f) => (f.recoveredAfterMs === undefined ? [] : [f.recoveredAfterMs])).sort((a, b) => a - b)
    const spread = times.length === 0 ? '-' : `${seconds(times[0] as number)} / ${seconds(times[Math.floor(times.length / 2)] as number)} / ${seconds(times.at(-1) as number)}`
    lines.push(`| ${kind} | ${of.length} | ${times.length} | ${spread} |`)
  }
  lines.push('', `Input: ${report.input.requests} ride requests, ${report.input.offers} offers (the feeder repeated ${report.feederRetries} sends after faults).`, '')
  lines.push('| output | expected | records | lost | duplicated |', '| --- | ---: | ---: | ---: | ---: |')
  for (const v of report.verdicts) lines.push(`| ${v.output} | ${v.expected} | ${v.seen} | ${v.lost} | ${v.duplicated} |`)
  lines.push('', `Dropped as late: ${report.droppedLate}. Unexpected instance exits: ${report.unexpectedExits.length}.`)
  for (const exit of report.unexpectedExits) lines.push(`  ${exit}`)
  for (const problem of report.problems) lines.push(`Problem: ${problem}`)
  return lines.join('\n')
}
