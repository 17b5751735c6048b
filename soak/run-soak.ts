import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createKafkaClients, type IsolationLevel, type KafkaClients, type RawRecord } from '../src/kafka/index.js'
import type { ProcessingGuarantee } from '../src/runtime/index.js'
import { Feeder } from './feeder.js'
import { BrokerProcess, freePort, InstanceProcess } from './soak-cluster.js'
import { PARTITIONS, TOPICS } from './soak-topology.js'
import { TcpProxy } from './tcp-proxy.js'
import { OutputProgress } from './output-progress.js'
import { judge, type OutputVerdict } from './verdict.js'

export type FaultKind = 'connections-cut' | 'instance-sigkill' | 'broker-sigkill'
export const FAULT_KINDS: readonly FaultKind[] = ['connections-cut', 'instance-sigkill', 'broker-sigkill']

export interface SoakOptions {
  readonly minutes: number
  readonly processingGuarantee: ProcessingGuarantee
  /** Instances of the application, each in its own process. Default 3. */
  readonly instances?: number
  /** Pause between one fault's recovery and the next fault. Default 5 s. */
  readonly faultPauseMs?: number
  /** The kinds injected, in turn. Default all. */
  readonly faults?: readonly FaultKind[]
  /** Ride requests per second (each with an offer). Default 100. */
  readonly ridesPerSecond?: number
  /** Progress lines; default none. */
  readonly log?: (line: string) => void
}

export interface InjectedFault {
  readonly kind: FaultKind
  /** Milliseconds into the soak. */
  readonly atMs: number
  readonly detail: string
  /** Until every instance was RUNNING and a ride created after the fault was matched in every output partition; undefined if never. */
  readonly recoveredAfterMs: number | undefined
}

export interface SoakReport {
  readonly processingGuarantee: ProcessingGuarantee
  readonly durationMs: number
  readonly faults: readonly InjectedFault[]
  readonly input: { readonly requests: number; readonly offers: number }
  /** Sends the feeder had to repeat because of a fault. */
  readonly feederRetries: number
  readonly verdicts: readonly OutputVerdict[]
  /** Records the instances dropped as too late for their window (none is expected: grace exceeds recovery). */
  readonly droppedLate: number
  readonly unexpectedExits: readonly string[]
  readonly problems: readonly string[]
  readonly passed: boolean
}

