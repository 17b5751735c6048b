import { TopologyError } from '../core/errors.js'
import type { ProcessorSupplier } from '../processors/api.js'
import type { StoreType } from '../state/types.js'
import { Topology } from './topology.js'
import type {
  InternalTopicSpec,
  OffsetResetPolicy,
  SerdeRef,
  StoreSpec,
  Subtopology,
  TimestampExtractor,
  TopicNameExtractor,
  TopologyNode,
} from './types.js'

interface PendingNode {
  readonly type: 'source' | 'processor' | 'sink'
  readonly name: string
  readonly parents: readonly string[]
  readonly stores: string[]
  readonly build: (children: readonly string[], stores: readonly string[]) => TopologyNode
}

/**
 * Assembles a physical topology node by node (the compiler of the DSL uses it; so can code that
 * builds a topology by hand), then validates it and cuts it into sub-topologies.
 */
export class TopologyAssembler {
  private readonly pending = new Map<string, PendingNode>()
  private readonly stores = new Map<string, StoreSpec>()
  private readonly internalTopics = new Map<string, InternalTopicSpec>()
  private readonly copartitionGroups: string[][] = []
  private readonly topicOwners = new Map<string, string>()
  /** Global store name -> the processor that fills it from its topic. */
  private readonly globalStoreOwners = new Map<string, string>()

  addSource(
    name: string,
    topics: readonly string[],
    keySerde: SerdeRef,
    valueSerde: SerdeRef,
    timestampExtractor?: TimestampExtractor,
    offsetResetPolicy?: OffsetResetPolicy,
  ): void {
    for (const topic of topics) {
      const owner = this.topicOwners.get(topic)
      if (owner !== undefined) {
        throw new TopologyError(
          `Source "${name}" reads topic "${topic}", which source "${owner}" already reads. ` +
            `Read a topic once (builder.stream or builder.table) and reuse the resulting stream.`,
        )
      }
      this.topicOwners.set(topic, name)
    }
    this.add({
      type: 'source',
      name,
      parents: [],
      stores: [],
      build: (children) => ({ type: 'source', name, topics: [...topics], keySerde, valueSerde, timestampExtractor, ...(offsetResetPolicy === undefined ? {} : { offsetResetPolicy }), children }),
    })
  }

  addProcessor(name: string, supplier: ProcessorSupplier, parents: readonly string[], stores: readonly string[] = []): void {
    this.add({
      type: 'processor',
      name,
      parents,
      stores: [...stores],
      build: (children, connected) => ({ type: 'processor', name, supplier, stores: connected, parents, children }),
    })
  }

  /** Connects processor `name`, added before, to more stores (Kafka's connectProcessorAndStateStores). */
  connectStores(name: string, stores: readonly string[]): void {
    const node = this.pending.get(name)
    if (node === undefined || node.type !== 'processor') {
      throw new TopologyError(`Cannot connect state stores to "${name}": it is not a processor of this topology.`)
    }
    for (const store of stores) if (!node.stores.includes(store)) node.stores.push(store)
  }

  addSink(name: string, topic: string | TopicNameExtractor, keySerde: SerdeRef, valueSerde: SerdeRef, parents: readonly string[]): void {
    this.add({ type: 'sink', name, parents, stores: [], build: () => ({ type: 'sink', name, topic, keySerde, valueSerde, parents }) })
  }

  addStore(spec: StoreSpec): void {
    if (this.stores.has(spec.definition.name)) {
      throw new TopologyError(`Two state stores are named "${spec.definition.name}". Give each operator's store a distinct storeName.`)
    }
    const storeType: unknown = spec.definition.storeType
    if (storeType !== undefined && storeType !== 'rocksdb' && storeType !== 'memory') {
      throw new TopologyError(
        `State store "${spec.definition.name}" has storeType ${JSON.stringify(storeType)}: use 'rocksdb' or 'memory', or leave it out for the instance's storeSupplier.`,
      )
    }
    this.stores.set(spec.definition.name, spec)
  }

  /**
   * A global store: filled by `owner` (fed by its own source topic, read by every instance in full)
   * and readable by processors of any sub-topology without joining them into one.
   */
  addGlobalStore(spec: StoreSpec, owner: string): void {
    this.addStore({ ...spec, global: true })
    this.globalStoreOwners.set(spec.definition.name, owner)
  }

