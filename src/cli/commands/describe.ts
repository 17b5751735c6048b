import { CliError } from '../../core/errors.js'
import { bundledTopologies } from '../../../topologies/index.js'
import type { BundledTopology } from '../../../topologies/types.js'
import type { Command } from '../command.js'
import { parseFlags } from '../parse-flags.js'
import { resolveTopology } from '../run/resolve-topology.js'

const usage = `Usage: tributary describe <topology> [--format text|mermaid]

Prints the processor graph of a bundled topology: its sub-topologies, sources, processors,
stores and sinks ("text", the default, as Kafka Streams' TopologyDescription), or a Mermaid
flowchart ("mermaid") to paste into Markdown.`

/**
 * A registry URL for building topologies that write Avro: building only configures their serdes,
 * nothing is fetched, so describing needs no running registry.
 */
const DESCRIBE_REGISTRY_URL = 'http://127.0.0.1:8081'

/** `tributary describe`; `topologies` is injectable so tests can describe their own. */
export function createDescribeCommand(topologies: readonly BundledTopology[] = bundledTopologies): Command {
  return {
    name: 'describe',
    summary: 'Print the processor graph of a bundled topology (text or mermaid)',
    usage,
    async run(args, io) {
      const { values, positionals } = parseFlags('describe', args, { format: { type: 'string' } }, true)
      const format = (values.format as string | undefined) ?? 'text'
      if (format !== 'text' && format !== 'mermaid') {
        throw new CliError(`tributary describe: --format must be text or mermaid, got "${format}".`)
      }
      if (positionals.length !== 1) {
        throw new CliError('tributary describe: name one topology, e.g. "tributary describe fleet-map" ("tributary list" shows them all).')
      }
      const { topology } = resolveTopology('describe', positionals[0]!, topologies).build({ schemaRegistryUrl: DESCRIBE_REGISTRY_URL })
      io.out(format === 'mermaid' ? topology.toMermaid() : topology.describe())
      return 0
    },
  }
}

export const describeCommand: Command = createDescribeCommand()
