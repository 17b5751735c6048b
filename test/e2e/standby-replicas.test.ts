import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createKafkaClients, type IsolationLevel, type KafkaClients, type KafkaReader } from '../../src/kafka/index.js'
import type { KafkaStreamsConfig, StreamsMetricsSnapshot } from '../../src/runtime/index.js'
import { buf, readAll, str, TempDirs, waitFor } from './fixtures.js'
import { startTestBroker, type TestBroker } from '../kafka/fixtures.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const DIST = resolve(HERE, '../../dist/src/index.js')
const CHILD = join(HERE, 'fixtures/standby-counts-app.mjs')
const APP = 'counts-standby'
const CHANGELOG = `${APP}-counts-changelog`
/** Distinct keys counted before the kill: one changelog record each. */
const KEYS = 100_000
/** Keys counted once more after the kill. */
const UPDATED = 1_000
const key = (i: number) => `key-${String(i).padStart(6, '0')}`

type Guarantee = 'at_least_once' | 'exactly_once_v2'

/** What the child reports (see fixtures/standby-counts-app.mjs). */
interface Reported {
  readonly activeTasks: number
  readonly standbyTasks: StreamsMetricsSnapshot['standbyTasks']
  readonly restoration: StreamsMetricsSnapshot['restoration']
  readonly lag: number | undefined
  readonly processed: number
}

interface Instance {
  readonly child: ChildProcess
  readonly states: { state: string; at: number }[]
  latest: Reported | undefined
  output: string
}

/** How one failover went, measured from the test's SIGKILL. */
interface Failover {
  readonly restored: number
  readonly changelogRecords: number
  /** Until the survivor is RUNNING again, its tasks restored. */
  readonly killToRunningMs: number
  /** The survivor's rebalance and restoration: from REBALANCING to RUNNING. */
  readonly restoreMs: number
  /** Until the first record the survivor wrote to the output topic. */
  readonly killToOutputMs: number
}

/**
 * Two instances in child processes count 100,000 distinct keys (one task: a topic of one
 * partition), then the one running the task is killed. The group notices after the 6 s session
 * (the broker's minimum; heartbeats every 300 ms) and the survivor takes the task over: with a
 * standby replica it restores only what its standby had not applied; without, the whole
 * changelog. Figures are printed for docs/running.md.
 */
