/**
 * Kafka Streams itself, in a JVM beside the test: a Scenario of test/interop/src run by
 * KafkaStreamsRunner against any broker (the embedded one or Apache Kafka).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { kafkaClassPath } from './kafka.js'

export interface KafkaStreamsApp {
  readonly pid: number
  /** Every line the runner printed (STATE ..., TOPOLOGY, ERROR ..., and Kafka's warnings). */
  readonly lines: readonly string[]
  /** The latest `STATE` it reported. */
  state(): string | undefined
  /** Resolves once the application reports `state` (rejects if it reports ERROR or exits first). */
  waitForState(state: string, timeoutMs?: number): Promise<void>
  /** Closes the application (SIGTERM runs KafkaStreams.close()) and removes its state directory. */
  stop(): Promise<void>
}

export interface KafkaStreamsAppOptions {
  /** The Scenario's class, relative to the package dev.tributary.interop (e.g. `differential.FleetMap`). */
  readonly scenario: string
  readonly bootstrapServers: string
  readonly applicationId: string
  /** Further `key=value` arguments: Kafka Streams settings and the scenario's own options. */
  readonly options?: Readonly<Record<string, string | number>>
  /** JVM heap ceiling (default 512m). */
  readonly maxHeap?: string
}

export async function startKafkaStreams(o: KafkaStreamsAppOptions): Promise<KafkaStreamsApp> {
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-kafka-streams-'))
  const args = [`bootstrap.servers=${o.bootstrapServers}`, `application.id=${o.applicationId}`, `state.dir=${stateDir}`]
  for (const [key, value] of Object.entries(o.options ?? {})) args.push(`${key}=${value}`)
  const child = spawn('java', [`-Xmx${o.maxHeap ?? '512m'}`, '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', kafkaClassPath(), 'dev.tributary.interop.KafkaStreamsRunner', o.scenario, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  if (child.pid === undefined) throw new Error('java could not be started: is a JDK 17 on the PATH?')
  const lines: string[] = []
  let state: string | undefined
  const waiters = new Set<() => void>()
  const onLine = (line: string): void => {
    lines.push(line)
    if (line.startsWith('STATE ')) state = line.slice('STATE '.length)
    for (const wake of waiters) wake()
  }
  createInterface({ input: child.stdout! }).on('line', onLine)
  createInterface({ input: child.stderr! }).on('line', onLine)
  let exited = false
  child.once('exit', () => {
    exited = true
    for (const wake of waiters) wake()
  })

  const app: KafkaStreamsApp = {
    pid: child.pid,
    lines,
    state: () => state,
    waitForState: (wanted, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          const error = lines.find((l) => l.startsWith('ERROR '))
          if (state === wanted) done(() => resolve())
          else if (error !== undefined || state === 'ERROR') done(() => reject(new Error(`Kafka Streams (${o.scenario}) failed: ${error ?? 'ERROR'}\n${lines.slice(-30).join('\n')}`)))
          else if (exited) done(() => reject(new Error(`Kafka Streams (${o.scenario}) exited before ${wanted}:\n${lines.slice(-30).join('\n')}`)))
        }
        const timer = setTimeout(() => done(() => reject(new Error(`Kafka Streams (${o.scenario}) not ${wanted} within ${timeoutMs} ms (state ${state}):\n${lines.slice(-30).join('\n')}`))), timeoutMs)
        const done = (settle: () => void): void => {
          clearTimeout(timer)
          waiters.delete(check)
          settle()
        }
        waiters.add(check)
        check()
      }),
    stop: async () => {
      if (!exited) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
        await gone
        clearTimeout(timer)
      }
      rmSync(stateDir, { recursive: true, force: true })
    },
  }
  return app
}
