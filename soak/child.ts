import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

/** A child process whose stdout is read line by line; stderr is kept for the report of a failure. */
export class Child {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  private readonly process: ChildProcess
  private readonly lineListeners = new Set<(line: string) => void>()
  private stderr = ''
  private done = false

  constructor(
    readonly name: string,
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ) {
    this.process = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      for (const listener of this.lineListeners) listener(line)
    })
    this.process.stderr!.on('data', (chunk: Buffer) => {
      // The tail is what explains a failure.
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4_000)
    })
    this.exited = new Promise((resolve) =>
      this.process.once('exit', (code, signal) => {
        this.done = true
        resolve({ code, signal })
      }),
    )
  }

  get running(): boolean {
    return !this.done
  }

  get errorOutput(): string {
    return this.stderr
  }

  onLine(listener: (line: string) => void): void {
    this.lineListeners.add(listener)
  }

  /** Resolves with the first line that `matches`; fails when the child exits first or `timeoutMs` passes. */
  waitForLine(matches: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const finish = (error: Error | undefined, line?: string) => {
        clearTimeout(timer)
        this.lineListeners.delete(listener)
        if (error === undefined) resolve(line as string)
        else reject(error)
      }
      const listener = (line: string) => {
        if (matches(line)) finish(undefined, line)
      }
      const timer = setTimeout(() => finish(new Error(`${this.name}: no ${what} within ${timeoutMs} ms. stderr: ${this.stderr}`)), timeoutMs)
      this.lineListeners.add(listener)
      void this.exited.then(({ code, signal }) => finish(new Error(`${this.name} exited (${code ?? signal}) before ${what}. stderr: ${this.stderr}`)))
    })
  }

  /** Sends the signal and waits for the exit. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.done) this.process.kill(signal)
    await this.exited
  }
}
