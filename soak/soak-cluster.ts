import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ProcessingGuarantee } from '../src/runtime/index.js'
import { Child } from './child.js'
import type { SoakInstanceSettings } from './soak-instance.js'

/** The package root, whether this file runs compiled (dist/soak) or from source (soak/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error('The soak cannot find the package root (package.json).')
    dir = parent
  }
  return dir
}

/** Compiled entry points: the broker runs through the CLI, each instance from dist/soak. */
function compiled(path: string): string {
  const file = resolve(packageRoot(), 'dist', path)
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (the soak runs the compiled package in child processes).`)
  return file
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
  const address = server.address()
  await new Promise<void>((done) => server.close(() => done()))
  if (address === null || typeof address === 'string') throw new Error('No free port.')
  return address.port
}

/** The embedded broker in a child process (`tributary broker`), restartable on its port and data dir. */
export class BrokerProcess {
  private child: Child | undefined

  constructor(
    readonly port: number,
    private readonly advertisedListener: string,
    private readonly dataDir: string,
  ) {}

  async start(): Promise<void> {
    const child = new Child('broker', [
      compiled('src/cli/main.js'), 'broker', '--port', String(this.port), '--advertised-listener', this.advertisedListener,
      '--data-dir', this.dataDir, '--no-registry',
    ])
    this.child = child
    await child.waitForLine((line) => line.startsWith('Kafka broker listening'), 30_000, 'listening broker')
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    await this.child?.kill(signal)
  }
}

/** What an instance last reported. */
export interface InstanceStatus {
  readonly state: string
  readonly processed: number
  readonly late: number
  readonly atMs: number
}

/**
 * One soak instance in a child process, on its own state directory. SIGKILLed and started again,
 * it comes back on the same directory (and so with the same static group instance id).
 */
export class InstanceProcess {
  /** Latest status of the running incarnation. */
  status: InstanceStatus | undefined
  /** Records dropped as late by earlier incarnations (each counts from its own start). */
  lateBefore = 0
  readonly errors: string[] = []
  /** Exits nobody asked for, with what the instance said before. */
  readonly unexpectedExits: string[] = []
  private child: Child | undefined
  private killing = false

  constructor(
    readonly name: string,
    private readonly settings: SoakInstanceSettings,
    private readonly log: (line: string) => void,
  ) {}

  static settings(applicationId: string, bootstrap: string, stateDir: string, processingGuarantee: ProcessingGuarantee): SoakInstanceSettings {
    return { applicationId, bootstrapServers: [bootstrap], stateDir, processingGuarantee }
  }

  get late(): number {
    return this.lateBefore + (this.status?.late ?? 0)
  }

  start(): void {
    this.lateBefore = this.late
    this.status = undefined
    const child = new Child(this.name, [compiled('soak/soak-instance.js')], { SOAK_INSTANCE: JSON.stringify(this.settings) })
    this.child = child
    child.onLine((line) => this.onLine(line))
    void child.exited.then(({ code, signal }) => {
      if (this.killing || this.child !== child) return
      const said = this.errors.at(-1) ?? child.errorOutput.slice(-1_000)
      this.unexpectedExits.push(`${this.name} exited (${code ?? signal}): ${said}`)
      this.log(`${this.name} exited on its own (${code ?? signal}); starting it again`)
      this.start()
    })
  }

  /** SIGKILL, then the same instance again on the same state directory. */
  async killAndRestart(): Promise<void> {
    await this.stop('SIGKILL')
    this.start()
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    this.killing = true
    try {
      await this.child?.kill(signal)
    } finally {
      this.killing = false
    }
  }

  private onLine(line: string): void {
    if (line.startsWith('STATUS ')) {
      const { state, processed, late } = JSON.parse(line.slice(7)) as { state: string; processed: number; late: number }
      this.status = { state, processed, late, atMs: Date.now() }
    } else if (line.startsWith('STATE ')) {
      this.log(`${this.name}: ${line.slice(6)}`)
    } else if (line.startsWith('ERROR ')) {
      this.errors.push(line)
      this.log(`${this.name}: ${line}`)
    } else if (line.startsWith('WARNING ')) {
      this.log(`${this.name}: ${line}`)
    }
  }
}
