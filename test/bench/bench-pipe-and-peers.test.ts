import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { LatestPerKey } from '../../bench/suite/latest-per-key.js'
import { parseSuiteOptions } from '../../bench/suite/options.js'
import { installCommand, installedVersion, installPeer } from '../../bench/suite/peers/peer-install.js'
import { KAFKATS_FLOW, PEER_LIBRARIES, peerTargetName } from '../../bench/suite/peers/peer-library.js'
import { RawPipe } from '../../bench/suite/raw-pipe.js'
import { markdownReport, terminalTable } from '../../bench/suite/report-table.js'
import type { ResultRow, SuiteReport } from '../../bench/suite/results.js'
import { withOutputCheck, withRatios } from '../../bench/suite/runner.js'
import { SendLedger } from '../../bench/suite/send-ledger.js'
import { SCENARIOS } from '../../bench/suite/scenarios/index.js'
import { summarize } from '../../bench/suite/stats.js'
import type { KafkaConsumer, KafkaProducer, OutgoingRecord, RawRecord, TopicPartitionOffset } from '../../src/kafka/index.js'
import { ConfigError } from '../../src/core/errors.js'

const consumed = (topic: string, partition: number, offset: number) => ({ topic, partition, offset: BigInt(offset) })
const sorted = (offsets: TopicPartitionOffset[]) => offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).sort()

describe('bench raw pipe: which offsets may be committed', () => {
  it('commits nothing before the send is acknowledged, then the offset after the last record of each partition', () => {
    const ledger = new SendLedger()
    const ticket = ledger.add([consumed('a', 0, 5), consumed('a', 1, 9), consumed('a', 0, 7), consumed('a', 0, 6)])
    expect(ledger.takeCommittable()).toEqual([])
    expect(ledger.unacknowledged).toBe(1)
    ledger.acknowledge(ticket)
    expect(sorted(ledger.takeCommittable())).toEqual(['a-0@8', 'a-1@10'])
    expect(ledger.unacknowledged).toBe(0)
    // Each position is handed out once.
    expect(ledger.takeCommittable()).toEqual([])
  })

  it('does not pass a send still in flight when a later one is acknowledged first', () => {
    const ledger = new SendLedger()
    const first = ledger.add([consumed('a', 0, 0), consumed('a', 0, 1)])
    const second = ledger.add([consumed('a', 0, 2), consumed('b', 0, 0)])
    const third = ledger.add([consumed('a', 1, 4)])
    ledger.acknowledge(second)
    ledger.acknowledge(third)
    expect(ledger.takeCommittable()).toEqual([])
    ledger.acknowledge(first)
    expect(sorted(ledger.takeCommittable())).toEqual(['a-0@3', 'a-1@5', 'b-0@1'])
  })

  it('refuses a ticket it does not know or already acknowledged', () => {
    const ledger = new SendLedger()
    const ticket = ledger.add([consumed('a', 0, 0)])
    ledger.acknowledge(ticket)
    expect(() => ledger.acknowledge(ticket)).toThrow(/No unacknowledged send/)
    expect(() => ledger.acknowledge(42)).toThrow(/No unacknowledged send/)
  })
})

/** A consumer whose polls return the given batches, one per poll, then nothing. */
class ScriptedConsumer {
  readonly commits: TopicPartitionOffset[][] = []
  polls = 0
  constructor(readonly batches: RawRecord[][]) {}
  subscribe = async (): Promise<void> => undefined
  poll = async (): Promise<RawRecord[]> => {
    this.polls++
    const next = this.batches.shift()
    if (next !== undefined) return next
    await new Promise((resolve) => setTimeout(resolve, 2))
    return []
  }
  commit = async (offsets: readonly TopicPartitionOffset[]): Promise<void> => {
    this.commits.push([...offsets])
  }
  close = async (): Promise<void> => undefined
}

/** A producer whose sends stay in flight until the test acknowledges them. */
class HeldProducer {
  readonly sends: { records: readonly OutgoingRecord[]; ack: () => void }[] = []
  send = (records: readonly OutgoingRecord[]): Promise<[]> => new Promise((resolve) => this.sends.push({ records, ack: () => resolve([]) }))
  close = async (): Promise<void> => undefined
}

const raw = (partition: number, offset: number): RawRecord => ({ topic: 'in', partition, offset: BigInt(offset), key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1, headers: [] })
const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2))
  expect(condition()).toBe(true)
}
const settle = (ms = 40) => new Promise((resolve) => setTimeout(resolve, ms))

