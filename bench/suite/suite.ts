import { cpus, loadavg, totalmem } from 'node:os'
import { ConfigError } from '../../src/core/errors.js'
import { computeLimitTarget, driverTarget } from './driver-mode.js'
import { withKafkaStreamsRatios } from './comparison.js'
import { kafkaTarget, rawPipeTarget } from './kafka-mode.js'
import { kafkaStreamsTarget } from './kafka-streams-mode.js'
import { defaultPeersCacheDir, installPeer } from './peers/peer-install.js'
import { PEER_LIBRARIES, peerTargetName, type PeerLibrary } from './peers/peer-library.js'
import { peerTarget } from './peers/peer-target.js'
import { kafkaClassPath, kafkaVersion } from '../interop/real-kafka.js'
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

const peersCacheDir = defaultPeersCacheDir()

/**
 * `--peers`: the peer libraries that run one of the selected workloads, installed (on first use)
 * into the cache directory. A peer that fails to install is reported under "Not measured" and
 * the run goes on without it; so is `--peers` without kafka mode, whose setting the peers share.
 */
async function installedPeers(options: SuiteOptions, scenarios: readonly Scenario[], log: (line: string) => void, skipped: string[]): Promise<PeerLibrary[]> {
  if (!options.modes.includes('kafka')) {
    skipped.push('--peers: the peers run in kafka mode\'s setting; add --mode kafka')
    return []
  }
  const installed: PeerLibrary[] = []
  for (const peer of PEER_LIBRARIES) {
    const workloads = scenarios.flatMap((s) => s.variants.filter((v) => peer.supports(s.name, v.name)).map((v) => `${s.name}/${v.name}`))
    if (workloads.length === 0) {
      const anywhere = SCENARIOS.flatMap((s) => s.variants.filter((v) => peer.supports(s.name, v.name)).map((v) => `${s.name}/${v.name}`))
      skipped.push(`${peerTargetName(peer)}: runs none of the selected scenarios (it runs ${anywhere.join(', ')})`)
      continue
    }
    try {
      await installPeer(peer, peersCacheDir, log)
      installed.push(peer)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      log(`  ${message}`)
      skipped.push(`${peerTargetName(peer)}: ${message}`)
    }
  }
  return installed
}

/**
 * Runs the selected scenarios in the selected modes, each configuration after its warm-up and
 * several times, with the baselines of each scenario measured in the same run.
 */
export async function runSuite(options: SuiteOptions, log: (line: string) => void): Promise<SuiteReport> {
  const startedAt = new Date().toISOString()
  const machine = machineInfo()
  const scenarios = selectScenarios(options.scenarios)
  // Fails now, not after the driver-mode rows, when Apache Kafka's jars are not there ("run npm run interop:setup").
  if (options.cluster === 'kafka' && options.modes.includes('kafka')) kafkaClassPath()
  const plan = { warmups: options.warmups, repeats: options.repeats, log }
  const kafkaPlan = { warmups: options.kafkaWarmups, repeats: options.kafkaRepeats, log }
  const rows: ResultRow[] = []
  const skipped: string[] = []
  const peers = options.peers ? await installedPeers(options, scenarios, log, skipped) : []
  for (const scenario of scenarios) {
    const inputs = scenario.prepare(options.records, options.seed)
    log(`${scenario.name}: ${scenario.description}; ${inputs.length} input records (${scenario.dataSource})`)
    const kafka = options.modes.includes('kafka')
    const variants = scenario.variants.filter((v) => options.variants.length === 0 || options.variants.includes(v.name))
    if (variants.length === 0) {
      skipped.push(`${scenario.name}: no variant named ${options.variants.join(' or ')} (its variants: ${scenario.variants.map((v) => v.name).join(', ')})`)
      continue
    }
    const measured = async (target: Measured, targetPlan: typeof plan): Promise<void> => {
      try {
        rows.push(await measure(target, targetPlan))
      } catch (error) {
        // Every run of the row failed: the report says so and goes on with the other rows.
        skipped.push(error instanceof Error ? error.message : String(error))
      }
    }
    if (kafka) await measured(rawPipeTarget(scenario, 'all', inputs, options.cluster), kafkaPlan)
    for (const variant of variants) {
      const targets: Measured[] = [computeLimitTarget(scenario, variant, inputs)]
      if (options.modes.includes('driver')) {
        targets.push(driverTarget(scenario, variant, inputs, 'memory'), driverTarget(scenario, variant, inputs, 'rocksdb'))
      }
      if (kafka) targets.push(kafkaTarget(scenario, variant, inputs, 'at_least_once', options.cluster), kafkaTarget(scenario, variant, inputs, 'exactly_once_v2', options.cluster))
      // Against Apache Kafka, the same variant in Kafka Streams: no record cache (as Tributary) for
      // both guarantees, and at-least-once once more with Kafka Streams' default 10 MiB cache.
      if (kafka && options.cluster === 'kafka') {
        if (variant.kafkaStreams === undefined) skipped.push(`${scenario.name}/${variant.name}: no Kafka Streams version`)
        else {
          for (const config of [{ guarantee: 'at_least_once', cached: false }, { guarantee: 'exactly_once_v2', cached: false }, { guarantee: 'at_least_once', cached: true }] as const) {
            targets.push(kafkaStreamsTarget(scenario, variant, inputs, config, options.cluster))
          }
        }
      }
      for (const peer of peers) if (kafka && peer.supports(scenario.name, variant.name)) targets.push(peerTarget(peer, peersCacheDir, scenario, variant, inputs, options.cluster))
      for (const target of targets) await measured(target, target.mode === 'kafka' || target.mode === 'kafka-streams' || target.mode === 'peer' ? kafkaPlan : plan)
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
      cluster: options.cluster === 'kafka' ? `Apache Kafka ${kafkaVersion()} (single-node KRaft)` : 'embedded',
      ...(options.peers ? { peers: peers.map(peerTargetName) } : {}),
    },
    rows: withKafkaStreamsRatios(withOutputCheck(withRatios(rows))),
    skipped,
  }
}
