import { parseArgs, type ParseArgsConfig } from 'node:util'
import { CliError } from '../core/errors.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** Flag values by name, and the positionals when the command allows them. */
export interface ParsedFlags {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>
  positionals: string[]
}

/**
 * Parses a subcommand's flags strictly: an unknown flag, a missing value or a stray positional
 * argument becomes a CliError that names the command, so the user sees one clear line.
 */
export function parseFlags(command: string, args: readonly string[], options: Options, allowPositionals = false): ParsedFlags {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals })
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause)
    throw new CliError(`tributary ${command}: ${detail}. Run "tributary ${command} --help" for usage.`, { cause })
  }
}

/** Reads an integer flag value, with a CliError that says which flag and what is allowed. */
export function intFlag(command: string, flag: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) {
    throw new CliError(`tributary ${command}: --${flag} must be an integer >= ${min}, got "${value}".`)
  }
  return n
}