const RECOVERY_TIMEOUT_MS = 120_000
const COMPLETION_TIMEOUT_MS = 180_000
const POLL_MS = 250

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs the soak application on an embedded broker behind a TCP proxy, feeds it steadily and
 * injects faults in turn until `minutes` have passed; then closes every window, waits until the
 * application has processed everything, and judges the outputs against the truth computed from
 * the input topics.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined)
  const guarantee = options.processingGuarantee
  const kinds = options.faults ?? FAULT_KINDS
  const workDir = mkdtempSync(join(tmpdir(), 'tributary-soak-'))
  const applicationId = `soak-${guarantee.replaceAll('_', '-')}`
  const brokerPort = await freePort()
  const proxy = await TcpProxy.start(brokerPort)
  const bootstrap = `127.0.0.1:${proxy.port}`
  const broker = new BrokerProcess(brokerPort, bootstrap, join(workDir, 'broker'))
  const instances = Array.from(
    { length: options.instances ?? 3 },
    (_, i) => new InstanceProcess(`instance-${i + 1}`, InstanceProcess.settings(applicationId, bootstrap, join(workDir, `instance-${i + 1}`), guarantee), log),
  )
  const clients = createKafkaClients({ bootstrapServers: [bootstrap], clientId: 'soak', applicationId })
  const producer = clients.producer()
  const feeder = new Feeder(producer, options.ridesPerSecond ?? 100)
  const started = Date.now()
  const faults: InjectedFault[] = []
  const problems: string[] = []
  const inject = async (kind: FaultKind, n: number): Promise<string> => {
    switch (kind) {
      case 'connections-cut': {
        // Down for 1, 2 or 3 s: long enough for heartbeats, commits and sends to fail, not only be cut.
        const downMs = 1_000 * (1 + (Math.floor(n / kinds.length) % 3))
        return `${proxy.cutFor(downMs)} connections cut, refused for ${downMs / 1000} s`
      }
      case 'instance-sigkill': {
        const victim = instances[Math.floor(n / kinds.length) % instances.length] as InstanceProcess
        await victim.killAndRestart()
        return `${victim.name} killed and started again`
      }
      case 'broker-sigkill':
        await broker.kill('SIGKILL')
        proxy.cutAll()
        await broker.start()
        return 'broker killed and started again on its data'
    }
  }
  const exactlyOnce = guarantee === 'exactly_once_v2'
  const isolation: IsolationLevel = exactlyOnce ? 'read_committed' : 'read_uncommitted'
  // Creating it does no I/O: it reads once the topics exist.
  const progress = new OutputProgress(clients, isolation)
  try {
    await broker.start()
    const admin = clients.admin()
    await admin.createTopics(Object.values(TOPICS).map((name) => ({ name, partitions: PARTITIONS })))
    await admin.close()
    for (const instance of instances) instance.start()
    const running = await waitUntil(() => instances.every((i) => i.status?.state === 'RUNNING'), RECOVERY_TIMEOUT_MS)
    if (!running) throw new Error(`The instances did not reach RUNNING within ${RECOVERY_TIMEOUT_MS} ms: ${instances.flatMap((i) => i.errors).join('; ')}`)
    log(`${instances.length} instances RUNNING (${guarantee}); feeding ${options.ridesPerSecond ?? 100} rides/s`)
    feeder.start()

    const endAt = started + options.minutes * 60_000
    for (let n = 0; Date.now() + (options.faultPauseMs ?? 5_000) < endAt; n++) {
      await sleep(options.faultPauseMs ?? 5_000)
      const kind = kinds[n % kinds.length] as FaultKind
      const atMs = Date.now() - started
      log(`${(atMs / 1000).toFixed(1)} s: injecting ${kind}`)
      const detail = await inject(kind, n)
      const injected = Date.now()
      // Recovered: every instance RUNNING again, and a ride created after the fault matched in every partition.
      const firstRideAfter = feeder.rides
      const recovered = await waitUntil(
        async () => instances.every((i) => i.status !== undefined && i.status.atMs > injected && i.status.state === 'RUNNING') && (await progress.reached(firstRideAfter)),
        RECOVERY_TIMEOUT_MS,
      )
      const fault = { kind, atMs, detail, recoveredAfterMs: recovered ? Date.now() - injected : undefined }
      faults.push(fault)
      log(`${(atMs / 1000).toFixed(1)} s: ${kind} (${detail}), ${recovered ? `recovered in ${((fault.recoveredAfterMs ?? 0) / 1000).toFixed(1)} s` : 'DID NOT RECOVER'}`)
      if (!recovered) problems.push(`no recovery within ${RECOVERY_TIMEOUT_MS} ms after ${kind} at ${atMs} ms`)
    }

    await feeder.stop()
    log(`fed ${feeder.rides} rides; waiting for the application to process everything`)
    // Windows close only once every request is processed: a closing request processed earlier
    // would make the requests still in flight to its partition late.
    if (!(await waitUntil(() => inputsCommitted(clients, isolation), COMPLETION_TIMEOUT_MS, 1_000))) problems.push(`the input was not processed within ${COMPLETION_TIMEOUT_MS} ms of its end`)
    await feeder.sendClosingRequests()
    const complete = await waitUntil(async () => (await inputsCommitted(clients, isolation)) && (await verdicts(clients, isolation)).every((v) => v.lost === 0), COMPLETION_TIMEOUT_MS, 2_000)
    if (!complete) problems.push(`the outputs were still incomplete ${COMPLETION_TIMEOUT_MS} ms after the input ended`)
    // A clean close commits what is left; anything emitted twice on the way shows up below.
    await Promise.all(instances.map((i) => i.stop('SIGTERM')))
    const input = await readInput(clients)
    const final = judge(input, await readOutputs(clients, isolation), exactlyOnce)
    const unexpectedExits = instances.flatMap((i) => i.unexpectedExits)
    const droppedLate = instances.reduce((sum, i) => sum + i.late, 0)
    // A late drop loses input that an at-least-once count may still seem to cover (by repeats).
    const passed =
      problems.length === 0 && unexpectedExits.length === 0 && droppedLate === 0 && final.every((v) => v.lost === 0 && (!exactlyOnce || v.duplicated === 0))
    return {
      processingGuarantee: guarantee,
      durationMs: Date.now() - started,
      faults,
      input: { requests: input.requests.length, offers: input.offers.length },
      feederRetries: feeder.failedSends,
      verdicts: final,
      droppedLate,
      unexpectedExits,
      problems,
      passed,
    }
  } finally {
    await feeder.stop().catch(() => undefined)
    await progress.close().catch(() => undefined)
    await producer.close().catch(() => undefined)
    await Promise.all(instances.map((i) => i.stop('SIGKILL')))
    await broker.kill('SIGKILL')
    await proxy.close()
    rmSync(workDir, { recursive: true, force: true })
  }
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, pollMs = POLL_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if (await condition()) return true
    } catch {
      // A check that fails (the cluster is busy) is asked again.
    }
    if (Date.now() >= deadline) return false
    await sleep(pollMs)
  }
}

