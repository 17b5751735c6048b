import { CliError } from '../../core/errors.js'
import { findTopology } from '../../../topologies/index.js'
import type { BundledTopology } from '../../../topologies/types.js'

/** The bundled topology `name`, or a CliError (exit code 2) naming the ones there are. */
export function resolveTopology(command: string, name: string, topologies: readonly BundledTopology[]): BundledTopology {
  const found = findTopology(name, topologies)
  if (found !== undefined) return found
  const known = topologies.map((t) => t.name).join(', ')
  throw new CliError(`tributary ${command}: unknown topology "${name}". ${known === '' ? 'This build bundles none.' : `Known topologies: ${known}.`} Run "tributary list" to see what each does.`)
}
