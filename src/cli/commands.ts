import type { Command } from './command.js'
import { brokerCommand } from './commands/broker.js'
import { describeCommand } from './commands/describe.js'
import { generateCommand } from './commands/generate.js'
import { listCommand } from './commands/list.js'
import { runCommand } from './commands/run.js'

/** Every subcommand, in the order `tributary --help` lists them. */
export const commands: readonly Command[] = [listCommand, describeCommand, runCommand, generateCommand, brokerCommand]
