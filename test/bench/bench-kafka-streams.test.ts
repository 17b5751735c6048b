import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { interopDirectory, randomClusterId } from '../../bench/interop/real-kafka.js'
import { comparisonLines, withKafkaStreamsRatios } from '../../bench/suite/comparison.js'
import { kafkaStreamsSettings, kafkaStreamsTargetName } from '../../bench/suite/kafka-streams-mode.js'
import { parseSuiteOptions } from '../../bench/suite/options.js'
import { cpuMsPerThousand, cpuTicksOfStat, peakRssOfStatus } from '../../bench/suite/process-usage.js'
import { comparisonCells, comparisonSection } from '../../bench/suite/report-comparison.js'
import { markdownReport, terminalTable } from '../../bench/suite/report-table.js'
import type { ResultRow, SuiteReport } from '../../bench/suite/results.js'
import { summarize } from '../../bench/suite/stats.js'
import { measure } from '../../bench/suite/runner.js'
import { checkTargets } from '../../bench/suite/targets.js'
import { SCENARIOS } from '../../bench/suite/scenarios/index.js'
import { ConfigError } from '../../src/core/errors.js'

const row = (mode: ResultRow['mode'], target: ResultRow['target'], rate: number, cpuMs?: number, variant = 'inner'): ResultRow => ({
  scenario: 'ride-join',
  variant,
  mode,
  target,
  recordsPerRun: 1000,
  recordsPerSec: summarize([rate]),
  outputs: 10,
  peakRssMiB: 100,
  ...(cpuMs === undefined ? {} : { cpuMsPer1k: summarize([cpuMs]) }),
  p50Ms: summarize([12]),
  p99Ms: summarize([40]),
})

describe('bench --cluster', () => {
  it('defaults to the embedded broker and takes kafka for Apache Kafka', () => {
    expect(parseSuiteOptions([])).toMatchObject({ cluster: 'embedded' })
    expect(parseSuiteOptions(['--cluster', 'kafka'])).toMatchObject({ cluster: 'kafka' })
    expect(parseSuiteOptions(['--cluster=embedded', '--mode', 'kafka'])).toMatchObject({ cluster: 'embedded', modes: ['kafka'] })
  })

  it('rejects any other broker with the usage', () => {
    expect(() => parseSuiteOptions(['--cluster', 'confluent'])).toThrow(ConfigError)
    expect(() => parseSuiteOptions(['--cluster'])).toThrow(/--cluster takes embedded or kafka/)
  })
})

describe('bench Tributary / Kafka Streams ratios', () => {
  it('divides each Tributary kafka row by the Kafka Streams row of the same variant and guarantee, record cache off', () => {
    const rows = withKafkaStreamsRatios([
      row('kafka', 'at_least_once', 30_000, 60),
      row('kafka', 'exactly_once_v2', 10_000, 90),
      row('kafka-streams', 'at_least_once', 20_000, 40),
      row('kafka-streams', 'exactly_once_v2', 20_000, 45),
      row('kafka-streams', 'at_least_once_cached', 60_000, 10),
      row('kafka', 'at_least_once', 5_000, 50, 'left'),
    ])
    expect(rows[0]?.ratioToKafkaStreams).toBeCloseTo(1.5)
    expect(rows[0]?.cpuRatioToKafkaStreams).toBeCloseTo(1.5)
    expect(rows[1]?.ratioToKafkaStreams).toBeCloseTo(0.5)
    expect(rows[1]?.cpuRatioToKafkaStreams).toBeCloseTo(2)
    // Kafka Streams' own rows, and a variant it did not run, get no ratio.
    expect(rows.slice(2).map((r) => r.ratioToKafkaStreams)).toEqual([undefined, undefined, undefined, undefined])
  })

  it('leaves the CPU ratio out when a row has no CPU figure', () => {
    const rows = withKafkaStreamsRatios([row('kafka', 'at_least_once', 30_000), row('kafka-streams', 'at_least_once', 20_000, 40)])
    expect(rows[0]?.ratioToKafkaStreams).toBeCloseTo(1.5)
    expect(rows[0]?.cpuRatioToKafkaStreams).toBeUndefined()
  })

  it('pairs lines per guarantee, with the cached Kafka Streams row beside at-least-once only', () => {
    const rows = withKafkaStreamsRatios([
      row('kafka', 'at_least_once', 30_000, 60),
      row('kafka', 'exactly_once_v2', 10_000, 90),
      row('kafka-streams', 'at_least_once', 20_000, 40),
      row('kafka-streams', 'exactly_once_v2', 20_000, 45),
      row('kafka-streams', 'at_least_once_cached', 60_000, 10),
    ])
    const lines = comparisonLines(rows)
    expect(lines.map((l) => [l.guarantee, l.kafkaStreamsCached?.target])).toEqual([['at_least_once', 'at_least_once_cached'], ['exactly_once_v2', undefined]])
    expect(comparisonCells(lines[0]!)).toEqual(['ride-join', 'inner', 'at_least_once', '30,000', '20,000', '1.50×', '60', '40', '1.50×', '12 / 40', '12 / 40', '100', '100', '60,000', '10'])
    expect(comparisonCells(lines[1]!).slice(-2)).toEqual(['', ''])
  })
})