describe('bench raw pipe: the pipelined loop', () => {
  it('keeps polling while sends are in flight, up to the bound, and commits only what was acknowledged', async () => {
    const consumer = new ScriptedConsumer([[raw(0, 0), raw(1, 0)], [raw(0, 1)], [raw(1, 1)]])
    const producer = new HeldProducer()
    const pipe = new RawPipe(consumer as unknown as KafkaConsumer, producer as unknown as KafkaProducer, { outputTopic: 'out', commitIntervalMs: 5, maxSendsInFlight: 2, maxRecordsPerPoll: 100 })
    await pipe.start(['in'])
    // Two sends go out without the first being acknowledged; the third batch waits for the bound.
    await until(() => producer.sends.length === 2)
    await settle()
    expect(producer.sends).toHaveLength(2)
    expect(consumer.batches).toHaveLength(1)
    expect(producer.sends[0]?.records.map((r) => r.topic)).toEqual(['out', 'out'])
    expect(consumer.commits).toEqual([])
    // The second acknowledged first: still nothing to commit, but room for the third send.
    producer.sends[1]?.ack()
    await until(() => producer.sends.length === 3)
    await settle()
    expect(consumer.commits).toEqual([])
    producer.sends[0]?.ack()
    await until(() => consumer.commits.length === 1)
    expect(sorted(consumer.commits[0] ?? [])).toEqual(['in-0@2', 'in-1@1'])
    producer.sends[2]?.ack()
    await until(() => consumer.commits.length === 2)
    expect(sorted(consumer.commits[1] ?? [])).toEqual(['in-1@2'])
    pipe.checkHealthy()
    await pipe.close()
  })

  it('stops on a failed send and reports it, committing nothing past it', async () => {
    const consumer = new ScriptedConsumer([[raw(0, 0)]])
    const failures: unknown[] = []
    const producer = { send: async () => Promise.reject(new Error('broker gone')), close: async () => undefined }
    const pipe = new RawPipe(consumer as unknown as KafkaConsumer, producer as unknown as KafkaProducer, { outputTopic: 'out', commitIntervalMs: 5, maxSendsInFlight: 4, maxRecordsPerPoll: 100 }, (e) => failures.push(e))
    await pipe.start(['in'])
    await until(() => failures.length === 1)
    expect(() => pipe.checkHealthy()).toThrow('broker gone')
    await settle()
    expect(consumer.commits).toEqual([])
    await pipe.close()
  })
})

describe('bench final results of latest-per-key variants', () => {
  it('keeps the latest value of each key, sums them, and forgets a deleted key', () => {
    const latest = new LatestPerKey()
    const b = (s: string) => Buffer.from(s)
    latest.observe(b('d1@0'), b('1'))
    latest.observe(b('d1@0'), b('2'))
    latest.observe(b('d2@0'), b('1'))
    latest.observe(b('d3@0'), b('5'))
    latest.observe(b('d3@0'), null)
    expect(latest.size).toBe(2)
    expect(latest.total).toBe(3)
    expect(() => latest.observe(b('d1@0'), b('"two"'))).toThrow(/not a JSON number/)
  })

  it('notes a row whose final values do not add up to the compute limit\'s, in any run', () => {
    const row = (mode: ResultRow['mode'], target: ResultRow['target'], totals: number[]): ResultRow => ({
      scenario: 'window-count', variant: 'tumbling-1m', mode, target, recordsPerRun: 100, recordsPerSec: summarize([100]), outputs: 14, peakRssMiB: 1, resultTotalByRun: totals,
    })
    const rows = withOutputCheck([row('baseline', 'compute-limit', [8_000, 8_000]), row('kafka', 'at_least_once', [8_000]), row('peer', 'npm:@kafkats/flow@0.12.0', [8_000, 8_013])])
    expect(rows.map((r) => r.notes)).toEqual([undefined, undefined, ['final values sum to 8,000, 8,013 where the compute limit\'s sum to 8,000']])
  })

  it('window-count counts final windows, and its compute limit counts every ping once', () => {
    const scenario = SCENARIOS.find((s) => s.name === 'window-count')
    const variant = scenario?.variants[0]
    expect(variant?.finalResults).toBe('latest-per-key')
    const inputs = scenario?.prepare(2_000, 3) ?? []
    const results = variant?.computeLimit(inputs)
    expect(results).toMatchObject({ resultTotal: inputs.length })
    expect(typeof results === 'object' && results.outputs > 1).toBe(true)
  })
})

