/** The compiled topology and what a runtime needs to execute it. */
export { Topology } from './topology.js'
export type { TopologyParts } from './topology.js'
export { TopologyAssembler } from './topology-assembler.js'
export { ProcessorGraph } from './processor-graph.js'
export type { TaskHost, TaskSource } from './processor-graph.js'
export { resolveSerde } from './types.js'
export type * from './types.js'
