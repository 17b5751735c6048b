import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createKafkaClients, type IsolationLevel, type KafkaClients, type KafkaReader } from '../../src/kafka/index.js'
import type { KafkaStreamsConfig } from '../../src/runtime/index.js'
import { buf, readText, TempDirs, waitFor } from './fixtures.js'
import { startTestBroker, type TestBroker, type TestBrokerOptions } from '../kafka/fixtures.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const DIST = resolve(HERE, '../../dist/src/index.js')
const CHILD = join(HERE, 'fixtures/scale-out-fleet-app.mjs')
const APP = 'fleet-scale-out'
const PARTITIONS = 6
const DRIVERS = Array.from({ length: 12 }, (_, i) => `driver-${i}`)
const TRIPS = 240

type Guarantee = 'at_least_once' | 'exactly_once_v2'

interface Instance {
  readonly child: ChildProcess
  /** The number of drivers in its local table store, as it last reported it. */
  drivers: number
  output: string
}

/**
 * How the instances and the broker are set up. With Kafka's defaults the killed (dynamic) member
 * is noticed when its 45 s session expires, so the survivors take over its partitions about 45 s
 * after the kill; its open transaction is aborted after 10 s (transactionTimeoutMs), checked every
 * 10 s by the broker. The fast case notices the dead member after 6 s (the broker's minimum), has
 * the others heartbeat every 300 ms, aborts the dead member's open transaction after 8 s, checked
 * every 250 ms, commits every 100 ms and gives up on the broker after two quick retries.
 */
const GROUPS: readonly { name: string; config: Partial<KafkaStreamsConfig>; broker: TestBrokerOptions; withinMs: number }[] = [
  {
    name: 'a 6 s session',
    config: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 300, transactionTimeoutMs: 8_000, commitIntervalMs: 100, retries: 2, retryDelayMs: 50 },
    broker: { transactionTimeoutCheckIntervalMs: 250 },
    withinMs: 30_000,
  },
  { name: 'default settings (dynamic members, a 45 s session)', config: {}, broker: {}, withinMs: 90_000 },
]