describe('bench report with Kafka Streams rows', () => {
  const rows = withKafkaStreamsRatios([row('kafka', 'at_least_once', 30_000, 60), row('kafka-streams', 'at_least_once', 20_000, 40)])
  const report: SuiteReport = {
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    machine: { node: 'v20', platform: 'linux x64', cpus: 'CPU', cores: 2, memoryGiB: 8, loadAverage: [1, 1, 1] },
    options: { quick: true, records: 1000, warmups: 1, repeats: 3, kafkaWarmups: 0, kafkaRepeats: 1, seed: 42, scenarios: ['ride-join'], variants: [], modes: ['kafka'], cluster: 'Apache Kafka 3.9.2 (single-node KRaft)' },
    rows,
    skipped: [],
  }

  it('shows the CPU column and the ratio in the table, and a side-by-side section in Markdown', () => {
    const table = terminalTable(rows).split('\n')
    expect(table[0]).toContain('CPU ms/1k')
    expect(table[1]).toContain('150%')
    const md = markdownReport(report)
    expect(md).toContain('## Tributary and Kafka Streams')
    expect(md).toContain('statestore.cache.max.bytes=0')
    expect(md).toContain('Apache Kafka 3.9.2')
    expect(md.split('\n').filter((l) => l.startsWith('| ride-join | inner | at_least_once | 30,000 | 20,000 | 1.50×'))).toHaveLength(1)
  })

  it('has no side-by-side section without Kafka Streams rows', () => {
    expect(comparisonSection([row('kafka', 'at_least_once', 30_000, 60)])).toEqual([])
  })

  it('does not check Kafka Streams rows against Tributary\'s targets', () => {
    expect(checkTargets([row('kafka-streams', 'at_least_once', 90_000, 10)])).toEqual([])
  })
})

describe('bench process usage from /proc', () => {
  it('adds utime and stime, counting fields after the command name even when it holds spaces and parentheses', () => {
    const stat = '4242 (java (main) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 731 269 0 0 20 0 40 0 5000 1 2 3'
    expect(cpuTicksOfStat(stat)).toBe(1000)
    expect(() => cpuTicksOfStat('garbage')).toThrow(/Not a \/proc/)
  })

  it('reads the peak resident set from VmHWM', () => {
    expect(peakRssOfStatus('Name:\tnode\nVmPeak:\t 900 kB\nVmHWM:\t  204800 kB\nVmRSS:\t 100 kB\n')).toBe(200 * 1024 * 1024)
    expect(() => peakRssOfStatus('Name:\tnode\n')).toThrow(/VmHWM/)
  })

  it('turns CPU time into milliseconds per 1,000 records', () => {
    expect(cpuMsPerThousand(2_500, 50_000)).toBe(50)
    expect(cpuMsPerThousand(10, 0)).toBeNaN()
  })
})

describe('bench Kafka Streams applications', () => {
  it('run every variant with one thread, the guarantee, 100 ms commits and the cache off unless asked for', () => {
    expect(kafkaStreamsSettings({ guarantee: 'exactly_once_v2', cached: false })).toEqual({
      'processing.guarantee': 'exactly_once_v2',
      'commit.interval.ms': 100,
      'num.stream.threads': 1,
      'statestore.cache.max.bytes': 0,
    })
    expect(kafkaStreamsSettings({ guarantee: 'at_least_once', cached: true })['statestore.cache.max.bytes']).toBe(10 * 1024 * 1024)
    expect(kafkaStreamsTargetName({ guarantee: 'at_least_once', cached: true })).toBe('at_least_once_cached')
    expect(kafkaStreamsTargetName({ guarantee: 'exactly_once_v2', cached: false })).toBe('exactly_once_v2')
  })

  it('has a Kafka Streams version for every variant of every scenario but window-count (the npm peer\'s workload, not yet written in Java)', () => {
    const withoutKafkaStreams = ['window-count/tumbling-1m']
    for (const scenario of SCENARIOS) {
      for (const variant of scenario.variants) {
        const name = `${scenario.name}/${variant.name}`
        if (withoutKafkaStreams.includes(name)) expect(variant.kafkaStreams, name).toBeUndefined()
        else expect(variant.kafkaStreams?.scenario, name).toMatch(/^bench\.[A-Z]\w+$/)
      }
    }
  })

  it('finds test/interop above the launcher, from source or from dist', () => {
    const interop = interopDirectory()
    expect(interop.endsWith(join('test', 'interop'))).toBe(true)
    expect(interopDirectory(join(interop, '..', '..', 'dist', 'bench', 'interop'))).toBe(interop)
  })

  it('never formats a broker with a cluster id StorageTool would read as an option', () => {
    const ids = Array.from({ length: 2_000 }, () => randomClusterId())
    expect(ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).toBe(true)
  })
})

describe('bench runs that fail', () => {
  const target = (outcomes: ReadonlyArray<number | Error>) => {
    let i = 0
    return {
      scenario: 'ride-history',
      variant: 'sessions-2m',
      mode: 'kafka' as const,
      target: 'at_least_once' as const,
      run: async () => {
        const outcome = outcomes[i++] as number | Error
        if (outcome instanceof Error) throw outcome
        return { records: 1000, seconds: 1000 / outcome, outputs: 5, peakRssBytes: 1_048_576, cpuMs: 50 }
      },
    }
  }

  it('keep the runs that completed and note the failure on the row', async () => {
    const row = await measure(target([8_000, new Error('Producing 1918 record(s) failed (MESSAGE_TOO_LARGE)\nmore')]), { warmups: 0, repeats: 2, log: () => undefined })
    expect(row.recordsPerSec.runs).toEqual([8_000])
    expect(row.cpuMsPer1k?.median).toBe(50)
    expect(row.notes).toEqual(['run 2 of 2 failed: Producing 1918 record(s) failed (MESSAGE_TOO_LARGE)'])
  })

  it('fail the row when no run completed', async () => {
    await expect(measure(target([new Error('down')]), { warmups: 0, repeats: 1, log: () => undefined })).rejects.toThrow(/sessions-2m kafka:at_least_once: run 1 of 1 failed: down/)
  })
})