describe('standby replicas (two instances, one killed)', () => {
  let broker: TestBroker
  let clients: KafkaClients
  const closing: { close(): Promise<unknown> }[] = []
  const dirs = new TempDirs('tributary-standby-')
  const instances: Instance[] = []

  beforeEach(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first (the instances run in child processes, which load the compiled package).`)
    broker = await startTestBroker({ partitions: 1, transactionTimeoutCheckIntervalMs: 250 })
    clients = createKafkaClients({ bootstrapServers: [broker.bootstrapServers], clientId: `${APP}-test`, applicationId: APP, retries: 2, retryDelayMs: 50 })
    await track(clients.admin()).createTopics(['events', 'counts-out'].map((name) => ({ name, partitions: 1 })))
  })

  afterEach(async () => {
    for (const { child } of instances.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    for (const resource of closing.splice(0).reverse()) await resource.close().catch(() => undefined)
    await broker.close()
    dirs.removeAll()
  })

  function track<T extends { close(): Promise<unknown> }>(resource: T): T {
    closing.push(resource)
    return resource
  }

  function startInstance(processingGuarantee: Guarantee, config: Partial<KafkaStreamsConfig>): Instance {
    const settings = { applicationId: APP, bootstrapServers: [broker.bootstrapServers], stateDir: dirs.make(), processingGuarantee, config }
    const child = spawn(process.execPath, [CHILD], {
      env: { PATH: process.env.PATH ?? '', TRIBUTARY_DIST: DIST, TRIBUTARY_APP: JSON.stringify(settings) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const instance: Instance = { child, states: [], latest: undefined, output: '' }
    let pending = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8')
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        instance.output += `${line}\n`
        const state = /^STATE (\S+) (\d+)$/.exec(line)
        if (state !== null) instance.states.push({ state: state[1] as string, at: Number(state[2]) })
        const metrics = /^METRICS (.*) \d+$/.exec(line)
        if (metrics !== null) instance.latest = JSON.parse(metrics[1] as string) as Reported
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => (instance.output += chunk.toString('utf8')))
    instances.push(instance)
    return instance
  }

  const alive = (...all: Instance[]) => {
    for (const { child, output } of all) if (child.exitCode !== null) throw new Error(`An instance exited with ${child.exitCode}: ${output}`)
  }

  async function produceKeys(from: number, count: number): Promise<void> {
    const producer = track(clients.producer())
    for (let sent = 0; sent < count; sent += 5_000) {
      const batch = Array.from({ length: Math.min(5_000, count - sent) }, (_, i) => ({ topic: 'events', key: buf(key(from + sent + i)), value: buf('e'), timestamp: Date.now() }))
      await producer.send(batch)
    }
  }

  async function failover(guarantee: Guarantee, numStandbyReplicas: number | undefined): Promise<Failover> {
    const isolation: IsolationLevel = guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted'
    const reader: KafkaReader = track(clients.reader({ isolationLevel: isolation }))
    const config: Partial<KafkaStreamsConfig> = {
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 300,
      commitIntervalMs: guarantee === 'exactly_once_v2' ? 100 : 1_000,
      transactionTimeoutMs: 8_000,
      retries: 2,
      retryDelayMs: 50,
      ...(numStandbyReplicas === undefined ? {} : { numStandbyReplicas }),
    }
    const first = startInstance(guarantee, config)
    await waitFor('the first instance running', () => (alive(first), first.latest?.activeTasks === 1), 30_000)
    const second = startInstance(guarantee, config)
    const both = [first, second]
    await waitFor('the second instance in the group', () => {
      alive(...both)
      const standbys = both.reduce((n, i) => n + (i.latest?.standbyTasks.length ?? 0), 0)
      return second.states.some((s) => s.state === 'RUNNING') && standbys === (numStandbyReplicas ?? 0) && both.reduce((n, i) => n + (i.latest?.activeTasks ?? 0), 0) === 1
    }, 30_000)

    await produceKeys(0, KEYS)
    // Everything counted, committed, and (with a standby) applied by the standby.
    const caughtUp = guarantee === 'exactly_once_v2' ? 1 : 0 // a transaction's commit marker
    await waitFor('every key counted and committed', () => {
      alive(...both)
      const active = both.find((i) => i.latest?.activeTasks === 1)
      const standby = both.find((i) => i !== active)
      return (
        active?.latest?.processed === KEYS &&
        active.latest.lag !== undefined && active.latest.lag <= caughtUp &&
        (numStandbyReplicas === undefined || standby?.latest?.standbyTasks[0]?.lag === 0)
      )
    }, 60_000)
    const changelogRecords = Number(await reader.endOffset({ topic: CHANGELOG, partition: 0 }))
    expect(changelogRecords).toBeGreaterThanOrEqual(KEYS)

    const victim = both.find((i) => i.latest?.activeTasks === 1) as Instance
    const survivor = both.find((i) => i !== victim) as Instance
    const outputEnd = await reader.endOffset({ topic: 'counts-out', partition: 0 })
    const exited = new Promise((done) => victim.child.once('exit', done))
    const killedAt = Date.now()
    victim.child.kill('SIGKILL')
    await exited
    await produceKeys(0, UPDATED)

    let firstOutputAt: number | undefined
    await waitFor('the survivor writing again', async () => {
      alive(survivor)
      if ((await reader.endOffset({ topic: 'counts-out', partition: 0 })) > outputEnd) firstOutputAt ??= Date.now()
      return firstOutputAt !== undefined
    }, 60_000)
    const rebalancing = survivor.states.find((s) => s.state === 'REBALANCING' && s.at >= killedAt)
    const running = survivor.states.find((s) => s.state === 'RUNNING' && s.at >= (rebalancing?.at ?? killedAt))
    expect(rebalancing, survivor.output).toBeDefined()
    expect(running, survivor.output).toBeDefined()

    // Exact afterwards: every key counted once, the updated ones twice, nothing counted again.
    await waitFor('the updates counted', async () => {
      alive(survivor)
      const latest = new Map<string, string>()
      const end = await reader.endOffset({ topic: 'counts-out', partition: 0 })
      await reader.readRange({ topic: 'counts-out', partition: 0 }, outputEnd, end, (records) => {
        for (const r of records) latest.set(str(r.key) ?? '', str(r.value) ?? '')
      })
      return latest.size === UPDATED
    }, 60_000)
    const counts = new Map<string, number>()
    for (const r of await readAll(reader, 'counts-out', 0)) counts.set(str(r.key) ?? '', Number(str(r.value)))
    expect(counts.size).toBe(KEYS)
    const wrong = [...counts].filter(([k, n]) => n !== (Number(k.slice(4)) < UPDATED ? 2 : 1))
    expect(wrong.slice(0, 5)).toEqual([])

    const restoration = survivor.latest?.restoration.find((r) => r.storeName === 'counts' && r.topic === CHANGELOG)
    expect(restoration?.done).toBe(true)
    const result: Failover = {
      restored: restoration?.restored ?? -1,
      changelogRecords,
      killToRunningMs: (running?.at ?? 0) - killedAt,
      restoreMs: (running?.at ?? 0) - (rebalancing?.at ?? 0),
      killToOutputMs: (firstOutputAt ?? 0) - killedAt,
    }
    console.log(
      `[standby-replicas] ${guarantee}, numStandbyReplicas ${numStandbyReplicas ?? 0}: restored ${result.restored} of ${changelogRecords} changelog records; ` +
        `kill -> RUNNING ${result.killToRunningMs} ms (REBALANCING -> RUNNING ${result.restoreMs} ms); kill -> first output ${result.killToOutputMs} ms`,
    )
    return result
  }

  it('at_least_once with one standby: the survivor restores under 5% of the changelog and counts on exactly', async () => {
    const { restored, changelogRecords } = await failover('at_least_once', 1)
    expect(restored).toBeGreaterThanOrEqual(0)
    expect(restored).toBeLessThan(changelogRecords * 0.05)
  }, 240_000)

  it('at_least_once without standbys (the default): the survivor restores the whole changelog', async () => {
    const { restored, changelogRecords } = await failover('at_least_once', undefined)
    expect(restored).toBe(changelogRecords)
  }, 240_000)

  it('exactly_once_v2 with one standby, read read_committed: the survivor restores under 5% and counts on exactly', async () => {
    const { restored, changelogRecords } = await failover('exactly_once_v2', 1)
    expect(restored).toBeGreaterThanOrEqual(0)
    expect(restored).toBeLessThan(changelogRecords * 0.05)
  }, 240_000)
})