  hasStore(name: string): boolean {
    return this.stores.has(name)
  }

  /** The kind of a store added so far (joins read a windowed table through its window or session store). */
  storeType(name: string): StoreType | undefined {
    return this.stores.get(name)?.definition.type
  }

  addInternalTopic(spec: InternalTopicSpec): void {
    if (this.internalTopics.has(spec.name)) {
      throw new TopologyError(`Two internal topics are named "${spec.name}". Give each repartition a distinct name.`)
    }
    this.internalTopics.set(spec.name, spec)
  }

  addCopartitionGroup(topics: readonly string[]): void {
    this.copartitionGroups.push([...topics])
  }

  build(): Topology {
    const children = new Map<string, string[]>()
    for (const node of this.pending.values()) children.set(node.name, [])
    for (const node of this.pending.values()) {
      for (const parent of node.parents) {
        const siblings = children.get(parent)
        const parentNode = this.pending.get(parent)
        if (siblings === undefined || parentNode === undefined) {
          throw new TopologyError(`Node "${node.name}" names an unknown parent "${parent}".`)
        }
        if (parentNode.type === 'sink') throw new TopologyError(`Node "${node.name}" cannot follow sink "${parent}": a sink has no children.`)
        siblings.push(node.name)
      }
      for (const store of node.stores) {
        if (!this.stores.has(store)) {
          throw new TopologyError(
            `Operator "${node.name}" uses state store "${store}", which is not defined. ` +
              `Add it with builder.addStateStore({ name: '${store}', ... }) or fix the name.`,
          )
        }
      }
    }
    const nodes = new Map<string, TopologyNode>()
    for (const node of this.pending.values()) nodes.set(node.name, node.build(children.get(node.name) ?? [], node.stores))
    return new Topology({
      nodes,
      stores: this.stores,
      internalTopics: this.internalTopics,
      subtopologies: this.cutSubtopologies(nodes),
      copartitionGroups: this.copartitionGroups,
    })
  }

  private add(node: PendingNode): void {
    if (this.pending.has(node.name)) {
      throw new TopologyError(`Two operators are named "${node.name}". Every operator's name must be unique; pass a different { name }.`)
    }
    this.pending.set(node.name, node)
  }

  /** Nodes joined by an edge or a shared store run in the same task: union them, in insertion order. */
  private cutSubtopologies(nodes: ReadonlyMap<string, TopologyNode>): Subtopology[] {
    const root = new Map<string, string>()
    const find = (name: string): string => {
      let r = name
      while (root.get(r) !== r) r = root.get(r) as string
      root.set(name, r)
      return r
    }
    const union = (a: string, b: string): void => {
      const ra = find(a)
      const rb = find(b)
      if (ra !== rb) root.set(rb, ra)
    }
    for (const name of nodes.keys()) root.set(name, name)
    const storeUser = new Map<string, string>()
    for (const node of nodes.values()) {
      if (node.type !== 'source') for (const parent of node.parents) union(parent, node.name)
      if (node.type === 'processor') {
        for (const store of node.stores) {
          if (this.globalStoreOwners.has(store)) continue
          const other = storeUser.get(store)
          if (other === undefined) storeUser.set(store, node.name)
          else union(other, node.name)
        }
      }
    }
    const groups = new Map<string, string[]>()
    for (const name of nodes.keys()) {
      const r = find(name)
      const group = groups.get(r)
      if (group === undefined) groups.set(r, [name])
      else group.push(name)
    }
    return [...groups.values()].map((members, id) => {
      const sourceTopics: string[] = []
      const stores = new Set<string>()
      let global = false
      for (const name of members) {
        const node = nodes.get(name) as TopologyNode
        if (node.type === 'source') sourceTopics.push(...node.topics)
        if (node.type !== 'processor') continue
        for (const store of node.stores) {
          const owner = this.globalStoreOwners.get(store)
          if (owner === undefined) stores.add(store)
          else if (owner === name) {
            stores.add(store)
            global = true
          }
        }
      }
      return global ? { id, nodes: members, sourceTopics, stores: [...stores], global } : { id, nodes: members, sourceTopics, stores: [...stores] }
    })
  }
}
