import { formatCount } from './status-line.js'

/** What `tributary run` reports when it stops. */
export interface RunSummary {
  readonly topology: string
  readonly durationMs: number
  readonly guarantee: string
  /** Why the run ended: "--duration reached", "interrupted"... */
  readonly stoppedBecause: string
  /** Records the generator sent, per topic; undefined when it did not run. */
  readonly generated: ReadonlyMap<string, number> | undefined
  /** Input records the topology processed, when the runtime reports it. */
  readonly processed: number | undefined
  /** Records written to each output topic during the run. */
  readonly produced: ReadonlyMap<string, number>
  readonly stateDir: string
  /** True when the state directory was temporary and has been removed. */
  readonly stateRemoved: boolean
}

function perTopic(counts: ReadonlyMap<string, number>): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0)
  const parts = [...counts].filter(([, n]) => n > 0).map(([topic, n]) => `${topic} ${formatCount(n)}`)
  return `${formatCount(total)} records${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`
}

export function formatSummary(summary: RunSummary): string {
  const lines = [
    `Summary: ${summary.topology} ran for ${(summary.durationMs / 1000).toFixed(1)} s (${summary.guarantee}); stopped: ${summary.stoppedBecause}.`,
    `  generated  ${summary.generated === undefined ? 'nothing (--no-generate)' : perTopic(summary.generated)}`,
  ]
  if (summary.processed !== undefined) lines.push(`  processed  ${formatCount(summary.processed)} input records`)
  lines.push(`  produced   ${perTopic(summary.produced)}`)
  lines.push(`  state      ${summary.stateDir}${summary.stateRemoved ? ' (temporary, removed)' : ''}`)
  return lines.join('\n')
}
