import { bundled as fleetMap } from './fleet-map/index.js'
import { bundled as repairShop } from './repair-shop/index.js'
import { bundled as rideHistory } from './ride-history/index.js'
import { bundled as rideMatching } from './ride-matching/index.js'
import { bundled as surgePricing } from './surge-pricing/index.js'
import type { BundledTopology } from './types.js'

export type { BundledTopology, BuiltTopology, OutputTopic, TopologyContext } from './types.js'

/** Every topology bundled with Tributary, in the order `tributary list` shows them. */
export const bundledTopologies: readonly BundledTopology[] = [fleetMap, surgePricing, rideHistory, rideMatching, repairShop]

/** The bundled topology called `name` (exact match), or undefined. */
export function findTopology(name: string, topologies: readonly BundledTopology[] = bundledTopologies): BundledTopology | undefined {
  return topologies.find((t) => t.name === name)
}
