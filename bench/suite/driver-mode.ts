import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_IDLE_TIMEOUT_MS } from '../../src/engine/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { TestRecord } from '../../src/testing/test-input-topic.js'
import type { TestOutputTopic } from '../../src/testing/test-output-topic.js'
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js'
import type { Measured } from './runner.js'
import type { RunResult } from './results.js'
import { directoryBytes } from '../../src/runtime/directory-bytes.js'
import { LatestPerKey } from './latest-per-key.js'
import { PeakRssSampler } from './resources.js'
import { closesWhenIdle, type InputRecord, type Scenario, type ScenarioVariant } from './scenarios/scenario.js'

/** Mock wall-clock time past the close of the last window, so that nothing at the edge is missed. */
export const DRIVER_CLOSE_MARGIN_MS = 1_000

/**
 * A scenario through the TopologyTestDriver: no broker, no network, the topology's own serdes
 * and stores (in memory or RocksDB), with the variant's settings (e.g. upstream watermarks).
 * Consecutive records of one topic are piped as one list. On upstream watermarks the mock wall
 * clock then moves on until the last windows have closed, as they do in kafka mode once the
 * inputs are idle: idleTimeoutMs, then the variant's closeAfterMs and a margin.
 */
export function driverTarget(scenario: Scenario, variant: ScenarioVariant, inputs: readonly InputRecord[], stores: 'memory' | 'rocksdb'): Measured {
  return {
    scenario: scenario.name,
    variant: variant.name,
    mode: 'driver',
    target: stores,
    run: () => runDriver(variant, inputs, stores),
  }
}

async function runDriver(variant: ScenarioVariant, inputs: readonly InputRecord[], stores: 'memory' | 'rocksdb'): Promise<RunResult> {
  const stateDir = await mkdtemp(join(tmpdir(), 'tributary-bench-driver-'))
  const { topology, outputTopics } = variant.build()
  const driver = new TopologyTestDriver(topology, { ...variant.config, stateStores: stores, stateDir, captureChangelogs: false, applicationId: 'bench' })
  const bytes = Serdes.bytes()
  const topics = new Map([...new Set(inputs.map((r) => r.topic))].map((t) => [t, driver.createInputTopic(t, bytes, bytes)]))
  const outputs = outputTopics.map((t) => driver.createOutputTopic(t, bytes, bytes))
  const rss = new PeakRssSampler().start()
  let emitted = 0
  const latest = variant.finalResults === 'latest-per-key' ? new LatestPerKey() : undefined
  const drain = (queues: readonly TestOutputTopic<Buffer, Buffer>[]): void => {
    for (const q of queues) {
      const records = q.readRecordsToList()
      emitted += records.length
      if (latest !== undefined) for (const r of records) latest.observe(r.key, r.value)
    }
  }
  const started = process.hrtime.bigint()
  let run: TestRecord<Buffer, Buffer>[] = []
  let runTopic: string | undefined
  for (const record of inputs) {
    if (record.topic !== runTopic && run.length > 0) {
      await topics.get(runTopic as string)?.pipeRecordList(run)
      drain(outputs)
      run = []
    }
    runTopic = record.topic
    run.push({ key: record.key, value: record.value, timestamp: record.timestamp })
  }
  if (run.length > 0) await topics.get(runTopic as string)?.pipeRecordList(run)
  drain(outputs)
  if (closesWhenIdle(variant)) {
    // Every input turns idle (the event time stays at the largest clock), then the event time
    // follows the wall clock past the close of the last window.
    await driver.advanceWallClockTime(DEFAULT_IDLE_TIMEOUT_MS)
    await driver.advanceWallClockTime((variant.closeAfterMs?.(inputs) ?? 0) + DRIVER_CLOSE_MARGIN_MS)
    drain(outputs)
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await driver.close()
  // After close: RocksDB has flushed its memtables, so the files hold everything the stores kept.
  const rocksdbBytes = stores === 'rocksdb' ? await directoryBytes(stateDir) : undefined
  await rm(stateDir, { recursive: true, force: true })
  const counted = latest === undefined ? { outputs: emitted } : { outputs: latest.size, resultTotal: latest.total }
  return { records: inputs.length, seconds, ...counted, peakRssBytes: rss.stop(), ...(rocksdbBytes === undefined ? {} : { rocksdbBytes }) }
}

/** The compute limit of a variant: its hand-written version over the same input bytes. */
export function computeLimitTarget(scenario: Scenario, variant: ScenarioVariant, inputs: readonly InputRecord[]): Measured {
  return {
    scenario: scenario.name,
    variant: variant.name,
    mode: 'baseline',
    target: 'compute-limit',
    run: async () => {
      const rss = new PeakRssSampler().start()
      const started = process.hrtime.bigint()
      const results = variant.computeLimit(inputs)
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const counted = typeof results === 'number' ? { outputs: results } : results
      return { records: inputs.length, seconds, ...counted, peakRssBytes: rss.stop() }
    },
  }
}
