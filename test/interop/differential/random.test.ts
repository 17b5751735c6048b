import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKafka, type KafkaFixture } from '../../kafka/fixtures.js'
import { divergenceReport, runDifferential } from './harness.js'
import { inputTopicsOfRun, randomRun } from './random-cases.js'
import { kafkaStreamsCases, tributaryTopology } from './scenarios/index.js'

// Every case kind over many seeds, in one application of each system: Kafka Streams is the oracle.
describe('Tributary and Kafka Streams on random inputs', () => {
  let kafka: KafkaFixture
  beforeAll(async () => {
    kafka = await startKafka('differential-random')
  })
  afterAll(async () => {
    await kafka.close()
  })

  it('write the same records to every output', { timeout: 240_000 }, async () => {
    const run = randomRun()
    console.log(`differential run seed ${run.runSeed}: ${run.seedCount} seeds over ${run.cases.length} cases, ${run.inputs.length} input records (TRIBUTARY_DIFF_RUN=${run.runSeed} reproduces it)`)
    const result = await runDifferential(kafka, {
      name: 'differential-random',
      inputTopics: inputTopicsOfRun(run),
      outputTopics: run.outputs,
      inputs: run.inputs,
      tributary: (suffix) => tributaryTopology(run.cases, suffix),
      kafkaStreams: kafkaStreamsCases(run.cases),
    })
    const total = result.outputs.reduce((n, o) => n + o.kafkaStreams, 0)
    console.log(`differential run seed ${run.runSeed}: processed in ${result.processingMs} ms; Kafka Streams wrote ${total} records, Tributary ${result.outputs.reduce((n, o) => n + o.tributary, 0)}`)
    expect(result.divergences.length, divergenceReport(result)).toBe(0)
    // A comparison of empty outputs would prove nothing: every case must have written something.
    for (const output of result.outputs) expect(output.kafkaStreams, `${output.topic} is empty`).toBeGreaterThan(0)
    if (process.env['TRIBUTARY_DIFF_SEEDS'] === undefined) expect(run.seedCount).toBeGreaterThanOrEqual(200)
  })
})
