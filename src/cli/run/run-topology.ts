import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, isTributaryError } from '../../core/errors.js'
import { createKafkaClients, type KafkaAdmin, type KafkaReader } from '../../kafka/index.js'
import { KafkaSecurity } from '../../kafka/security.js'
import { KafkaStreams, stateDirectoryInstanceId } from '../../runtime/index.js'
import { REPAIR_SHOP_TOPICS, cityTopics, type CityOptions } from '../../../topologies/generator/index.js'
import type { BuiltTopology, BundledTopology } from '../../../topologies/types.js'
import type { CliIo } from '../io.js'
import type { CityFeed } from './city-feed.js'
import { describeTopics, ensureTopics, externalStack, startEmbeddedStack, type KafkaStack } from './kafka-stack.js'
import { OutputTap } from './output-tap.js'
import { RunMonitor, type AppFigures } from './run-monitor.js'
import { startLiveMap, type LiveMap } from './live-map/live-map.js'
import type { RunOptions } from './run-options.js'
import type { ClusterAccess } from '../security-flags.js'
import type { StatusDisplay } from './status-line.js'
import { formatSummary } from './summary.js'

export interface RunEnvironment {
  readonly io: CliIo
  readonly display: StatusDisplay
  readonly cityFeed: CityFeed
  /** What the runtime reports about a running app (rates, lag, store sizes). */
  readonly appFigures: (app: KafkaStreams, appStateDir: string) => Promise<AppFigures>
}

const PARTITIONS = 3
/** Commit (and so publish outputs) every second: a person watching wants to see results now. */
const COMMIT_INTERVAL_MS = 1_000
/** The simulated city runs this long when no --duration is given: longer than anyone watches. */
const OPEN_ENDED_CITY_S = 24 * 3600
/** How long the generator may take to create its topics before the app starts without them. */
const TOPICS_WAIT_MS = 15_000

const repairShopTopics = new Set<string>(Object.values(REPAIR_SHOP_TOPICS))

/** Resolves `stopped` once `stop()` is called; the first reason given wins. */
class Stopper {
  reason: string | undefined
  failure: unknown
  readonly stopped: Promise<void>
  private resolve!: () => void
  constructor() {
    this.stopped = new Promise<void>((resolve) => (this.resolve = resolve))
  }
  stop(reason: string, failure?: unknown): void {
    if (this.reason !== undefined) return
    this.reason = reason
    this.failure = failure
    this.resolve()
  }
}

const sleep = (ms: number, until: Promise<unknown>) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    void until.then(() => {
      clearTimeout(timer)
      resolve()
    })
  })

interface RunningGenerator {
  /** Records sent so far, per topic. */
  readonly sent: Map<string, number>
  /** The topology's inputs the generator writes (and creates). */
  readonly topics: readonly string[]
  readonly abort: AbortController
  /** Settles when the generator stops; a failure stops the run. */
  readonly done: Promise<void>
}

function startGenerator(env: RunEnvironment, stack: KafkaStack, options: RunOptions, inputs: readonly string[], stopper: Stopper): RunningGenerator {
  const city: CityOptions = {
    seed: options.seed,
    drivers: options.drivers,
    riders: options.riders,
    durationS: options.durationS === undefined ? OPEN_ENDED_CITY_S : Math.ceil(options.durationS) + 60,
    repairShop: inputs.some((topic) => repairShopTopics.has(topic)),
  }
  const sent = new Map<string, number>()
  const abort = new AbortController()
  env.io.out(`Generating a city of ${options.drivers} drivers and ${options.riders} riders (seed ${options.seed}) ` +
    `${options.rate === undefined ? 'in real time' : `in real time, at most ${options.rate} records/s`}.`)
  const done = env.cityFeed({
    bootstrapServers: stack.bootstrapServers,
    schemaRegistryUrl: stack.schemaRegistryUrl,
    access: stack.access,
    options: city,
    ratePerSecond: options.rate,
    signal: abort.signal,
    onProgress: (progress) => {
      for (const [topic, n] of progress) sent.set(topic, n)
    },
  }).then(
    (final) => {
      for (const [topic, n] of final) sent.set(topic, n)
    },
    (error: unknown) => stopper.stop('the generator failed', error),
  )
  const written = new Set<string>(cityTopics(city))
  return { sent, topics: inputs.filter((topic) => written.has(topic)), abort, done }
}

