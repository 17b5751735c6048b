/**
 * Kafka Streams itself in a JVM of its own: a Scenario of test/interop/src (the bench's under
 * .../bench, the differential tests' under .../differential) run by KafkaStreamsRunner against any
 * broker (the embedded one or Apache Kafka). test/interop/kafka-streams.ts re-exports it.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { kafkaClassPath } from './real-kafka.js'

export interface KafkaStreamsAppOptions {
  /** The Scenario's class relative to dev.tributary.interop, e.g. `bench.RideJoin`. */
  readonly scenario: string
  readonly bootstrapServers: string
  readonly applicationId: string
  /** Further `key=value` arguments: Kafka Streams settings and the scenario's own options. */
  readonly options?: Readonly<Record<string, string | number>>
  /** JVM heap ceiling (default 512m, as the interop tests' applications). */
  readonly maxHeap?: string
}

export interface KafkaStreamsApp {
  readonly pid: number
  readonly stateDir: string
  /** The latest lines the runner printed (STATE ..., TOPOLOGY, ERROR ..., CLOSED, Kafka's warnings). */
  readonly lines: readonly string[]
  /** The latest `STATE` it reported. */
  state(): string | undefined
  /** Resolves once the application reports `state`; rejects if it reports ERROR or exits first. */
  waitForState(state: string, timeoutMs?: number): Promise<void>
  /** Throws if the application reported an error or exited. */
  checkHealthy(): void
  /** Closes the application (SIGTERM runs KafkaStreams.close()); `keepState` leaves its state directory for the caller. */
  stop(keepState?: boolean): Promise<void>
}

export async function startKafkaStreams(o: KafkaStreamsAppOptions): Promise<KafkaStreamsApp> {
  const classPath = kafkaClassPath()
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-kafka-streams-'))
  const args = [`bootstrap.servers=${o.bootstrapServers}`, `application.id=${o.applicationId}`, `state.dir=${stateDir}`]
  for (const [key, value] of Object.entries(o.options ?? {})) args.push(`${key}=${value}`)
  const child = spawn('java', [`-Xmx${o.maxHeap ?? '512m'}`, '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', classPath, 'dev.tributary.interop.KafkaStreamsRunner', o.scenario, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  if (child.pid === undefined) throw new Error('java could not be started: is a JDK 17 on the PATH?')
  const lines: string[] = []
  let state: string | undefined
  let error: string | undefined
  let exited = false
  const waiters = new Set<() => void>()
  const wake = (): void => {
    for (const w of waiters) w()
  }
  const onLine = (line: string): void => {
    lines.push(line)
    // A long run's warnings are dropped from the front; the first error is kept apart.
    if (lines.length > 500) lines.splice(0, 100)
    if (line.startsWith('STATE ')) state = line.slice('STATE '.length)
    if (line.startsWith('ERROR ')) error ??= line
    wake()
  }
  createInterface({ input: child.stdout }).on('line', onLine)
  createInterface({ input: child.stderr }).on('line', onLine)
  child.once('exit', () => {
    exited = true
    wake()
  })
  const failure = (): string | undefined => {
    if (error !== undefined || state === 'ERROR') return error ?? 'ERROR'
    return exited ? 'exited' : undefined
  }
  const describe = (what: string): Error => new Error(`Kafka Streams (${o.scenario}) ${what}:\n${lines.slice(-30).join('\n')}`)

  return {
    pid: child.pid,
    stateDir,
    lines,
    state: () => state,
    waitForState: (wanted, timeoutMs = 120_000) =>
      new Promise<void>((resolve, reject) => {
        const done = (settle: () => void): void => {
          clearTimeout(timer)
          waiters.delete(check)
          settle()
        }
        const check = (): void => {
          const failed = failure()
          if (state === wanted) done(resolve)
          else if (failed !== undefined) done(() => reject(describe(`failed before ${wanted} (${failed})`)))
        }
        const timer = setTimeout(() => done(() => reject(describe(`was not ${wanted} within ${timeoutMs} ms (state ${state})`))), timeoutMs)
        waiters.add(check)
        check()
      }),
    checkHealthy: () => {
      const failed = failure()
      if (failed !== undefined) throw describe(`failed (${failed})`)
    },
    stop: async (keepState = false) => {
      if (!exited) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
        await gone
        clearTimeout(timer)
      }
      if (!keepState) rmSync(stateDir, { recursive: true, force: true })
    },
  }
}
