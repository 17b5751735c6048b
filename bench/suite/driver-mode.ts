import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Serdes } from '../../src/serde/serdes.js'
import type { TestRecord } from '../../src/testing/test-input-topic.js'
import type { TestOutputTopic } from '../../src/testing/test-output-topic.js'
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js'
import type { Measured } from './runner.js'
import type { RunResult } from './results.js'
import { directoryBytes } from '../../src/runtime/directory-bytes.js'
import { PeakRssSampler } from './resources.js'
import type { InputRecord, Scenario, ScenarioVariant } from './scenarios/scenario.js'

/**
 * A scenario through the TopologyTestDriver: no broker, no network, the topology's own serdes
 * and stores (in memory or RocksDB). Consecutive records of one topic are piped as one list.
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
  const driver = new TopologyTestDriver(topology, { stateStores: stores, stateDir, captureChangelogs: false, applicationId: 'bench' })
  const bytes = Serdes.bytes()
  const topics = new Map([...new Set(inputs.map((r) => r.topic))].map((t) => [t, driver.createInputTopic(t, bytes, bytes)]))
  const outputs = outputTopics.map((t) => driver.createOutputTopic(t, bytes, bytes))
  const rss = new PeakRssSampler().start()
  let emitted = 0
  const drain = (queues: readonly TestOutputTopic<Buffer, Buffer>[]): void => {
    for (const q of queues) emitted += q.readRecordsToList().length
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
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await driver.close()
  // After close: RocksDB has flushed its memtables, so the files hold everything the stores kept.
  const rocksdbBytes = stores === 'rocksdb' ? await directoryBytes(stateDir) : undefined
  await rm(stateDir, { recursive: true, force: true })
  return { records: inputs.length, seconds, outputs: emitted, peakRssBytes: rss.stop(), ...(rocksdbBytes === undefined ? {} : { rocksdbBytes }) }
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
      const outputs = variant.computeLimit(inputs)
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      return { records: inputs.length, seconds, outputs, peakRssBytes: rss.stop() }
    },
  }
}
