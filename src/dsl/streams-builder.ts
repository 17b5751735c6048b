import { ConfigError, TopologyError } from '../core/errors.js'
import type { Serde } from '../serde/serde.js'
import type { ProcessorSupplier } from '../processors/api.js'
import type { Topology } from '../topology/topology.js'
import { GlobalKTable } from './global-k-table.js'
import { InternalStreamsBuilder } from './internal-builder.js'
import { KStream } from './k-stream.js'
import { KTable } from './k-table.js'
import type { BuildOptions, GlobalTableOptions, StateStoreOptions, StreamOptions, TableOptions } from './options.js'
import { globalUserStore, userStoreSpec } from './logical/compile-context.js'

/**
 * The entry point of the DSL: declare sources, chain operators, then `build()` the topology.
 *
 * @example
 * const builder = new StreamsBuilder()
 * builder.stream<string, Ride>('rides', { keySerde: Serdes.string(), valueSerde: Serdes.json() })
 *   .groupByKey().count({ storeName: 'rides-per-driver' })
 * const topology = builder.build()
 */
export class StreamsBuilder {
  private readonly internal = new InternalStreamsBuilder()

  /** A stream of the records of one topic (or several, given as an array). */
  stream<K, V>(topics: string | readonly string[], options: StreamOptions<K, V> = {}): KStream<K, V> {
    const list = typeof topics === 'string' ? [topics] : [...topics]
    const name = this.internal.name('KSTREAM-SOURCE-', options.name)
    const id = this.internal.add({
      kind: 'stream-source',
      name,
      parents: [],
      topics: list,
      keySerde: options.keySerde as Serde<unknown> | undefined,
      valueSerde: options.valueSerde as Serde<unknown> | undefined,
      timestampExtractor: options.timestampExtractor as never,
      ...(options.offsetResetPolicy === undefined ? {} : { offsetResetPolicy: options.offsetResetPolicy }),
    })
    return new KStream(this.internal, id, options.keySerde, options.valueSerde)
  }

  /**
   * A table of the latest value per key of a topic, kept in a store backed up to its own changelog
   * (or to the topic itself under the `reuse.ktable.source.topics` optimization).
   */
  table<K, V>(topic: string, options: TableOptions<K, V> = {}): KTable<K, V> {
    // Kafka Streams names the store first: `<topic>-STATE-STORE-0000000000`, then the source nodes.
    const storeName = this.internal.nameUnlessGiven(`${topic}-STATE-STORE-`, options.storeName)
    const sourceName = this.internal.name('KSTREAM-SOURCE-', options.name === undefined ? undefined : `${options.name}-source`)
    const name = this.internal.name('KTABLE-SOURCE-', options.name)
    const id = this.internal.add({
      kind: 'table-source',
      name,
      parents: [],
      topic,
      sourceName,
      storeName,
      keySerde: options.keySerde as Serde<unknown> | undefined,
      valueSerde: options.valueSerde as Serde<unknown> | undefined,
      timestampExtractor: options.timestampExtractor as never,
      ...(options.offsetResetPolicy === undefined ? {} : { offsetResetPolicy: options.offsetResetPolicy }),
      loggingEnabled: options.loggingEnabled ?? true,
      cachingEnabled: options.cachingEnabled ?? true,
      storeType: options.storeType,
    })
    if (options.storeName !== undefined) this.internal.materialize(id)
    return new KTable(this.internal, id, options.keySerde, options.valueSerde, { storeName, storeNamedByUser: options.storeName !== undefined, windowGraceMs: undefined })
  }