/** Waits (a bounded time) until every topic exists, or `until` settles. */
async function waitForTopics(admin: KafkaAdmin, topics: readonly string[], until: Promise<unknown>): Promise<void> {
  let settled = false
  void until.then(() => (settled = true))
  for (const deadline = Date.now() + TOPICS_WAIT_MS; !settled && Date.now() < deadline;) {
    if ((await admin.describeTopics(topics)).size === topics.length) return
    await sleep(100, until)
  }
}

function buildTopology(bundled: BundledTopology, schemaRegistryUrl: string | undefined, access: ClusterAccess): BuiltTopology {
  try {
    return bundled.build({
      ...(schemaRegistryUrl === undefined ? {} : { schemaRegistryUrl }),
      ...(access.registry === undefined ? {} : { schemaRegistryAccess: access.registry }),
    })
  } catch (error) {
    if (schemaRegistryUrl !== undefined || !isTributaryError(error, 'TRIBUTARY_CONFIG')) throw error
    // Only an external cluster comes without a registry: say which flag gives it one.
    throw new ConfigError(`${error.message} With --brokers, pass the cluster's registry as --registry <url>.`, { cause: error })
  }
}

/** Sums what each application reports; a figure is known when any application reports it. */
function sumFigures(all: readonly AppFigures[]): AppFigures {
  const sum = (pick: (f: AppFigures) => number | undefined) => {
    const known = all.map(pick).filter((n): n is number => n !== undefined)
    return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0)
  }
  const processed = sum((f) => f.processed)
  const lag = sum((f) => f.lag)
  const stateBytes = sum((f) => f.stateBytes)
  return { ...(processed === undefined ? {} : { processed }), ...(lag === undefined ? {} : { lag }), ...(stateBytes === undefined ? {} : { stateBytes }) }
}

/** The state of several applications as one: the first that is not RUNNING, else RUNNING. */
function combinedState(apps: readonly KafkaStreams[]): string {
  return apps.map((app) => app.state()).find((state) => state !== 'RUNNING') ?? 'RUNNING'
}

function unique<T>(items: readonly T[], key: (item: T) => string = String): T[] {
  const seen = new Set<string>()
  return items.filter((item) => !seen.has(key(item)) && seen.add(key(item)) !== undefined)
}

/**
 * Runs bundled topologies side by side until --duration passes, Ctrl-C, or a failure: starts the
 * Kafka stack, the generator (one city for all of them), the live map's server and one
 * application per topology, shows status and samples, then closes everything in reverse order and
 * prints the summary. Resolves with the exit code; rejects with the failure (after the summary)
 * when an application or the generator failed.
 */
