import type {
  LogicalGraph,
  LogicalNode,
  SinkNodeSpec,
  StatelessNode,
  StreamAggregateNode,
  StreamSourceNode,
} from '../../../src/dsl/logical/nodes.js'
import type { ProcessorSupplier } from '../../../src/processors/api.js'
import type { Serde } from '../../../src/serde/serde.js'
import type { Topology } from '../../../src/topology/topology.js'

// Hand-built logical graphs: a pass can be run alone, or the compiler without its passes, which
// StreamsBuilder (it always runs the default passes) does not allow.

const noop: ProcessorSupplier = () => ({ process() {} })

/** Generated names of nodes a pass adds start at this index, so tests can spell them out. */
export const NEXT_INDEX = 100

export function graph(nodes: LogicalNode[]): LogicalGraph {
  return { nodes, stores: [], nextIndex: NEXT_INDEX }
}

export function source(id: number, topics: string[], valueSerde?: Serde<unknown>): StreamSourceNode {
  return { kind: 'stream-source', id, name: `source-${id}`, parents: [], topics, keySerde: undefined, valueSerde, timestampExtractor: undefined }
}

/** A map-like operator; `changesKey` as for `map`/`selectKey`, otherwise as for `mapValues`. */
export function stateless(id: number, parent: number, changesKey: boolean): StatelessNode {
  return { kind: 'stateless', id, name: `op-${id}`, parents: [parent], operator: changesKey ? 'map' : 'mapValues', supplier: noop, changesKey }
}

/** A count whose store (and repartition topic, if one is needed) is named `store-<id>`. */
export function count(id: number, parent: number): StreamAggregateNode {
  return {
    kind: 'stream-aggregate',
    id,
    name: `count-${id}`,
    parents: [parent],
    storeName: `store-${id}`,
    keySerde: undefined,
    valueSerde: undefined,
    aggregateSerde: undefined,
    loggingEnabled: true,
    cachingEnabled: true,
    repartitionBase: `store-${id}`,
    repartitionNamedByUser: false,
    accumulate: (_key, _value, previous) => ((previous as number | undefined) ?? 0) + 1,
  }
}

export function sink(id: number, parent: number, topic: string): SinkNodeSpec {
  return { kind: 'sink', id, name: `sink-${id}`, parents: [parent], topic, keySerde: undefined, valueSerde: undefined }
}

/** The repartition topics of a topology, by their relative names. */
export function repartitionTopics(topology: Topology): string[] {
  return [...topology.internalTopics.values()].filter((t) => t.purpose === 'repartition').map((t) => t.name)
}

/** Each sub-topology as the topics it reads and the stores it builds. */
export function subtopologyShapes(topology: Topology): { sourceTopics: readonly string[]; stores: readonly string[] }[] {
  return topology.subtopologies.map((s) => ({ sourceTopics: s.sourceTopics, stores: s.stores }))
}

/** The stores a processor node is connected to. */
export function storesOf(topology: Topology, nodeName: string): readonly string[] {
  const node = topology.node(nodeName)
  if (node.type !== 'processor') throw new Error(`${nodeName} is a ${node.type} node`)
  return node.stores
}