const allPartitions = (topic: string) => Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }))

/** The group has committed the end of both input topics. */
async function inputsCommitted(clients: KafkaClients, isolationLevel: IsolationLevel): Promise<boolean> {
  const consumer = clients.consumer({ isolationLevel })
  const admin = clients.admin()
  try {
    const committed = new Map((await consumer.committed([...allPartitions(TOPICS.requests), ...allPartitions(TOPICS.offers)])).map((o) => [`${o.topic}/${o.partition}`, o.offset]))
    for (const topic of [TOPICS.requests, TOPICS.offers]) {
      for (const [partition, end] of await admin.listOffsets(topic, allPartitions(topic).map((p) => p.partition), 'latest')) {
        if ((committed.get(`${topic}/${partition}`) ?? -1n) < end) return false
      }
    }
    return true
  } finally {
    await consumer.close().catch(() => undefined)
    await admin.close().catch(() => undefined)
  }
}

async function readTopic(clients: KafkaClients, topic: string, isolationLevel: IsolationLevel): Promise<RawRecord[]> {
  const reader = clients.reader({ isolationLevel })
  try {
    const records: RawRecord[] = []
    for (const { partition } of allPartitions(topic)) {
      const tp = { topic, partition }
      const [start, end] = [await reader.startOffset(tp), await reader.endOffset(tp)]
      await reader.readRange(tp, start, end, (batch) => void records.push(...batch))
    }
    return records
  } finally {
    await reader.close().catch(() => undefined)
  }
}

const readInput = async (clients: KafkaClients) => ({
  requests: await readTopic(clients, TOPICS.requests, 'read_uncommitted'),
  offers: await readTopic(clients, TOPICS.offers, 'read_uncommitted'),
})

const readOutputs = async (clients: KafkaClients, isolation: IsolationLevel) => ({
  zoneCounts: await readTopic(clients, TOPICS.zoneCounts, isolation),
  windowFinals: await readTopic(clients, TOPICS.windowFinals, isolation),
  matches: await readTopic(clients, TOPICS.matches, isolation),
})

const verdicts = async (clients: KafkaClients, isolation: IsolationLevel) => judge(await readInput(clients), await readOutputs(clients, isolation), isolation === 'read_committed')
