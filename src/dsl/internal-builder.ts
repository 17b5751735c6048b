import { TopologyError } from '../core/errors.js'
import { compileLogicalGraph } from './logical/compile.js'
import { changesKeys, generatedName, kindTraits, tableStoreOf, type LogicalNode, type RepartitionNames, type UserStoreSpec } from './logical/nodes.js'
import type { Topology } from '../topology/topology.js'

type WithoutId<N> = N extends LogicalNode ? Omit<N, 'id'> : never

const MAX_NAME_LENGTH = 249
const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/

/**
 * A user's name for an operator, store or internal topic, checked as Kafka Streams' Named.validate
 * does: names become topic names (repartition, changelog), so Kafka's topic rules apply.
 */
export function validName(name: string): string {
  if (name.length === 0) throw new TopologyError('Name is illegal, it can\'t be empty.')
  if (name === '.' || name === '..') throw new TopologyError('Name cannot be "." or "..".')
  if (name.length > MAX_NAME_LENGTH) throw new TopologyError(`Name is illegal, it can't be longer than ${MAX_NAME_LENGTH} characters, name: ${name}`)
  if (!LEGAL_NAME.test(name)) throw new TopologyError(`Name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'.`)
  return name
}

/**
 * The one mutable object behind the DSL: it appends frozen logical nodes in creation order and
 * hands out Kafka Streams-style generated names. Streams and tables are immutable views on it.
 */
export class InternalStreamsBuilder {
  private readonly nodes: LogicalNode[] = []
  private readonly stores: UserStoreSpec[] = []
  private readonly suppliedStores = new Set<object>()
  private index = 0
  private readonly materializedTables = new Set<number>()
  /** See `LogicalGraph.oldValuesRequired`. */
  private readonly oldValuesRequired = new Set<number>()

  /**
   * The user's name, or `PREFIX-0000000007`. An index is consumed either way, as Kafka Streams'
   * NamedInternal does "to keep topology backward compatibility": naming one operator must not
   * renumber the generated names (and so the stores and changelogs) after it.
   */
  name(prefix: string, userName?: string): string {
    const generated = generatedName(prefix, this.index++)
    return userName === undefined ? generated : validName(userName)
  }

  /**
   * The sink, filter and source of a repartition topic `<base>-repartition`, numbered now (Kafka's
   * createRepartitionedSource): generated names for a generated base, `<base>-repartition-sink/...`
   * for a user's, three indexes consumed either way.
   */
  repartitionNames(base: string): RepartitionNames {
    const sink = this.name('KSTREAM-SINK-')
    const filter = this.name('KSTREAM-FILTER-')
    const source = this.name('KSTREAM-SOURCE-')
    if (/^KSTREAM.*-[0-9]{10}$/.test(base)) return { sink, filter, source }
    return { sink: `${base}-repartition-sink`, filter: `${base}-repartition-filter`, source: `${base}-repartition-source` }
  }

  /**
   * The user's name, or a generated one; a user's name consumes no index. Kafka Streams names this
   * way where the name is a store's (Materialized) or a repartition's or process()'s own.
   */
  nameUnlessGiven(prefix: string, userName?: string): string {
    return userName === undefined ? generatedName(prefix, this.index++) : validName(userName)
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
    if (changesKeys(node)) return true
    return node.parents.some((p) => this.keyChanged(p))
  }

  /**
   * Table `id` must keep its store (Kafka's KTableSource.materialize()): a join looks it up, or a
   * user named the store. Only sources and foreign-key join results can go without one.
   */
  materialize(id: number): void {
    this.materializedTables.add(id)
  }

  /**
   * An operator needs the old value of each change of table `id` (Kafka's
   * enableSendingOldValues(true)): the nearest table upstream with a store keeps it.
   */
  requireOldValues(id: number): void {
    const node = this.nodes[id]
    if (node === undefined) throw new RangeError(`No logical node ${id}.`)
    if (node.kind === 'table-source' || node.kind === 'stream-to-table' || node.kind === 'foreign-key-join') this.materialize(id)
    // A filter or mapValues with a store reads old values from it, not from upstream.
    else if (node.kind === 'table-stateless' && node.store !== undefined) this.oldValuesRequired.add(id)
    else if (node.kind === 'table-table-join') this.oldValuesRequired.add(id)
    else if (node.kind === 'table-stateless') this.requireOldValues(node.parents[0] as number)
  }

  /**
   * Whether a join can look table `id` up through Kafka's value getters: its own store, or a filter,
   * mapValues or table join whose parents can be looked up. If so, the tables with a store on the
   * way keep it (`materialize`) and true is returned; a suppression on the way cannot be read so.
   */
  viewForJoin(id: number): boolean {
    if (!this.viewable(id)) return false
    this.markViewed(id)
    return true
  }

  private viewable(id: number): boolean {
    const node = this.nodes[id]
    if (node === undefined) return false
    if (node.kind === 'table-stateless') return node.store !== undefined || this.viewable(node.parents[0] as number)
    if (node.kind === 'table-table-join' && node.storeName === undefined) return node.parents.every((p) => this.viewable(p))
    return tableStoreOf(node) !== undefined
  }

  private markViewed(id: number): void {
    const node = this.nodes[id]
    if (node === undefined) return
    if (node.kind === 'table-source' || node.kind === 'stream-to-table' || node.kind === 'foreign-key-join') this.materialize(id)
    else if (node.kind === 'table-stateless' && node.store === undefined) this.markViewed(node.parents[0] as number)
    else if (node.kind === 'table-table-join' && node.storeName === undefined) for (const p of node.parents) this.markViewed(p)
  }

  addStore(store: UserStoreSpec): void {
    this.stores.push(Object.freeze(store))
  }

  /**
   * A store a processor supplier brings (Kafka's ConnectedStoreProvider): added the first time
   * its options object is seen, so processors whose suppliers share it share the store.
   */
  addSuppliedStore(options: object, store: UserStoreSpec): void {
    if (this.suppliedStores.has(options)) return
    this.suppliedStores.add(options)
    this.addStore(store)
  }

  build(options: { readonly reuseSourceTopics: boolean } = { reuseSourceTopics: false }): Topology {
    return compileLogicalGraph({
      nodes: [...this.nodes],
      stores: [...this.stores],
      nextIndex: this.index,
      reuseSourceTopics: options.reuseSourceTopics,
      materializedTables: new Set(this.materializedTables),
      oldValuesRequired: new Set(this.oldValuesRequired),
    })
  }
}
