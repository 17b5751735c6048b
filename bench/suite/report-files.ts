import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { barChartSvg } from './report-chart.js'
import { markdownReport } from './report-table.js'
import type { SuiteReport } from './results.js'

/** Writes `latest.json`, `latest.md` and `latest.svg` into `dir`; returns their paths. */
export async function writeReportFiles(report: SuiteReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  const files: Array<[string, string]> = [
    ['latest.json', `${JSON.stringify(report, null, 2)}\n`],
    ['latest.md', markdownReport(report)],
    ['latest.svg', barChartSvg(report.rows, `Tributary windowed joins and aggregations, ${report.machine.cores} cores, Node ${report.machine.node}`)],
  ]
  const paths: string[] = []
  for (const [name, text] of files) {
    const path = join(dir, name)
    await writeFile(path, text)
    paths.push(path)
  }
  return paths
}
