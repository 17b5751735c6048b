import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../../src/dsl/index.js'
import { startKafka, type KafkaFixture } from '../../kafka/fixtures.js'
import { CONFORMANCE_CASES, CONFORMANCE_KINDS, inputRoles, type ConformanceCase } from './conformance-cases.js'
import { divergenceReport, runDifferential, type DifferentialInput } from './harness.js'

/**
 * The windowing and join scenarios Tributary's unit tests ported from Kafka Streams' own tests
 * (conformance-cases.ts), run in Tributary and in Kafka Streams on fixed inputs: every case in one
 * application of each system, each on topics of its own prefix with one partition.
 */
const outputOf = (c: ConformanceCase): string => `${c.prefix}-out`

function inputsOf(cases: readonly ConformanceCase[]): DifferentialInput[] {
  return cases.flatMap((c) => c.inputs.map(([role, key, value, timestamp]) => ({
    topic: `${c.prefix}-${role}`, partition: 0, key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp,
  })))
}

function kafkaStreamsOptions(cases: readonly ConformanceCase[]): Record<string, string> {
  const options: Record<string, string> = { cases: cases.map((c) => `${c.prefix}:${c.kind}`).join(',') }
  for (const c of cases) for (const [name, value] of Object.entries(c.options)) options[`${c.prefix}.${name}`] = String(value)
  return options
}

describe('Tributary and Kafka Streams on the inputs of the ported windowing and join tests', () => {
  let kafka: KafkaFixture
  beforeAll(async () => {
    kafka = await startKafka('differential-conformance')
  })
  afterAll(async () => {
    await kafka.close()
  })

  it('write the same records to every output', { timeout: 240_000 }, async () => {
    // TRIBUTARY_CONFORMANCE_CASES: comma-separated prefixes to run alone.
    const only = process.env['TRIBUTARY_CONFORMANCE_CASES']?.split(',').filter(Boolean)
    const cases = CONFORMANCE_CASES.filter((c) => only === undefined || only.includes(c.prefix))
    const result = await runDifferential(kafka, {
      name: 'differential-conformance',
      // A table-table join reads both its topics: they exist even where a test writes only one.
      inputTopics: cases.flatMap((c) => (c.kind === 'StreamTableJoin' || c.kind === 'TableTableJoin' ? ['left', 'right'] : inputRoles(c)).map((role) => ({ name: `${c.prefix}-${role}`, partitions: 1 }))),
      outputTopics: cases.map((c) => ({ name: outputOf(c), partitions: 1, describeGroup: () => `case ${c.prefix} (${c.from})` })),
      inputs: inputsOf(cases),
      tributary: (suffix) => {
        const builder = new StreamsBuilder()
        for (const c of cases) CONFORMANCE_KINDS[c.kind](builder, c, suffix)
        return builder.build()
      },
      kafkaStreams: { scenario: 'differential.random.Cases', options: kafkaStreamsOptions(cases) },
    })
    const written = (n: 'kafkaStreams' | 'tributary'): number => result.outputs.reduce((sum, o) => sum + o[n], 0)
    console.log(`conformance: ${cases.length} cases, ${inputsOf(cases).length} input records, processed in ${result.processingMs} ms; Kafka Streams wrote ${written('kafkaStreams')} records, Tributary ${written('tributary')}`)
    console.log(`records per case (Kafka Streams/Tributary): ${result.outputs.map((o) => `${o.topic.replace(/-out$/, '')} ${o.kafkaStreams}/${o.tributary}`).join(', ')}`)
    expect(result.divergences.length, divergenceReport(result, 20)).toBe(0)
    // A comparison of empty outputs would prove nothing: each case writes what its test expects at least.
    for (const c of cases) {
      const output = result.outputs.find((o) => o.topic === outputOf(c))!
      expect(output.kafkaStreams, `${c.prefix}: records Kafka Streams wrote`).toBeGreaterThanOrEqual(c.least)
    }
  })
})
