/**
 * A measured program (the raw pipe, a peer library's application) in a Node process of its own,
 * so that its CPU time and peak memory are its alone, apart from the bench's load generator and
 * result reader, as Tributary's process (tributary-process.ts) and Kafka Streams' JVM are measured.
 *
 * The parent forks a module with `--serve <options as JSON>`; the module calls `serveChild`,
 * which reports over IPC once the program has started, if it fails, and once it has closed.
 */
import { fork } from 'node:child_process'

type FromChild<Started, Closed> =
  | { readonly type: 'started'; readonly started: Started }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'closed'; readonly closed: Closed }

export interface ChildService<Started, Closed> {
  readonly pid: number
  /** What the program reported when it had started. */
  readonly started: Started
  /** Throws the program's error, or its unexpected exit, if either happened. */
  checkHealthy(): void
  /** Asks the program to close; resolves with what it reported once closed (undefined if it had to be killed). */
  stop(): Promise<Closed | undefined>
}

/** How long a program may take to close before it is killed. */
const STOP_TIMEOUT_MS = 30_000

/** Forks `moduleUrl` (a module that calls `serveChild`) with `options`; resolves once it has started. */
export async function startChildService<Started, Closed>(moduleUrl: URL, options: unknown, label: string): Promise<ChildService<Started, Closed>> {
  const child = fork(moduleUrl, ['--serve', JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  if (child.pid === undefined) throw new Error(`${label}: the process could not be started.`)
  const pid = child.pid
  let failure: Error | undefined
  let stopping = false
  let closed: Closed | undefined
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // An exit nobody asked for fails the run at once rather than at the commit wait's timeout.
  child.once('exit', (code, signal) => {
    if (!stopping) failure ??= new Error(`${label}: the process exited (${signal ?? code}).`)
  })
  const started = new Promise<Started>((resolve, reject) => {
    child.on('message', (message: FromChild<Started, Closed>) => {
      if (message.type === 'started') resolve(message.started)
      else if (message.type === 'error') {
        failure ??= new Error(`${label} failed: ${message.message}`)
        reject(failure)
      } else closed = message.closed
    })
    child.once('exit', (code) => reject(failure ?? new Error(`${label}: the process exited with code ${code} before it started.`)))
  })
  const stop = async (): Promise<Closed | undefined> => {
    stopping = true
    if (child.exitCode === null && child.signalCode === null) child.send('stop')
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    await exited
    clearTimeout(timer)
    return closed
  }
  try {
    return {
      pid,
      started: await started,
      checkHealthy: () => {
        if (failure !== undefined) throw failure
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** A program as `serveChild` runs it: started, then closed when the parent asks. */
export interface ServedProgram<Started, Closed> {
  readonly started: Started
  close(): Promise<Closed>
}

/**
 * The child's side: parses the options the parent passed, starts the program and reports it
 * started; `fail` reports an error that stops the run. Closes the program when the parent says
 * 'stop' or goes away (nobody would stop it otherwise), then exits.
 */
export async function serveChild<Options, Started, Closed>(start: (options: Options, fail: (error: unknown) => void) => Promise<ServedProgram<Started, Closed>>): Promise<void> {
  const send = (message: FromChild<Started, Closed>): void => void process.send?.(message)
  const fail = (error: unknown): void => send({ type: 'error', message: error instanceof Error ? error.message : String(error) })
  let program: ServedProgram<Started, Closed> | undefined
  let closing = false
  const close = async (): Promise<void> => {
    if (closing) return
    closing = true
    try {
      if (program !== undefined) send({ type: 'closed', closed: await program.close() })
    } catch (error) {
      fail(error)
    }
    process.exit(0)
  }
  process.on('message', (m) => {
    if (m === 'stop') void close()
  })
  process.on('disconnect', () => void close())
  try {
    program = await start(JSON.parse(process.argv[3] as string) as Options, fail)
    send({ type: 'started', started: program.started })
  } catch (error) {
    fail(error)
  }
}
