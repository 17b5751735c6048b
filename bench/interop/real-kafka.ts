/**
 * A real Apache Kafka broker for interop tests and the bench: a single KRaft node (broker and controller in one
 * JVM) on 127.0.0.1 with a fresh log directory, started from the jars `npm run interop:setup`
 * resolved from Maven Central (test/interop/pom.xml) and stopped by PID.
 *
 * The broker's settings are Kafka's own single-node development settings (config/server.properties
 * of the release): replication factor 1 for the offsets and transaction logs, so transactions work
 * on one node, and no initial rebalance delay.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, parse } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Admin } from '@platformatic/kafka'

/** The release CI runs when TRIBUTARY_KAFKA_VERSION does not name another (built by interop:setup). */
export const DEFAULT_KAFKA_VERSION = '3.9.2'

/**
 * test/interop of the repository, whether this module runs from its source (bench/interop) or
 * compiled (dist/bench/interop): the Maven build and its jars live there either way.
 */
export function interopDirectory(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'test', 'interop', 'pom.xml'))) return join(dir, 'test', 'interop')
    if (dir === parse(dir).root) throw new Error(`No test/interop/pom.xml above ${from}: the Apache Kafka launcher runs from a checkout of the repository.`)
  }
}

export interface RealKafka {
  /** `127.0.0.1:<port>` */
  readonly bootstrapServers: string
  readonly version: string
  readonly pid: number
  /** The broker's own log (stdout and stderr), kept until `stop()`, for a failing test to show. */
  readonly logFile: string
  /** Stops the broker (SIGTERM, SIGKILL after 20 s) and removes its log directory. */
  stop(): Promise<void>
}

export interface RealKafkaOptions {
  readonly version?: string
  /** Partitions of a topic created without a count (the embedded test broker's default is 3 too). */
  readonly defaultPartitions?: number
  /** Whether producing to or fetching from an unknown topic creates it (default false, as the embedded test broker). */
  readonly autoCreateTopics?: boolean
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms (Kafka's default, 10 s, when absent). */
  readonly transactionTimeoutCheckIntervalMs?: number
}

export function kafkaVersion(): string {
  return process.env['TRIBUTARY_KAFKA_VERSION'] ?? DEFAULT_KAFKA_VERSION
}

/** The Java class path of `version`'s broker, Kafka Streams and the applications under src/. */
export function kafkaClassPath(version = kafkaVersion()): string {
  const target = join(interopDirectory(), 'target', version)
  const file = join(target, 'classpath.txt')
  const jar = join(target, 'tributary-interop-0.1.0.jar')
  if (!existsSync(file) || !existsSync(jar)) {
    throw new Error(`Apache Kafka ${version} is not set up: run \`npm run interop:setup\` (Maven resolves it from Maven Central into test/interop/target/${version}).`)
  }
  return `${jar}:${readFileSync(file, 'utf8').trim()}`
}

/** How many times a broker whose port was taken between choosing it and binding it is started again. */
const PORT_RACE_ATTEMPTS = 3

export async function startRealKafka(options: RealKafkaOptions = {}): Promise<RealKafka> {
  // A free port is found by binding and closing it; by the time the JVM binds it (seconds later,
  // after formatting the storage) another process, another test's client included, may hold it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options)
    } catch (error) {
      const portTaken = error instanceof Error && error.message.includes('Address already in use')
      if (!portTaken || attempt >= PORT_RACE_ATTEMPTS) throw error
    }
  }
}

