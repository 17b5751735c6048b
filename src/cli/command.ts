import type { CliIo } from './io.js'

/** One `tributary <name>` subcommand. `run` resolves to the process exit code. */
export interface Command {
  readonly name: string
  /** One line for `tributary --help`. */
  readonly summary: string
  /** The full usage text for `tributary <name> --help`. */
  readonly usage: string
  run(args: readonly string[], io: CliIo, signal: AbortSignal): Promise<number>
}