  /**
   * A table of every partition of `topic`, replicated to each instance: for joins by a computed key
   * (`stream.join(globalTable, keyMapper, joiner)`) without co-partitioning.
   */
  globalTable<K, V>(topic: string, options: GlobalTableOptions<K, V> = {}): GlobalKTable<K, V> {
    if (options.offsetResetPolicy !== undefined) {
      throw new TopologyError(
        `Global table "${topic}" was given offsetResetPolicy '${options.offsetResetPolicy}': a global table is always read from ` +
          `the start of its topic (or its checkpoint). Leave the option out.`,
      )
    }
    const storeName = this.internal.nameUnlessGiven(`${topic}-STATE-STORE-`, options.storeName)
    const sourceName = this.internal.name('KSTREAM-SOURCE-', options.name === undefined ? undefined : `${options.name}-source`)
    const name = this.internal.name('KTABLE-SOURCE-', options.name)
    this.internal.add({
      kind: 'global-table-source',
      name,
      parents: [],
      topic,
      sourceName,
      storeName,
      keySerde: options.keySerde as Serde<unknown> | undefined,
      valueSerde: options.valueSerde as Serde<unknown> | undefined,
      timestampExtractor: options.timestampExtractor as never,
      storeType: options.storeType,
    })
    return new GlobalKTable(storeName, options.keySerde, options.valueSerde)
  }

  /** A store for `stream.process(supplier, { stores: [name] })`. */
  addStateStore<K, V>(options: StateStoreOptions<K, V>): this {
    this.internal.addStore(userStoreSpec(options))
    return this
  }

  /**
   * A store every instance fills from all partitions of `topic` through `supplier`'s processor
   * (Kafka Streams' `addGlobalStore`), outside the consumer group: every task can read it with
   * `context.getStateStore(name)`. The store is never logged, whatever `loggingEnabled` says: the
   * topic is its changelog, and on restart the processor reads the topic again from the store's
   * checkpoint. The processor forwards nothing.
   *
   * @example
   * builder.addGlobalStore({ name: 'zones', type: 'keyValue', valueSerde: Serdes.json() }, 'zone-updates', {}, () => {
   *   let zones: KeyValueStore<string, Zone>
   *   return {
   *     init: (ctx) => void (zones = ctx.getStateStore('zones')),
   *     process: (r) => zones.put(r.key, r.value),
   *   }
   * })
   */
  addGlobalStore<K, V>(store: StateStoreOptions<K, V>, topic: string, consumed: StreamOptions<K, V>, supplier: ProcessorSupplier<K, V, never, never>): this {
    if (consumed.offsetResetPolicy !== undefined) {
      throw new TopologyError(
        `Global store "${store.name}" was given offsetResetPolicy '${consumed.offsetResetPolicy}': a global store is always read from ` +
          `the start of its topic (or its checkpoint). Leave the option out.`,
      )
    }
    // Kafka's InternalStreamsBuilder.addGlobalStore: `<name>-source` and `<name>`, or generated names.
    const sourceName = this.internal.name('KSTREAM-SOURCE-', consumed.name === undefined ? undefined : `${consumed.name}-source`)
    const name = this.internal.name('KTABLE-SOURCE-', consumed.name)
    this.internal.add({
      kind: 'global-store',
      name,
      parents: [],
      topic,
      sourceName,
      keySerde: consumed.keySerde as Serde<unknown> | undefined,
      valueSerde: consumed.valueSerde as Serde<unknown> | undefined,
      timestampExtractor: consumed.timestampExtractor as never,
      store: globalUserStore(store as StateStoreOptions<unknown, unknown>, consumed as { keySerde?: Serde<unknown>; valueSerde?: Serde<unknown> }),
      supplier: supplier as ProcessorSupplier,
    })
    return this
  }

  /**
   * Compiles what was declared into a topology; DSL mistakes fail here with a `TopologyError`.
   * `optimization` is Kafka Streams' `topology.optimization` (see `TopologyOptimization`).
   */
  build(options: BuildOptions = {}): Topology {
    return this.internal.build({ reuseSourceTopics: reusesSourceTopics(options.optimization) })
  }
}

function reusesSourceTopics(optimization: BuildOptions['optimization']): boolean {
  const list: readonly unknown[] = optimization === undefined ? [] : typeof optimization === 'string' ? [optimization] : optimization
  for (const item of list) {
    if (item !== 'none' && item !== 'reuse.ktable.source.topics') {
      throw new ConfigError(
        `Unknown or unsupported topology optimization ${JSON.stringify(item)}: use 'none' or 'reuse.ktable.source.topics' ` +
          `(Kafka's merge.repartition.topics and single.store.self-join are not implemented, so 'all' is not accepted).`,
      )
    }
  }
  return list.includes('reuse.ktable.source.topics')
}