export async function runTopologies(bundledList: readonly BundledTopology[], options: RunOptions, env: RunEnvironment, signal: AbortSignal): Promise<number> {
  const { io, display } = env
  const startedAt = Date.now()
  const names = bundledList.map((b) => b.name)
  const title = names.join(', ')
  const stack: KafkaStack = options.brokers === undefined
    ? await startEmbeddedStack({ dataDir: options.dataDir, port: options.port, registryPort: options.registryPort, durability: options.brokerDurability })
    : externalStack(options.brokers, options.registryUrl, options.access)
  const cleanups: (() => unknown)[] = [() => stack.close()]
  let temporaryStateDir: string | undefined
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve().then(cleanup).catch(() => undefined)
    if (temporaryStateDir !== undefined) rmSync(temporaryStateDir, { recursive: true, force: true })
  }
  try {
    if (stack.embedded) {
      const data = stack.dataDir!
      io.out(`Embedded Kafka broker on ${stack.bootstrapServers.join(',')} and schema registry on ${stack.schemaRegistryUrl} ` +
        `(data in ${data.path}${data.temporary ? ', removed on exit' : ''}).`)
    } else if (stack.access.kafka.tls !== undefined || stack.access.kafka.sasl !== undefined) {
      // Says how it connects (never with what password), so a refusal is easier to place.
      const security = new KafkaSecurity(stack.access.kafka)
      const sasl = security.saslMechanism === undefined ? '' : ` (${security.saslMechanism} as ${security.saslUsername})`
      io.out(`Connecting to Kafka at ${stack.bootstrapServers.join(',')} over ${security.protocol}${sasl}.`)
    }
    const running = bundledList.map((bundled) => ({ bundled, built: buildTopology(bundled, stack.schemaRegistryUrl, stack.access) }))
    const inputs = unique(running.flatMap((r) => r.built.inputs))
    const outputs = unique(running.flatMap((r) => r.built.outputs), (o) => o.topic)
    const outputTopics = outputs.map((o) => o.topic)
    const clients = createKafkaClients({
      bootstrapServers: stack.bootstrapServers,
      clientId: `${names.join('.')}-cli`,
      applicationId: `${names.join('.')}-cli`,
      retries: stack.embedded ? 2 : 1,
      retryDelayMs: 200,
      connectTimeoutMs: 3_000,
      ...stack.access.kafka,
    })
    const admin: KafkaAdmin = clients.admin()
    cleanups.push(() => admin.close())
    await describeTopics(admin, [...inputs, ...outputTopics], stack.bootstrapServers)

    const stopper = new Stopper()
    const onAbort = () => stopper.stop('interrupted')
    if (signal.aborted) onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    cleanups.push(() => signal.removeEventListener('abort', onAbort))
    if (options.durationS !== undefined) {
      const timer = setTimeout(() => stopper.stop(`--duration ${options.durationS} reached`), options.durationS * 1000)
      cleanups.push(() => clearTimeout(timer))
    }

    // The generator goes first: it creates its topics as the city's systems configure them
    // (change-event topics compacted), and the apps then start with the profiles' snapshot there.
    const generator = options.generate ? startGenerator(env, stack, options, inputs, stopper) : undefined
    if (generator === undefined) io.out(`No generator (--no-generate): ${running.length > 1 ? 'the topologies process' : 'the topology processes'} what ${running.length > 1 ? 'their' : 'its'} input topics hold or receive.`)
    cleanups.push(() => generator?.abort.abort())
    if (generator !== undefined) await waitForTopics(admin, generator.topics, Promise.race([generator.done, stopper.stopped]))
    const topics = await ensureTopics(admin, [...inputs, ...outputTopics], PARTITIONS, stack.bootstrapServers)
    if (!stack.embedded && topics.created.length > 0) io.out(`Created topics ${topics.created.join(', ')} (${PARTITIONS} partitions each).`)

    // State kept across runs would not match a temporary broker's offsets: it goes with the broker.
    if (options.stateDir === undefined && stack.dataDir?.temporary === true) temporaryStateDir = mkdtempSync(join(tmpdir(), 'tributary-state-'))
    const stateDir = options.stateDir ?? temporaryStateDir ?? '.tributary/state'
    const shownStateDir = running.length === 1 ? join(stateDir, names[0]!) : stateDir
    const reader: KafkaReader = clients.reader({ isolationLevel: 'read_committed', maxWaitMs: 50 })
    cleanups.push(() => reader.close())
    const tap = new OutputTap(reader, outputs, topics.counts)
    await tap.begin()

    // The map's server listens before the apps exist: they advertise it as their applicationServer.
    let liveMap: LiveMap | undefined
    if (options.httpPort !== undefined) {
      const mapReader = clients.reader({ isolationLevel: 'read_committed', maxWaitMs: 50 })
      cleanups.push(() => mapReader.close())
      liveMap = await startLiveMap(mapReader, topics.counts, outputs, options)
    }
    if (liveMap !== undefined) cleanups.push(() => liveMap?.close())

    const apps = running.map(({ bundled, built }) => {
      const app = new KafkaStreams(built.topology, {
        applicationId: bundled.name,
        bootstrapServers: stack.bootstrapServers,
        ...stack.access.kafka,
        stateDir,
        processingGuarantee: options.guarantee,
        ...bundled.config,
        ...(options.watermarks === undefined ? {} : { watermarks: options.watermarks }),
        commitIntervalMs: COMMIT_INTERVAL_MS,
        // Static membership: restarted on the same state directory (after a crash too), the
        // application takes its old place in the group at once instead of waiting for its session.
        groupInstanceId: stateDirectoryInstanceId(stateDir, bundled.name),
        ...(liveMap === undefined ? {} : { applicationServer: liveMap.address }),
      })
      app.on('error', (error) => stopper.stop(running.length > 1 ? `${bundled.name} failed` : 'the application failed', error))
      return app
    })
    for (const [i, { bundled, built }] of running.entries()) {
      const settings = apps[i]!.config.watermarks === 'upstream' ? `${options.guarantee}, upstream watermarks` : options.guarantee
      io.out(`Running ${bundled.name} (${settings}): reads ${built.inputs.join(', ')}; writes ${built.outputs.map((o) => o.topic).join(', ')}.`)
    }
    io.out(`State in ${shownStateDir}${running.length > 1 ? ' (a directory per topology)' : ''}${temporaryStateDir === undefined ? '' : ' (temporary, removed on exit)'}.`)
    if (liveMap !== undefined) {
      liveMap.serve(running.map(({ bundled, built }, i) => ({ name: bundled.name, app: apps[i]!, stores: built.stores })))
      io.out(`Live map: ${liveMap.url}`)
    }
    io.out(options.durationS === undefined ? 'Press Ctrl-C to stop.' : `Stopping after ${options.durationS} s (or Ctrl-C).`)

    // start() resolves once the first assignment is restored; a stop request meanwhile ends the wait.
    if (stopper.reason === undefined) {
      const started = Promise.all(apps.map((app) => app.start())).catch((error: unknown) => stopper.stop('the application failed', error))
      await Promise.race([started, stopper.stopped])
    }
    const figuresOfAll = async () => sumFigures(await Promise.all(apps.map((app, i) => env.appFigures(app, join(stateDir, names[i]!)))))
    const monitor = new RunMonitor({
      tap,
      display,
      appState: () => combinedState(apps),
      appFigures: figuresOfAll,
      generated: () => (generator === undefined ? undefined : [...generator.sent.values()].reduce((a, b) => a + b, 0)),
      startedAt,
    })
    while (stopper.reason === undefined) {
      await sleep(1_000, stopper.stopped)
      if (stopper.reason === undefined) await monitor.tick()
    }

    display.finish()
    io.out(`Stopping (${stopper.reason})...`)
    generator?.abort.abort()
    await generator?.done
    await Promise.all(apps.map((app) => app.close().catch((error: unknown) => {
      stopper.failure ??= error
    })))
    // What the last commit published is counted too.
    await tap.poll().catch(() => undefined)
    const figures = await figuresOfAll()
    await cleanUp()
    io.out(formatSummary({
      topology: title,
      durationMs: Date.now() - startedAt,
      guarantee: options.guarantee,
      stoppedBecause: stopper.reason,
      generated: generator?.sent,
      processed: figures.processed,
      produced: tap.produced(),
      stateDir: shownStateDir,
      stateRemoved: temporaryStateDir !== undefined,
    }))
    if (stopper.failure !== undefined) throw stopper.failure
    return 0
  } finally {
    await cleanUp()
  }
}
