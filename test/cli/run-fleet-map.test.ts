import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// The installed command, as a newcomer runs it: `npx tributary run fleet-map` (npm test builds dist first).
const bin = resolve(import.meta.dirname, '../../dist/src/cli/main.js')

function runTributary(args: string[], onStdout?: (stdout: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
    onStdout?.(stdout, child)
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => child.on('exit', (code) => done({ code, stdout, stderr })))
}

describe('tributary run fleet-map (child process, embedded broker, live city)', () => {
  it('runs for --duration 10, shows status and enriched locations, sums up and exits 0', async () => {
    const { code, stdout, stderr } = await runTributary(['run', 'fleet-map', '--duration', '10'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const lines = stdout.split('\n')
    expect(lines[0]).toMatch(/^Embedded Kafka broker on 127\.0\.0\.1:\d+ and schema registry on http:\/\/127\.0\.0\.1:\d+ \(data in .+, removed on exit\)\.$/)
    expect(stdout).toContain('Generating a city of 200 drivers and 1000 riders (seed 42) in real time.')
    expect(stdout).toContain('Running fleet-map (at_least_once): reads vehicle_locations, driver_profiles, rider_profiles; writes driver_rider_vehicle_location.')
    expect(stdout).toMatch(/^\[status\] \d\d:\d\d:\d\d RUNNING {2}in [\d,]+\/s {2}out [\d,]+\/s {2}lag [\d,]+ {2}state [\d.]+ (B|KB|MB) {2}generated [\d,]+$/m)
    // Samples are decoded enriched locations: a driver key, its H3 cell and a clock-time event time.
    const sample = lines.find((line) => line.startsWith('  driver_rider_vehicle_location  driver-'))
    expect(sample).toBeDefined()
    for (const field of [/ lat=37\.\d+ /, / lng=-122\.\d+ /, / ts=\d\d:\d\d:\d\d /, / cell=[0-9a-f]{15} /, / riderId=/]) expect(sample).toMatch(field)
    expect(stdout).toContain('Stopping (--duration 10 reached)...')
    const summary = stdout.slice(stdout.indexOf('Summary: '))
    expect(summary).toMatch(/^Summary: fleet-map ran for \d+\.\d s \(at_least_once\); stopped: --duration 10 reached\.$/m)
    const count = (pattern: RegExp) => Number(pattern.exec(summary)?.[1]?.replace(/,/g, '') ?? NaN)
    const pings = count(/vehicle_locations ([\d,]+)/)
    const produced = count(/driver_rider_vehicle_location ([\d,]+)/)
    // 200 drivers ping every second: about ten seconds of the city, each ping enriched once.
    expect(pings).toBeGreaterThanOrEqual(200 * 5)
    expect(produced).toBeGreaterThan(0)
    expect(produced).toBeLessThanOrEqual(pings)
    expect(count(/processed {2}([\d,]+) input records/)).toBeGreaterThanOrEqual(produced)
    expect(summary).toMatch(/state {6}.+fleet-map \(temporary, removed\)/)
  })

  it('stops gracefully on Ctrl-C (SIGINT) with a summary and exit code 0', async () => {
    let interrupted = false
    const { code, stdout, stderr } = await runTributary(['run', 'fleet-map'], (out, child) => {
      if (!interrupted && out.includes('[status]')) {
        interrupted = true
        child.kill('SIGINT')
      }
    })
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toContain('Press Ctrl-C to stop.')
    expect(stdout).toContain('Stopping (interrupted)...')
    expect(stdout).toMatch(/^Summary: fleet-map ran for \d+\.\d s \(at_least_once\); stopped: interrupted\.$/m)
  })

  it('names the bundled topologies when asked for an unknown one, exit code 2', async () => {
    const { code, stdout, stderr } = await runTributary(['run', 'fleet-mop'])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^tributary run: unknown topology "fleet-mop"\. Known topologies: fleet-map, .*\. Run "tributary list" to see what each does\.\n$/)
  })
})