describe('bench --peers', () => {
  it('is off by default and takes no value', () => {
    expect(parseSuiteOptions([])).toMatchObject({ peers: false })
    expect(parseSuiteOptions(['--peers', '--mode', 'kafka'])).toMatchObject({ peers: true, modes: ['kafka'] })
    expect(() => parseSuiteOptions(['--peers=yes'])).toThrow(ConfigError)
  })

  it('names each peer row after the npm package and its exact version, and runs the peer only where it computes the same thing', () => {
    expect(peerTargetName(KAFKATS_FLOW)).toBe('npm:@kafkats/flow@0.12.0')
    expect(KAFKATS_FLOW.version).toMatch(/^\d+\.\d+\.\d+$/)
    const supported = SCENARIOS.flatMap((s) => s.variants.filter((v) => PEER_LIBRARIES.some((p) => p.supports(s.name, v.name))).map((v) => `${s.name}/${v.name}`))
    expect(supported).toEqual(['window-count/tumbling-1m'])
  })

  describe('install', () => {
    const dirs: string[] = []
    const path = process.env.PATH
    afterEach(() => {
      process.env.PATH = path
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
    })
    const cacheDir = (): string => {
      const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-peers-'))
      dirs.push(dir)
      return dir
    }

    it('installs the exact version into the cache directory, without lifecycle scripts (no native build)', () => {
      const args = installCommand(KAFKATS_FLOW, '/tmp/cache')
      expect(args.slice(0, 3)).toEqual(['install', '--prefix', '/tmp/cache'])
      expect(args).toContain('--ignore-scripts')
      expect(args.at(-1)).toBe('@kafkats/flow@0.12.0')
    })

    it('reuses an installed copy of the exact version without running npm', async () => {
      const dir = cacheDir()
      mkdirSync(join(dir, 'node_modules', '@kafkats', 'flow'), { recursive: true })
      writeFileSync(join(dir, 'node_modules', '@kafkats', 'flow', 'package.json'), JSON.stringify({ name: '@kafkats/flow', version: '0.12.0' }))
      expect(installedVersion(dir, '@kafkats/flow')).toBe('0.12.0')
      // npm cannot be found: reusing the copy must not need it.
      process.env.PATH = dir
      await expect(installPeer(KAFKATS_FLOW, dir, () => undefined)).resolves.toBeUndefined()
    })

    it('says which peer failed to install and where, when npm fails', async () => {
      const dir = cacheDir()
      process.env.PATH = dir
      await expect(installPeer({ ...KAFKATS_FLOW, version: '0.0.1' }, dir, () => undefined)).rejects.toThrow(/Installing the peer @kafkats\/flow@0.0.1 into .* failed/)
    })
  })
})

describe('bench report: CPU for every row measured in a process of its own', () => {
  const row = (mode: ResultRow['mode'], target: ResultRow['target'], rate: number, cpu: number, variant = 'tumbling-1m'): ResultRow => ({
    scenario: 'window-count', variant, mode, target, recordsPerRun: 1000, recordsPerSec: summarize([rate]), outputs: 14, peakRssMiB: 100, cpuMsPer1k: summarize([cpu]),
  })
  const rows = withRatios([
    row('baseline', 'io-limit', 40_000, 19, 'all'),
    { ...row('baseline', 'compute-limit', 500_000, 0), cpuMsPer1k: undefined },
    row('kafka', 'at_least_once', 12_000, 76),
    row('peer', 'npm:@kafkats/flow@0.12.0', 700, 493),
  ]) as ResultRow[]

  it('shows the pipe\'s and the peer\'s CPU-ms per 1,000 records, and the peer\'s ratios to the baselines', () => {
    const table = terminalTable(rows).split('\n')
    expect(table[1]).toMatch(/io-limit\s+40,000 .* 19 /)
    expect(table[4]).toMatch(/peer\s+npm:@kafkats\/flow@0\.12\.0\s+700 .* 493 /)
    expect(rows[3]?.ratioToIoLimit).toBeCloseTo(700 / 40_000)
    const report: SuiteReport = {
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:01:00.000Z',
      machine: { node: 'v20', platform: 'linux x64', cpus: 'CPU', cores: 2, memoryGiB: 8, loadAverage: [1, 1, 1] },
      options: { quick: true, records: 1000, warmups: 1, repeats: 3, kafkaWarmups: 0, kafkaRepeats: 1, seed: 42, scenarios: ['window-count'], variants: [], modes: ['kafka'], peers: ['npm:@kafkats/flow@0.12.0'] },
      rows,
      skipped: [],
    }
    const md = markdownReport(report)
    expect(md).toContain('| window-count | all | baseline | io-limit | 40,000 | ±0% |  |  | 19 |')
    expect(md).toContain('| window-count | tumbling-1m | peer | npm:@kafkats/flow@0.12.0 | 700 |')
    expect(md).toContain('Peers (--peers): npm:@kafkats/flow@0.12.0')
  })
})
