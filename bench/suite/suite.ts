import { cpus, loadavg, totalmem } from 'node:os'
import { ConfigError } from '../../src/core/errors.js'
import { computeLimitTarget, driverTarget } from './driver-mode.js'
import { kafkaTarget, rawPipeTarget } from './kafka-mode.js'
import type { SuiteOptions } from './options.js'
import type { MachineInfo, ResultRow, SuiteReport } from './results.js'
import { measure, withOutputCheck, withRatios, type Measured } from './runner.js'
import { SCENARIOS } from './scenarios/index.js'
import type { Scenario } from './scenarios/scenario.js'

export function machineInfo(): MachineInfo {
  const cores = cpus()
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cores[0]?.model.trim() ?? 'unknown CPU',
    cores: cores.length,
    memoryGiB: Math.round(totalmem() / 1_073_741_824),
    loadAverage: loadavg(),
  }
}

function selectScenarios(names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...SCENARIOS]
  return names.map((name) => {
    const found = SCENARIOS.find((s) => s.name === name)
    if (found === undefined) throw new ConfigError(`No scenario named ${JSON.stringify(name)}. Scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}.`)
    return found
  })
}

/**
 * Runs the selected scenarios in the selected modes, each configuration after its warm-up and
 * several times, with the baselines of each scenario measured in the same run.
 */
export async function runSuite(options: SuiteOptions, log: (line: string) => void): Promise<SuiteReport> {
  const startedAt = new Date().toISOString()
  const machine = machineInfo()
  const scenarios = selectScenarios(options.scenarios)
  const plan = { warmups: options.warmups, repeats: options.repeats, log }
  const kafkaPlan = { warmups: options.kafkaWarmups, repeats: options.kafkaRepeats, log }
  const rows: ResultRow[] = []
  const skipped: string[] = []
  for (const scenario of scenarios) {
    const inputs = scenario.prepare(options.records, options.seed)
    log(`${scenario.name}: ${scenario.description}; ${inputs.length} input records (${scenario.dataSource})`)
    const kafka = options.modes.includes('kafka')
    const variants = scenario.variants.filter((v) => options.variants.length === 0 || options.variants.includes(v.name))
    if (variants.length === 0) {
      skipped.push(`${scenario.name}: no variant named ${options.variants.join(' or ')} (its variants: ${scenario.variants.map((v) => v.name).join(', ')})`)
      continue
    }
    if (kafka) rows.push(await measure(rawPipeTarget(scenario, 'all', inputs), kafkaPlan))
    for (const variant of variants) {
      const targets: Measured[] = [computeLimitTarget(scenario, variant, inputs)]
      if (options.modes.includes('driver')) {
        targets.push(driverTarget(scenario, variant, inputs, 'memory'), driverTarget(scenario, variant, inputs, 'rocksdb'))
      }
      if (kafka) targets.push(kafkaTarget(scenario, variant, inputs, 'at_least_once'), kafkaTarget(scenario, variant, inputs, 'exactly_once_v2'))
      for (const target of targets) rows.push(await measure(target, target.mode === 'kafka' ? kafkaPlan : plan))
    }
  }
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    options: {
      quick: options.quick,
      records: options.records,
      warmups: options.warmups,
      repeats: options.repeats,
      kafkaWarmups: options.kafkaWarmups,
      kafkaRepeats: options.kafkaRepeats,
      seed: options.seed,
      scenarios: scenarios.map((s) => s.name),
      variants: options.variants,
      modes: options.modes,
    },
    rows: withOutputCheck(withRatios(rows)),
    skipped,
  }
}
