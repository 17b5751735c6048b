import { bundledTopologies } from '../../../topologies/index.js'
import type { BundledTopology } from '../../../topologies/types.js'
import type { Command } from '../command.js'
import { parseFlags } from '../parse-flags.js'

const usage = `Usage: tributary list

Lists the topologies bundled with Tributary, one line each. Run one with "tributary run <name>",
see its processor graph with "tributary describe <name>".`

/** `tributary list`; `topologies` is injectable so tests can list their own. */
export function createListCommand(topologies: readonly BundledTopology[] = bundledTopologies): Command {
  return {
    name: 'list',
    summary: 'List the bundled topologies',
    usage,
    async run(args, io) {
      parseFlags('list', args, {})
      if (topologies.length === 0) {
        io.out('No topologies are bundled with this build.')
        return 0
      }
      const width = Math.max(...topologies.map((t) => t.name.length))
      for (const t of topologies) io.out(`${t.name.padEnd(width)}  ${t.description}`)
      io.out('')
      io.out('Run one with "tributary run <name>"; "tributary describe <name>" shows its processor graph.')
      return 0
    },
  }
}

export const listCommand: Command = createListCommand()
