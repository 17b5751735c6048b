/**
 * Tributary's KafkaStreams running a scenario's variant in a Node process of its own, so that
 * its CPU time and memory are the application's alone (the load generator and the result reader
 * stay in the bench's process), as Kafka Streams' JVM is measured. Started by
 * `startTributaryProcess()`; reports over IPC when it has started, fails, or has closed.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { directoryBytes } from '../../src/runtime/directory-bytes.js'
import { KafkaStreams } from '../../src/runtime/kafka-streams.js'
import type { ProcessingGuarantee } from '../../src/runtime/config.js'
import { SCENARIOS } from './scenarios/index.js'

export interface TributaryProcessOptions {
  readonly scenario: string
  readonly variant: string
  readonly guarantee: ProcessingGuarantee
  readonly bootstrapServers: string
  readonly applicationId: string
  readonly stateDir: string
  readonly commitIntervalMs: number
}

export interface TributaryProcess {
  readonly pid: number
  /** Milliseconds `start()` took (group join, topic checks, restoration, global tables). */
  readonly startMs: number
  /** Global-table records the instance had read when `start()` returned. */
  readonly globalRecordsRead: number
  /** Throws the application's error, if it reported one. */
  checkHealthy(): void
  /** Closes the application; resolves with the bytes of its state directory after the close. */
  stop(): Promise<number>
}

type FromChild =
  | { readonly type: 'started'; readonly startMs: number; readonly globalRecordsRead: number }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'closed'; readonly stateBytes: number }

/**
 * `TRIBUTARY_BENCH_CPU_PROF=<dir>`: each Tributary process writes a V8 CPU profile there when it
 * exits (`npm run bench:profile -- <file>` prints its top functions).
 */
function cpuProfileArgs(): string[] {
  const dir = process.env.TRIBUTARY_BENCH_CPU_PROF
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`]
}

export async function startTributaryProcess(options: TributaryProcessOptions): Promise<TributaryProcess> {
  const child = fork(new URL(import.meta.url), ['--serve', JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...cpuProfileArgs()] })
  if (child.pid === undefined) throw new Error('The Tributary process could not be started.')
  const pid = child.pid
  let failure: Error | undefined
  let closed: ((bytes: number) => void) | undefined
  let stopping = false
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // An exit nobody asked for fails the run at once rather than at the commit wait's timeout.
  child.once('exit', (code, signal) => {
    if (!stopping) failure ??= new Error(`The Tributary process (${options.scenario}/${options.variant}) exited (${signal ?? code}).`)
  })
  const started = new Promise<Extract<FromChild, { type: 'started' }>>((resolve, reject) => {
    child.on('message', (message: FromChild) => {
      if (message.type === 'started') resolve(message)
      else if (message.type === 'error') {
        failure ??= new Error(`Tributary (${options.scenario}/${options.variant}) failed: ${message.message}`)
        reject(failure)
      } else closed?.(message.stateBytes)
    })
    child.once('exit', (code) => reject(failure ?? new Error(`The Tributary process exited with code ${code} before it started.`)))
  })
  try {
    const { startMs, globalRecordsRead } = await started
    return {
      pid,
      startMs,
      globalRecordsRead,
      checkHealthy: () => {
        if (failure !== undefined) throw failure
      },
      stop: () => {
        stopping = true
        return stopChild(child, exited, (resolve) => (closed = resolve))
      },
    }
  } catch (error) {
    stopping = true
    await stopChild(child, exited, () => undefined)
    throw error
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>, onClosed: (resolve: (bytes: number) => void) => void): Promise<number> {
  let bytes = 0
  onClosed((b) => (bytes = b))
  if (child.exitCode === null && child.signalCode === null) child.send('stop')
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  await exited
  clearTimeout(timer)
  return bytes
}

async function serve(options: TributaryProcessOptions): Promise<void> {
  const send = (message: FromChild): void => void process.send?.(message)
  const variant = SCENARIOS.find((s) => s.name === options.scenario)?.variants.find((v) => v.name === options.variant)
  if (variant === undefined) throw new Error(`No scenario variant ${options.scenario}/${options.variant}.`)
  const app = new KafkaStreams(variant.build().topology, {
    // The settings the variant's topology is meant to run with (bundled.config), e.g. upstream watermarks.
    ...variant.config,
    applicationId: options.applicationId,
    bootstrapServers: [options.bootstrapServers],
    stateDir: options.stateDir,
    processingGuarantee: options.guarantee,
    commitIntervalMs: options.commitIntervalMs,
    // Every update forwarded, as the compute limit and Kafka Streams' uncached rows emit them, so
    // result counts compare one to one. TRIBUTARY_BENCH_CACHE_MAX_BYTES runs the rows with a record
    // cache instead (for scenarios judged by final values, such as window-count).
    cacheMaxBytes: Number(process.env.TRIBUTARY_BENCH_CACHE_MAX_BYTES ?? 0),
  })
  app.on('error', (error) => send({ type: 'error', message: error instanceof Error ? error.message : String(error) }))
  const close = async (): Promise<void> => {
    await app.close().catch(() => undefined)
    // After close: RocksDB has flushed its memtables, so the files hold everything the stores kept.
    send({ type: 'closed', stateBytes: await directoryBytes(options.stateDir).catch(() => 0) })
    process.exit(0)
  }
  process.on('message', (m) => {
    if (m === 'stop') void close()
  })
  // Without a parent there is nobody to stop this application: close it rather than linger.
  process.on('disconnect', () => void close())
  try {
    const started = performance.now()
    await app.start()
    const startMs = performance.now() - started
    const global = (await app.metrics()).globalTables
    send({ type: 'started', startMs, globalRecordsRead: (global?.processed ?? 0) + (global?.skipped ?? 0) })
  } catch (error) {
    send({ type: 'error', message: error instanceof Error ? error.message : String(error) })
  }
}

if (process.argv[2] === '--serve') await serve(JSON.parse(process.argv[3] as string) as TributaryProcessOptions)
