import { TopologyError } from '../../core/errors.js'
import type { Serde } from '../../serde/serde.js'
import { changesKeys, generatedName, kindTraits, type LogicalGraph, type LogicalNode, type RepartitionNames, type RepartitionNode } from './nodes.js'

/** A rewrite of the logical graph; passes run in order before compilation. */
export type GraphPass = (graph: LogicalGraph) => LogicalGraph

/**
 * Two `builder.stream()` calls on the same topics become one source, so the topic is read once and
 * both branches see every record. Reading a topic twice with different serdes is a mistake we report.
 */
export const mergeDuplicateSources: GraphPass = (graph) => {
  const firstByTopics = new Map<string, LogicalNode & { kind: 'stream-source' }>()
  const replaced = new Map<number, number>()
  for (const node of graph.nodes) {
    if (node.kind !== 'stream-source') continue
    const topicsKey = [...node.topics].sort().join('\u0000')
    const first = firstByTopics.get(topicsKey)
    if (first === undefined) {
      firstByTopics.set(topicsKey, node)
      continue
    }
    // Kafka's InternalTopologyBuilder refuses one topic under two reset policies, set or not.
    if (first.offsetResetPolicy !== node.offsetResetPolicy) {
      throw new TopologyError(
        `Sources "${first.name}" and "${node.name}" both read [${node.topics.join(', ')}] but with different offset reset policies ` +
          `(${first.offsetResetPolicy ?? 'unset'} and ${node.offsetResetPolicy ?? 'unset'}). Read the topic once and reuse the stream.`,
      )
    }
    if (first.keySerde !== node.keySerde || first.valueSerde !== node.valueSerde || first.timestampExtractor !== node.timestampExtractor) {
      throw new TopologyError(
        `Sources "${first.name}" and "${node.name}" both read [${node.topics.join(', ')}] but with different serdes or ` +
          `timestamp extractors. Read the topic once and reuse the stream.`,
      )
    }
    replaced.set(node.id, first.id)
  }
  if (replaced.size === 0) return graph
  const nodes = graph.nodes
    .filter((node) => !replaced.has(node.id))
    .map((node) => (node.parents.some((p) => replaced.has(p)) ? { ...node, parents: node.parents.map((p) => replaced.get(p) ?? p) } : node))
  return { ...graph, nodes }
}

/**
 * An aggregation or a stream join needs its input partitioned by its key. After an operation
 * that may change the key (`map`, `selectKey`, `groupBy`, `process`, a table `groupBy`), the records
 * of one key may sit in several partitions, so a repartition topic is written and read back in front
 * of the operator.
 */
export const insertRepartitions: GraphPass = (graph) => {
  const keyChanged = new Map<number, boolean>()
  const nodes: LogicalNode[] = []
  let nextIndex = graph.nextIndex
  let nextId = Math.max(-1, ...graph.nodes.map((n) => n.id)) + 1
  const addRepartition = (parents: readonly number[], spec: RepartitionSpec): number => {
    const { base, namedByUser: named, carriesChanges, names } = spec
    const sinkName = names?.sink ?? (named ? `${base}-repartition-sink` : generatedName('KSTREAM-SINK-', nextIndex++))
    const filterName = carriesChanges ? undefined : (names?.filter ?? (named ? `${base}-repartition-filter` : generatedName('KSTREAM-FILTER-', nextIndex++)))
    const sourceName = names?.source ?? (named ? `${base}-repartition-source` : generatedName('KSTREAM-SOURCE-', nextIndex++))
    const repartition: RepartitionNode = Object.freeze({
      kind: 'repartition',
      id: nextId++,
      name: sourceName,
      parents,
      topic: `${base}-repartition`,
      filterName,
      sinkName,
      sourceName,
      numPartitions: undefined,
      keySerde: spec.keySerde,
      valueSerde: spec.valueSerde,
      carriesChanges,
    })
    nodes.push(repartition)
    keyChanged.set(repartition.id, false)
    return repartition.id
  }
  // Aggregations of one grouping the user named share its repartition topic, as in Kafka Streams
  // (an unnamed grouping gets one per aggregation, named after each store).
  const namedRepartitions = new Map<string, number>()
  // The last repartition written in front of a join, per stream: a later join of the same stream
  // without a name of its own reads it again, as Kafka Streams' KStreamImpl keeps its repartitionNode.
  const joinRepartitions = new Map<number, number>()
  for (const node of graph.nodes) {
    const traits = kindTraits[node.kind]
    const inputChanged = node.parents.some((p) => keyChanged.get(p) === true)
    if (traits.needsKeyPartitioning && inputChanged && 'repartitionBase' in node) {
      const shared = node.repartitionNamedByUser ? `${node.repartitionBase}\u0000${node.parents.join(',')}` : undefined
      const id =
        (shared === undefined ? undefined : namedRepartitions.get(shared)) ??
        addRepartition(node.parents, {
          base: node.repartitionBase,
          namedByUser: node.repartitionNamedByUser,
          keySerde: node.keySerde,
          valueSerde: node.valueSerde,
          carriesChanges: node.kind === 'table-aggregate',
          names: node.repartitionNames,
        })
      if (shared !== undefined) namedRepartitions.set(shared, id)
      nodes.push({ ...node, parents: [id] })
    } else if (traits.needsKeyPartitioning && inputChanged && 'repartitionSides' in node) {
      // A join repartitions each input whose key changed, so that both sides meet in the same partition.
      const parents = node.parents.map((parent, i) => {
        const side = node.repartitionSides[i]
        if (side === undefined || keyChanged.get(parent) !== true) return parent
        const previous = side.reusable ? joinRepartitions.get(parent) : undefined
        if (previous !== undefined) return previous
        const id = addRepartition([parent], { ...side, carriesChanges: false })
        joinRepartitions.set(parent, id)
        return id
      })
      nodes.push({ ...node, parents })
    } else {
      nodes.push(node)
    }
    keyChanged.set(node.id, traits.keys === 'resets' ? false : changesKeys(node) || inputChanged)
  }
  return { ...graph, nodes, nextIndex }
}

interface RepartitionSpec {
  readonly base: string
  readonly namedByUser: boolean
  readonly keySerde: Serde<unknown> | undefined
  readonly valueSerde: Serde<unknown> | undefined
  /** Table repartitions carry old and new value in each record. */
  readonly carriesChanges: boolean
  readonly names?: RepartitionNames | undefined
}

export const defaultPasses: readonly GraphPass[] = [mergeDuplicateSources, insertRepartitions]
