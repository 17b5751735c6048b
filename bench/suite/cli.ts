import { fileURLToPath } from 'node:url'
import { parseSuiteOptions, USAGE } from './options.js'
import { comparisonSection } from './report-comparison.js'
import { writeReportFiles } from './report-files.js'
import { terminalTable } from './report-table.js'
import { checkTargets } from './targets.js'
import { runSuite } from './suite.js'

/** bench/results of the repository, whether this runs from bench/suite or dist/bench/suite. */
function defaultOutDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url))
  const fromDist = /[\\/]dist[\\/]bench[\\/]suite[\\/]?$/.test(here)
  return fileURLToPath(new URL(fromDist ? '../../../bench/results/' : '../results/', import.meta.url))
}

/** Runs the suite for a command line, prints the table, writes the report files; returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    const options = parseSuiteOptions(argv)
    if (options === 'help') {
      console.log(USAGE)
      return 0
    }
    const report = await runSuite(options, (line) => console.log(line))
    console.log(`\n${terminalTable(report.rows)}`)
    for (const line of comparisonSection(report.rows)) console.log(line)
    for (const s of report.skipped) console.log(`not measured: ${s}`)
    for (const c of checkTargets(report.rows)) console.log(`target ${c.met ? 'met' : 'MISSED'}: ${c.target}: ${c.measured}`)
    const paths = await writeReportFiles(report, options.outDir ?? defaultOutDir())
    console.log(`\nwritten: ${paths.join(', ')}`)
    return 0
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    return 1
  }
}
