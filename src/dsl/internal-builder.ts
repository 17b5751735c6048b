import { compileLogicalGraph } from '../topology/logical/compile.js'
import { generatedName, type LogicalNode, type UserStoreSpec } from '../topology/logical/nodes.js'
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

  /** The user's name, or `PREFIX-0000000007`; only generated names consume an index. */
  name(prefix: string, userName?: string): string {
    if (userName !== undefined) return userName
    return generatedName(prefix, this.index++)
  }

  add<N extends WithoutId<LogicalNode>>(node: N): number {
    const id = this.nodes.length
    this.nodes.push(Object.freeze({ ...node, id }) as unknown as LogicalNode)
    return id
  }

  addStore(store: UserStoreSpec): void {
    this.stores.push(Object.freeze(store))
  }

  build(): Topology {
    return compileLogicalGraph({ nodes: [...this.nodes], stores: [...this.stores], nextIndex: this.index })
  }
}
