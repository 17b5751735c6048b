import { describe, expect, it } from 'vitest'
import { parseSuiteOptions } from '../../bench/suite/options.js'
import { barChartSvg, niceCeiling } from '../../bench/suite/report-chart.js'
import { markdownReport, terminalTable } from '../../bench/suite/report-table.js'
import type { ResultRow, SuiteReport } from '../../bench/suite/results.js'
import { withOutputCheck, withRatios } from '../../bench/suite/runner.js'
import { checkTargets } from '../../bench/suite/targets.js'
import { latencyPercentiles, median, summarize } from '../../bench/suite/stats.js'
import { inBlocks, type InputRecord } from '../../bench/suite/scenarios/scenario.js'
import { ConfigError } from '../../src/core/errors.js'

const row = (target: ResultRow['target'], mode: ResultRow['mode'], rate: number, variant = 'inner'): ResultRow => ({
  scenario: 'ride-join',
  variant,
  mode,
  target,
  recordsPerRun: 1000,
  recordsPerSec: summarize([rate * 0.9, rate, rate * 1.1]),
  outputs: 10,
  peakRssMiB: 100,
})

describe('bench statistics', () => {
  it('takes the median of odd and even counts and the spread relative to it', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(summarize([90, 100, 110])).toMatchObject({ median: 100, min: 90, max: 110, spreadPct: 20 })
  })

  it('reads p50 and p99 by nearest rank', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => 100 - i)
    expect(latencyPercentiles(latencies)).toEqual({ p50: 50, p99: 99 })
  })
})

describe('bench report', () => {
  it('divides each Tributary row by its compute limit and, in kafka mode, by the scenario\'s raw pipe', () => {
    const rows = withRatios([
      row('io-limit', 'baseline', 40_000, 'all'),
      row('compute-limit', 'baseline', 100_000),
      row('rocksdb', 'driver', 50_000),
      row('at_least_once', 'kafka', 30_000),
      row('compute-limit', 'baseline', 80_000, 'left'),
      row('memory', 'driver', 40_000, 'left'),
    ])
    expect(rows[2]?.ratioToComputeLimit).toBeCloseTo(0.5)
    expect(rows[2]?.ratioToIoLimit).toBeUndefined()
    expect(rows[3]?.ratioToIoLimit).toBeCloseTo(0.75)
    expect(rows[5]?.ratioToComputeLimit).toBeCloseTo(0.5)
    expect(rows[0]?.ratioToComputeLimit).toBeUndefined()
  })

  it('notes the Tributary rows whose result count differs from the compute limit of their variant', () => {
    const counted = (r: ResultRow, outputs: number): ResultRow => ({ ...r, outputs })
    const rows = withOutputCheck([
      counted(row('compute-limit', 'baseline', 100_000), 166),
      counted(row('memory', 'driver', 60_000), 166),
      counted(row('at_least_once', 'kafka', 5_000), 95),
      counted(row('io-limit', 'baseline', 10_000, 'all'), 5_000),
    ])
    expect(rows.map((r) => r.notes)).toEqual([undefined, undefined, ['95 results where the compute limit emits 166'], undefined])
  })

  it('checks the result count of every run, not only the last one\'s', () => {
    const counted = (r: ResultRow, outputsByRun: number[]): ResultRow => ({ ...r, outputs: outputsByRun[outputsByRun.length - 1] as number, outputsByRun })
    const rows = withOutputCheck([
      { ...row('compute-limit', 'baseline', 100_000), outputs: 186 },
      counted(row('at_least_once', 'kafka', 5_000), [186, 186]),
      counted(row('exactly_once_v2', 'kafka', 5_000), [1_180, 186]),
      counted(row('memory', 'driver', 60_000), [185, 185, 185]),
    ])
    expect(rows.map((r) => r.notes)).toEqual([
      undefined,
      undefined,
      ['1,180, 186 results in its 2 runs where the compute limit emits 186'],
      ['185 results where the compute limit emits 186'],
    ])
  })

  it('renders aligned table rows, a Markdown table with every row, and an SVG bar per row', () => {
    const rows = withRatios([row('compute-limit', 'baseline', 100_000), row('memory', 'driver', 60_000)])
    const table = terminalTable(rows).split('\n')
    expect(table).toHaveLength(3)
    expect(new Set(table.map((l) => l.length)).size).toBe(1)
    expect(table[2]).toContain('60,000')
    expect(table[2]).toContain('60%')
    const report: SuiteReport = {
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:01:00.000Z',
      machine: { node: 'v20', platform: 'linux x64', cpus: 'CPU', cores: 2, memoryGiB: 8, loadAverage: [1, 1, 1] },
      options: { quick: true, records: 1000, warmups: 1, repeats: 3, kafkaWarmups: 0, kafkaRepeats: 1, seed: 42, scenarios: ['ride-join'], variants: [], modes: ['driver'] },
      rows,
      skipped: ['fleet-map: no variant named inner (its variants: enrich)'],
    }
    const md = markdownReport(report)
    expect(md.split('\n').filter((l) => l.startsWith('| ride-join |'))).toHaveLength(2)
    expect(md).toContain('## Not measured')
    const svg = barChartSvg(rows, 'a <title> & more')
    expect(svg).toContain('a &lt;title&gt; &amp; more')
    expect(svg.match(/<rect x="\d+/g)).toHaveLength(2)
    // The faster row's bar is the longer one.
    const widths = [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)"/g)].map((m) => Number(m[1]))
    expect(widths[0]).toBeGreaterThan(widths[1] as number)
  })

  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect(niceCeiling(7_300)).toBe(10_000)
    expect(niceCeiling(130_000)).toBe(200_000)
    expect(niceCeiling(41)).toBe(50)
    expect(niceCeiling(1_000)).toBe(1_000)
  })
})