async function startOnce(options: RealKafkaOptions): Promise<RealKafka> {
  const version = options.version ?? kafkaVersion()
  const classPath = kafkaClassPath(version)
  const dir = mkdtempSync(join(tmpdir(), `tributary-kafka-${version}-`))
  const [port, controllerPort] = [await freePort(), await freePort()]
  const properties = join(dir, 'server.properties')
  writeFileSync(properties, serverProperties({ dir, port, controllerPort, defaultPartitions: options.defaultPartitions ?? 3, autoCreateTopics: options.autoCreateTopics ?? false, transactionTimeoutCheckIntervalMs: options.transactionTimeoutCheckIntervalMs }))

  const clusterId = randomClusterId()
  await promisify(execFile)('java', ['-cp', classPath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties], { timeout: 60_000 })

  const logFile = join(dir, 'broker.log')
  const log = openSync(logFile, 'a')
  const child = spawn('java', ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', `-Dorg.slf4j.simpleLogger.defaultLogLevel=${process.env['TRIBUTARY_KAFKA_LOG'] ?? 'warn'}`,
    // "Kafka Server started" is how the broker says it serves requests (its port accepts earlier).
    '-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info', '-cp', classPath, 'kafka.Kafka', properties], {
    stdio: ['ignore', log, log],
  })
  closeSync(log)
  const pid = child.pid
  if (pid === undefined) throw new Error('java could not be started: is a JDK 17 on the PATH?')

  const bootstrapServers = `127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    await stopProcess(child)
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitUntilServing(child, port, logFile)
    await waitForCoordinators(bootstrapServers)
  } catch (error) {
    await stop()
    throw error
  }
  return { bootstrapServers, version, pid, logFile, stop }
}

/**
 * 16 random bytes in URL-safe base64 without padding, as `StorageTool random-uuid` prints. Like
 * Kafka's Uuid.randomUuid(), never one starting with '-': StorageTool would read it as an option.
 */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

function serverProperties(o: { dir: string; port: number; controllerPort: number; defaultPartitions: number; autoCreateTopics: boolean; transactionTimeoutCheckIntervalMs: number | undefined }): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(o.dir, 'logs')}`,
    `num.partitions=${o.defaultPartitions}`,
    `auto.create.topics.enable=${o.autoCreateTopics}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'group.initial.rebalance.delay.ms=0',
    ...(o.transactionTimeoutCheckIntervalMs === undefined ? [] : [`transaction.abort.timed.out.transaction.cleanup.interval.ms=${o.transactionTimeoutCheckIntervalMs}`]),
    '',
  ].join('\n')
}

/** Until the broker says it has started (registered with its controller, unfenced) and accepts connections. */
async function waitUntilServing(child: ChildProcess, port: number, logFile: string): Promise<void> {
  const deadline = Date.now() + 90_000
  let exited: number | null = null
  child.once('exit', (code) => {
    exited = code ?? -1
  })
  for (;;) {
    if (exited !== null) throw new Error(`Apache Kafka exited (${exited}) before serving; its log:\n${tail(logFile)}`)
    if (Date.now() > deadline) throw new Error(`Apache Kafka did not serve on ${port} within 90 s; its log:\n${tail(logFile)}`)
    if (readFileSync(logFile, 'utf8').includes('Kafka Server started') && (await accepts(port))) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * Until the group and transaction coordinators answer. Kafka creates __consumer_offsets and
 * __transaction_state on the first FindCoordinator and answers COORDINATOR_NOT_AVAILABLE until they
 * are loaded; a cluster that has been up for a while (what users run against) has both, so tests
 * start there rather than in the broker's first seconds.
 */
async function waitForCoordinators(bootstrapServers: string): Promise<void> {
  const admin = new Admin({ clientId: 'tributary-interop-readiness', bootstrapBrokers: [bootstrapServers] })
  try {
    const deadline = Date.now() + 60_000
    for (const keyType of [0, 1] as const) {
      for (;;) {
        const found = await admin.findCoordinator({ keyType, keys: ['tributary-readiness'] }).then(
          (results) => results.every((r) => r.nodeId >= 0),
          () => false,
        )
        if (found) break
        if (Date.now() > deadline) throw new Error(`Apache Kafka's ${keyType === 0 ? 'group' : 'transaction'} coordinator did not become available within 60 s.`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  } finally {
    await admin.close()
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  await exited
  clearTimeout(timer)
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('No free port.')
  return address.port
}
