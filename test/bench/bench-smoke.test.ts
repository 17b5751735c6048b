import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SuiteReport } from '../../bench/suite/results.js'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')
const main = join(root, 'dist', 'bench', 'suite', 'main.js')

/** Newest modification time of the suite's sources, to tell whether dist/ is stale. */
function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** Runs the built suite as `npm run bench` does and returns its report directory's files. */
async function bench(args: readonly string[], outDir: string): Promise<{ report: SuiteReport; md: string; svg: string; stdout: string }> {
  const { stdout } = await run(process.execPath, [main, ...args, '--out', outDir], { cwd: root, maxBuffer: 16 << 20 })
  return {
    report: JSON.parse(readFileSync(join(outDir, 'latest.json'), 'utf8')) as SuiteReport,
    md: readFileSync(join(outDir, 'latest.md'), 'utf8'),
    svg: readFileSync(join(outDir, 'latest.svg'), 'utf8'),
    stdout,
  }
}

describe('npm run bench (smoke: report files, not timings)', () => {
  const outDirs: string[] = []
  const outDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-smoke-'))
    outDirs.push(dir)
    return dir
  }

  beforeAll(async () => {
    if (!existsSync(main) || statSync(main).mtimeMs < newestSource(join(root, 'bench', 'suite'))) {
      // tsc emits even when a folder elsewhere has type errors; what matters here is the suite's output.
      await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root }).catch(() => undefined)
      await run(process.execPath, [join(root, 'scripts', 'copy-assets.mjs')], { cwd: root }).catch(() => undefined)
    }
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first.`)
  }, 240_000)

  afterAll(() => {
    for (const dir of outDirs) rmSync(dir, { recursive: true, force: true })
  })

  it('writes well-formed JSON, Markdown and SVG reports of the driver mode with its compute-limit baseline', async () => {
    const { report, md, svg, stdout } = await bench(['--quick', '--scenario', 'ride-join', '--records', '2000', '--mode', 'driver'], outDir())
    expect(report.options).toMatchObject({ quick: true, records: 2000, scenarios: ['ride-join'], modes: ['driver'] })
    expect(report.machine.cores).toBeGreaterThan(0)
    const rows = report.rows.map((r) => `${r.variant} ${r.mode}:${r.target}`)
    expect(rows).toEqual([
      'inner baseline:compute-limit', 'inner driver:memory', 'inner driver:rocksdb',
      'left baseline:compute-limit', 'left driver:memory', 'left driver:rocksdb',
    ])
    for (const row of report.rows) {
      expect(row.recordsPerSec.runs).toHaveLength(report.options.repeats)
      expect(row.recordsPerSec.median).toBeGreaterThan(0)
      expect(row.peakRssMiB).toBeGreaterThan(0)
      if (row.mode === 'driver') expect(row.ratioToComputeLimit).toBeGreaterThan(0)
    }
    // Tributary and the hand-written join agree on what they emit: the baseline does the same work.
    for (const variant of ['inner', 'left']) {
      const outputs = new Set(report.rows.filter((r) => r.variant === variant).map((r) => r.outputs))
      expect(outputs.size).toBe(1)
      expect([...outputs][0]).toBeGreaterThan(0)
    }
    expect(report.rows.find((r) => r.target === 'rocksdb')?.rocksdbBytes).toBeGreaterThan(0)
    expect(md).toContain('| scenario | variant | mode | target | records/s |')
    expect(md.split('\n').filter((l) => l.startsWith('| ride-join |'))).toHaveLength(6)
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.trim().endsWith('</svg>')).toBe(true)
    expect(svg.match(/<rect x="\d+/g)).toHaveLength(6)
    expect(stdout).toContain('records/s')
  }, 120_000)

  it('runs kafka mode through the embedded broker: the raw pipe, at-least-once and exactly-once, with latencies and state on disk', async () => {
    // One run of two scenarios (one process): ride-join, and fleet-map with its global table.
    const { report, md } = await bench(['--quick', '--scenario', 'ride-join,fleet-map', '--variant', 'inner,enrich', '--records', '1500', '--mode', 'kafka', '--warmups', '0', '--repeats', '1'], outDir())
    expect(report.rows.map((r) => `${r.scenario}/${r.variant} ${r.mode}:${r.target}`)).toEqual([
      'ride-join/all baseline:io-limit', 'ride-join/inner baseline:compute-limit', 'ride-join/inner kafka:at_least_once', 'ride-join/inner kafka:exactly_once_v2',
      'fleet-map/all baseline:io-limit', 'fleet-map/enrich baseline:compute-limit', 'fleet-map/enrich kafka:at_least_once', 'fleet-map/enrich kafka:exactly_once_v2',
    ])
    expect(report.skipped).toEqual([])
    expect(md).not.toContain('## Not measured')
    for (const scenario of ['ride-join', 'fleet-map']) {
      const [pipe, compute, alos, eos] = report.rows.filter((r) => r.scenario === scenario)
      // The pipe copies every event, the throughput part and the latency tail.
      expect(pipe?.outputs).toBeGreaterThan(pipe?.recordsPerRun ?? Number.POSITIVE_INFINITY)
      expect(pipe?.p50Ms?.median).toBeGreaterThan(0)
      // The pipe runs in a process of its own: its CPU is measured as Tributary's is.
      expect(pipe?.cpuMsPer1k?.median).toBeGreaterThan(0)
      for (const row of [alos, eos]) {
        expect(row?.recordsPerRun).toBe(pipe?.recordsPerRun)
        // Every input's results, no more and no fewer than the hand-written version's.
        expect(row?.outputs).toBe(compute?.outputs)
        expect(row?.notes).toBeUndefined()
        expect(row?.p50Ms?.median).toBeGreaterThan(0)
        expect(row?.p99Ms?.median).toBeGreaterThanOrEqual(row?.p50Ms?.median ?? Number.POSITIVE_INFINITY)
        // Restoration is shown only when it lasts long enough to time; with 1 500 records it may not.
        if (row?.restoreRecordsPerSec !== undefined) expect(row.restoreRecordsPerSec.median).toBeGreaterThan(0)
        expect(row?.rocksdbBytes).toBeGreaterThan(0)
        expect(row?.ratioToIoLimit).toBeGreaterThan(0)
      }
    }
    // fleet-map's rider profiles (its global table) are read while the instance starts, before the
    // timed phases: the bulk is 90% of the events, less than 90% of all the inputs.
    const [fleetPipe, fleetCompute] = report.rows.filter((r) => r.scenario === 'fleet-map')
    expect(fleetPipe?.recordsPerRun).toBeLessThan((fleetCompute?.recordsPerRun ?? 0) * 0.9)
  }, 240_000)

  it('fails with the usage on an unknown option', async () => {
    await expect(run(process.execPath, [main, '--bogus'], { cwd: root })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('Unknown option "--bogus"') })
  })
})