describe('bench options', () => {
  it('has quick and full defaults, and takes repeated or comma-separated scenarios', () => {
    const quick = parseSuiteOptions(['--quick', '--scenario', 'ride-join,fleet-map', '--scenario=surge-pricing'])
    expect(quick).toMatchObject({ quick: true, records: 8_000, repeats: 2, kafkaRepeats: 1, kafkaWarmups: 0, scenarios: ['ride-join', 'fleet-map', 'surge-pricing'] })
    expect(parseSuiteOptions(['--records', '2000', '--mode', 'kafka', '--repeats', '1'])).toMatchObject({ records: 2000, modes: ['kafka'], repeats: 1, kafkaRepeats: 1 })
    expect(parseSuiteOptions(['--help'])).toBe('help')
  })

  it('rejects unknown options and bad values with the usage', () => {
    expect(() => parseSuiteOptions(['--fast'])).toThrow(ConfigError)
    expect(() => parseSuiteOptions(['--records', 'many'])).toThrow(/--records needs an integer/)
    expect(() => parseSuiteOptions(['--mode', 'cluster'])).toThrow(/--mode takes driver, kafka/)
  })
})

describe('bench scenario input order', () => {
  it('pipes each block topic by topic, keeping every record once', () => {
    const rec = (topic: string, timestamp: number): InputRecord => ({ topic, key: Buffer.from('k'), value: null, timestamp })
    const ordered = inBlocks([rec('a', 1), rec('b', 2), rec('a', 3), rec('b', 4), rec('a', 5)], ['a', 'b'], 4)
    expect(ordered.map((r) => `${r.topic}${r.timestamp}`)).toEqual(['a1', 'a3', 'b2', 'b4', 'a5'])
  })
})

describe('bench targets', () => {
  it('checks the join rate, the RocksDB share of the compute limit and the share of the raw pipe', () => {
    const checks = checkTargets(withRatios([
      row('io-limit', 'baseline', 10_000, 'all'),
      row('compute-limit', 'baseline', 100_000),
      row('rocksdb', 'driver', 45_000),
      row('at_least_once', 'kafka', 5_000),
    ]))
    expect(checks.map((c) => [c.met, c.measured])).toEqual([
      [true, '45%'],
      [false, '5,000 records/s'],
      [false, '50%'],
    ])
  })
})
