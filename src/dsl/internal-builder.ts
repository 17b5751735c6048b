import { compileLogicalGraph } from './logical/compile.js'
import { generatedName, kindTraits, type LogicalNode, type UserStoreSpec } from './logical/nodes.js'
import type { Topology } from '../topology/topology.js'

type WithoutId<N> = N extends LogicalNode ? Omit<N, 'id'> : never

/**
 * The one mutable object behind the DSL: it appends frozen logical nodes in creation order and
 * hands out Kafka Streams-style generated names. Streams and tables are immutable views on it.
 */
export class InternalStreamsBuilder {
  private readonly nodes: LogicalNode[] = []
  private readonly stores: UserStoreSpec[] = []
  private index = 0

  /**
   * The user's name, or `PREFIX-0000000007`. An index is consumed either way, as Kafka Streams'
   * NamedInternal does "to keep topology backward compatibility": naming one operator must not
   * renumber the generated names (and so the stores and changelogs) after it.
   */
  name(prefix: string, userName?: string): string {
    const generated = generatedName(prefix, this.index++)
    return userName ?? generated
  }

  /**
   * The user's name, or a generated one; a user's name consumes no index. Kafka Streams names this
   * way where the name is a store's (Materialized) or a repartition's or process()'s own.
   */
  nameUnlessGiven(prefix: string, userName?: string): string {
    return userName ?? generatedName(prefix, this.index++)
  }

  add<N extends WithoutId<LogicalNode>>(node: N): number {
    const id = this.nodes.length
    this.nodes.push(Object.freeze({ ...node, id }) as unknown as LogicalNode)
    return id
  }

  /** The name of the node `id` (a join names its repartition topics after the node in front of it). */
  nodeName(id: number): string {
    const node = this.nodes[id]
    if (node === undefined) throw new RangeError(`No logical node ${id}.`)
    return node.name
  }

  /**
   * Whether the records leaving node `id` may no longer be partitioned by their key (a key-changing
   * operator upstream, with no repartition since): a join after it repartitions, as Kafka Streams'
   * `repartitionRequired` says.
   */
  keyChanged(id: number): boolean {
    const node = this.nodes[id]
    if (node === undefined) throw new RangeError(`No logical node ${id}.`)
    const traits = kindTraits[node.kind]
    if (traits.keys === 'resets') return false
    if (traits.keys === 'changes' || (node.kind === 'stateless' && node.changesKey)) return true
    return node.parents.some((p) => this.keyChanged(p))
  }

  addStore(store: UserStoreSpec): void {
    this.stores.push(Object.freeze(store))
  }

  build(): Topology {
    return compileLogicalGraph({ nodes: [...this.nodes], stores: [...this.stores], nextIndex: this.index })
  }
}
