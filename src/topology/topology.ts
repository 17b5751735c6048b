import { TopologyError } from '../core/errors.js'
import { describeTopology } from './describe.js'
import { topologyToMermaid } from './mermaid.js'
import type { InternalTopicSpec, OffsetResetPolicy, SourceNode, StoreSpec, Subtopology, TopologyNode } from './types.js'

export interface TopologyParts {
  readonly nodes: ReadonlyMap<string, TopologyNode>
  readonly stores: ReadonlyMap<string, StoreSpec>
  readonly internalTopics: ReadonlyMap<string, InternalTopicSpec>
  readonly subtopologies: readonly Subtopology[]
  readonly copartitionGroups: readonly (readonly string[])[]
}

/**
 * A compiled, immutable processor topology: what `StreamsBuilder.build()` returns and what
 * `KafkaStreams` and `TopologyTestDriver` run; `describe()` and `toMermaid()` show its graph.
 *
 * @example
 * const topology = builder.build()
 * console.log(topology.describe())
 */
export class Topology {
  /** @internal */
  readonly nodes: ReadonlyMap<string, TopologyNode>
  /** @internal */
  readonly stores: ReadonlyMap<string, StoreSpec>
  /** @internal Keyed by the name relative to the application id. */
  readonly internalTopics: ReadonlyMap<string, InternalTopicSpec>
  /** @internal */
  readonly subtopologies: readonly Subtopology[]
  /** @internal Topics whose partitions must line up (same count, same partitioner): joins need this. */
  readonly copartitionGroups: readonly (readonly string[])[]
  // With the members above hidden from the published types, this keeps a plain object with
  // describe() and toMermaid() from passing for a Topology. Types only: no field at runtime.
  private declare readonly built: true

  /** @internal */
  constructor(parts: TopologyParts) {
    this.nodes = parts.nodes
    this.stores = parts.stores
    this.internalTopics = parts.internalTopics
    this.subtopologies = parts.subtopologies
    this.copartitionGroups = parts.copartitionGroups
    Object.freeze(this)
  }

  /** Kafka Streams' TopologyDescription text: sub-topologies with their sources, processors and sinks. */
  describe(): string {
    return describeTopology(this)
  }

  /** A Mermaid flowchart of the same graph, for docs and pull requests. */
  toMermaid(): string {
    return topologyToMermaid(this)
  }

  /** @internal The full topic name: internal topics get the `<applicationId>-` prefix. */
  topicName(topic: string, applicationId: string): string {
    return this.internalTopics.has(topic) ? `${applicationId}-${topic}` : topic
  }

  /** @internal Every topic some source node reads, relative names for internal topics. */
  sourceTopics(): string[] {
    return this.subtopologies.flatMap((s) => s.sourceTopics)
  }

  /** @internal The sub-topology that reads `topic` (relative name for internal topics), if any. */
  subtopologyOf(topic: string): Subtopology | undefined {
    return this.subtopologies.find((s) => s.sourceTopics.includes(topic))
  }

  /** @internal */
  node(name: string): TopologyNode {
    const node = this.nodes.get(name)
    if (node === undefined) throw new TopologyError(`No node named "${name}" in this topology. Names are listed by topology.describe().`)
    return node
  }

  /** @internal The reset policy the source of `topic` was given (`builder.stream(topic, { offsetResetPolicy })`), if any. */
  offsetResetPolicy(topic: string): OffsetResetPolicy | undefined {
    return this.sourceNodeFor(topic)?.offsetResetPolicy
  }

  /** @internal */
  sourceNodeFor(topic: string): SourceNode | undefined {
    for (const node of this.nodes.values()) if (node.type === 'source' && node.topics.includes(topic)) return node
    return undefined
  }
}
