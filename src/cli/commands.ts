import type { Command } from './command.js'

/** Every subcommand, in the order `tributary --help` lists them. */
export const commands: readonly Command[] = []
