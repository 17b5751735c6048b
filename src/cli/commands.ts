import type { Command } from './command.js'
import { brokerCommand } from './commands/broker.js'

/** Every subcommand, in the order `tributary --help` lists them. */
export const commands: readonly Command[] = [brokerCommand]
