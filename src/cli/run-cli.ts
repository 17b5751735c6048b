import { isTributaryError } from '../core/errors.js'
import type { Command } from './command.js'
import { commands as builtInCommands } from './commands.js'
import type { CliIo } from './io.js'
import { packageVersion } from './version.js'

export function usage(commands: readonly Command[]): string {
  const width = Math.max(9, ...commands.map((c) => c.name.length))
  const commandLines = commands.length === 0
    ? ['  (none yet in this version)']
    : commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
  return [
    `tributary ${packageVersion()}: stream processing on Kafka with streams, tables, joins and windows`,
    '',
    'Usage: tributary <command> [options]',
    '',
    'Commands:',
    ...commandLines,
    '',
    'Options:',
    `  ${'--help'.padEnd(width)}  Show this help, or a command's help: tributary <command> --help`,
    `  ${'--version'.padEnd(width)}  Print the version`,
  ].join('\n')
}

/**
 * Runs the CLI and resolves to the exit code: 0 on success, 1 when a command failed, 2 when the
 * command line itself was wrong. Errors are printed as one line that says what to do.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  signal: AbortSignal = new AbortController().signal,
  commands: readonly Command[] = builtInCommands,
): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined
    const command = topic === undefined ? undefined : commands.find((c) => c.name === topic)
    io.out(command?.usage ?? usage(commands))
    return 0
  }
  if (first === '--version' || first === '-v') {
    io.out(packageVersion())
    return 0
  }
  if (first.startsWith('-')) {
    io.err(`tributary: unknown option "${first}". Run "tributary --help" for usage.`)
    return 2
  }
  const command = commands.find((c) => c.name === first)
  if (command === undefined) {
    const known = commands.map((c) => c.name).join(', ')
    io.err(`tributary: unknown command "${first}". ${known ? `Commands: ${known}. ` : ''}Run "tributary --help" for usage.`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage)
    return 0
  }
  try {
    return await command.run(rest, io, signal)
  } catch (error) {
    if (isTributaryError(error, 'TRIBUTARY_CLI')) {
      io.err(error.message)
      return 2
    }
    const message = error instanceof Error ? error.message : String(error)
    io.err(`tributary ${command.name}: ${message}`)
    return 1
  }
}