describe.each(GROUPS)('KafkaStreams scaled out over three processes, one of which is killed, $name', ({ config, broker: brokerOptions, withinMs }) => {
  let broker: TestBroker
  let clients: KafkaClients
  const closing: { close(): Promise<unknown> }[] = []
  const dirs = new TempDirs('tributary-scale-out-')
  const instances: Instance[] = []

  beforeEach(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first (the instances run in child processes, which load the compiled package).`)
    broker = await startTestBroker({ partitions: PARTITIONS, ...brokerOptions })
    clients = createKafkaClients({ bootstrapServers: [broker.bootstrapServers], clientId: `${APP}-test`, applicationId: APP, retries: 2, retryDelayMs: 50 })
  })

  afterEach(async () => {
    for (const { child } of instances.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    for (const resource of closing.splice(0).reverse()) await resource.close().catch(() => undefined)
    readers.clear()
    await broker.close()
    dirs.removeAll()
  })

  const track = <T extends { close(): Promise<unknown> }>(resource: T): T => {
    closing.push(resource)
    return resource
  }

  function startInstance(processingGuarantee: Guarantee): Instance {
    const stateDir = dirs.make()
    const settings = { applicationId: APP, bootstrapServers: [broker.bootstrapServers], stateDir, processingGuarantee, config }
    const child = spawn(process.execPath, [CHILD], {
      env: { PATH: process.env.PATH ?? '', TRIBUTARY_DIST: DIST, TRIBUTARY_APP: JSON.stringify(settings) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const instance: Instance = { child, drivers: 0, output: '' }
    child.stdout?.on('data', (chunk: Buffer) => {
      instance.output += chunk.toString('utf8')
      const reports = [...instance.output.matchAll(/DRIVERS (\d+)/g)]
      const last = reports.at(-1)
      if (last !== undefined) instance.drivers = Number(last[1])
    })
    child.stderr?.on('data', (chunk: Buffer) => (instance.output += chunk.toString('utf8')))
    instances.push(instance)
    return instance
  }

  async function kill({ child }: Instance): Promise<void> {
    const exited = new Promise((done) => child.once('exit', done))
    child.kill('SIGKILL')
    await exited
  }

  // One reader per isolation level, reused: the tests poll the outputs for up to a minute.
  const readers = new Map<IsolationLevel, KafkaReader>()
  const readTopic = (topic: string, isolationLevel: IsolationLevel) => {
    let reader = readers.get(isolationLevel)
    if (reader === undefined) readers.set(isolationLevel, (reader = track(clients.reader({ isolationLevel }))))
    return readText(reader, topic, PARTITIONS)
  }

  /** Topics, drivers, a trip producer and the independent computation of the results. */
  async function fleet() {
    await track(clients.admin()).createTopics(['trips', 'drivers', 'driver-totals', 'trips-enriched'].map((name) => ({ name, partitions: PARTITIONS })))
    const producer = track(clients.producer())
    // Current timestamps: the broker's 7-day retention (checked every 30 s) would delete older ones
    // while the survivors wait out the killed member's session.
    let clock = Date.now()
    await producer.send(DRIVERS.map((id) => ({ topic: 'drivers', key: buf(id), value: buf(JSON.stringify({ name: id.toUpperCase() })), timestamp: clock++ })))
    const trips: { id: string; driver: string; fare: number }[] = []
    async function addTrips(count: number) {
      for (let sent = 0; sent < count; sent += 20) {
        // Small batches with pauses, so that the instances are mid-stream when one is killed.
        const batch = []
        for (let i = 0; i < 20 && sent + i < count; i++) {
          const n = trips.length
          // Each run of 12 trips has one for every driver (5 and 12 are coprime), in a shuffled order.
          const trip = { id: `trip-${n}`, driver: DRIVERS[(n * 5) % DRIVERS.length] as string, fare: 5 + (n % 13) }
          trips.push(trip)
          batch.push({ topic: 'trips', key: buf(trip.driver), value: buf(JSON.stringify(trip)), timestamp: clock++ })
        }
        await producer.send(batch)
        await new Promise((done) => setTimeout(done, 25))
      }
    }
    const expectedTotals = () => {
      const totals = new Map<string, { trips: number; fare: number }>()
      for (const t of trips) {
        const total = totals.get(t.driver) ?? { trips: 0, fare: 0 }
        totals.set(t.driver, { trips: total.trips + 1, fare: total.fare + t.fare })
      }
      return totals
    }
    const expectedEnriched = () => trips.map((t) => `${t.driver}|${t.driver.toUpperCase()}:${t.id}`).sort()
    const enriched = async (isolationLevel: IsolationLevel) => (await readTopic('trips-enriched', isolationLevel)).map((r) => `${r.key}|${r.value}`)
    /** Per driver, every total the output topic holds, in order. */
    async function totalUpdates(isolationLevel: IsolationLevel) {
      const updates = new Map<string, { trips: number; fare: number }[]>()
      for (const r of await readTopic('driver-totals', isolationLevel)) updates.set(r.key, [...(updates.get(r.key) ?? []), JSON.parse(r.value) as { trips: number; fare: number }])
      return updates
    }
    const lastTotals = async (isolationLevel: IsolationLevel) => new Map([...(await totalUpdates(isolationLevel))].map(([k, values]) => [k, values.at(-1)]))
    return { addTrips, tripCount: () => trips.length, expectedTotals, expectedEnriched, enriched, totalUpdates, lastTotals }
  }

  /** Starts three instances and waits until the drivers are loaded and every instance holds some of them. */
  async function startThree(guarantee: Guarantee): Promise<Instance[]> {
    const three = [startInstance(guarantee), startInstance(guarantee), startInstance(guarantee)]
    try {
      await waitFor('the drivers spread over three instances', () => {
        for (const { child, output } of three) if (child.exitCode !== null) throw new Error(`An instance exited with ${child.exitCode}: ${output}`)
        return three.every((i) => i.drivers > 0) && three.reduce((sum, i) => sum + i.drivers, 0) === DRIVERS.length
      }, withinMs)
    } catch (error) {
      throw new Error(`${(error as Error).message}; their output: ${three.map((i) => i.output).join('\n---\n')}`)
    }
    return three
  }

  async function killOneMidStream(isolationLevel: IsolationLevel, s: Awaited<ReturnType<typeof fleet>>, three: Instance[]) {
    const producing = s.addTrips(TRIPS)
    await waitFor('a share of the trips processed', async () => (await s.enriched(isolationLevel)).length >= TRIPS / 4, 20_000)
    const victim = three[0] as Instance
    await kill(victim)
    const sawAtKill = (await s.enriched(isolationLevel)).length
    await producing
    // Killed mid-stream: trips were still arriving.
    expect(sawAtKill).toBeLessThan(TRIPS)
    // The killed instance may have been through with its drivers' trips already: trips of every
    // driver after the kill leave work on its partitions that only the survivors, once they have
    // taken them over, can do.
    await s.addTrips(TRIPS / 4)
    const survivors = three.slice(1)
    await waitFor('every trip enriched', async () => {
      for (const { child, output } of survivors) if (child.exitCode !== null) throw new Error(`A surviving instance exited: ${output}`)
      return new Set(await s.enriched(isolationLevel)).size >= s.tripCount()
    }, withinMs)
    await waitFor('the final totals', async () => {
      const last = await s.lastTotals(isolationLevel)
      return [...s.expectedTotals()].every(([driver, total]) => last.get(driver)?.trips === total.trips)
    }, 20_000)
    // The survivors took over the killed instance's drivers (restored from the changelogs).
    await waitFor('every driver held by the survivors', () => survivors.reduce((sum, i) => sum + i.drivers, 0) === DRIVERS.length, 20_000)
    return survivors
  }

  it('at_least_once: the two survivors finish the work, every trip is reflected and the totals are right', async () => {
    const s = await fleet()
    const three = await startThree('at_least_once')
    await killOneMidStream('read_uncommitted', s, three)
    expect([...new Set(await s.enriched('read_uncommitted'))].sort()).toEqual(s.expectedEnriched())
    expect(await s.lastTotals('read_uncommitted')).toEqual(s.expectedTotals())
  }, withinMs + 60_000)

  it('exactly_once_v2: a read_committed reader sees each result exactly once', async () => {
    const s = await fleet()
    const three = await startThree('exactly_once_v2')
    await killOneMidStream('read_committed', s, three)
    expect((await s.enriched('read_committed')).sort()).toEqual(s.expectedEnriched())
    // Each driver's totals only grow: a trip processed twice would repeat a total.
    for (const [driver, totals] of await s.totalUpdates('read_committed')) {
      for (let i = 1; i < totals.length; i++) expect((totals[i] as { trips: number }).trips, `${driver}: ${JSON.stringify(totals)}`).toBeGreaterThan((totals[i - 1] as { trips: number }).trips)
    }
    expect(await s.lastTotals('read_committed')).toEqual(s.expectedTotals())
  }, withinMs + 60_000)
})
