import { TopologyError } from '../core/errors.js'
import type { ProcessorSupplier } from '../processors/api.js'
import type { Serde } from '../serde/serde.js'
import { TopologyAssembler } from '../topology/topology-assembler.js'
import type { Topology } from '../topology/topology.js'
import type { OffsetResetPolicy, TimestampExtractor, TopicNameExtractor } from '../topology/types.js'
import { addGlobalStoreTo, addStoreTo, globalUserStore, keyRef, valueRef } from './logical/compile-context.js'
import type { ProcessorSupplierWithStores, StateStoreOptions } from './options.js'

/** How a source reads its topics (Kafka Streams' `addSource` overloads: deserializers, extractor, reset). */
export interface SourceOptions<K = unknown, V = unknown> {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
  readonly timestampExtractor?: TimestampExtractor<K, V>
  readonly offsetResetPolicy?: OffsetResetPolicy
}

/** How a sink writes (Kafka Streams' `addSink` overloads with serializers). */
export interface SinkOptions<K = unknown, V = unknown> {
  readonly keySerde?: Serde<K>
  readonly valueSerde?: Serde<V>
}

type NodeType = 'source' | 'processor' | 'sink'

/**
 * Kafka Streams' Processor API topology (`new Topology()` with `addSource`, `addProcessor`,
 * `addSink`, `addStateStore`, `connectProcessorAndStateStores`, `addGlobalStore`): a graph of named
 * nodes built by hand, then `build()` into the `Topology` that `KafkaStreams` and the
 * `TopologyTestDriver` run. Every call checks what Kafka's checks at that call (names taken,
 * parents unknown, a sink as a parent, stores on sources or sinks) and throws a `TopologyError`.
 *
 * @example
 * const topology = new TopologyBuilder()
 *   .addSource('rides', ['ride_requests'], { keySerde: Serdes.string(), valueSerde: Serdes.json() })
 *   .addProcessor('price', () => new PricingProcessor(), 'rides')
 *   .addStateStore({ name: 'zone-prices', type: 'keyValue' }, 'price')
 *   .addSink('priced', 'priced_rides', 'price')
 *   .build()
 */
export class TopologyBuilder {
  private readonly assembler = new TopologyAssembler()
  private readonly nodes = new Map<string, NodeType>()
  private readonly stores = new Map<string, StateStoreOptions<unknown, unknown>>()

  /** A source reading `topics` (at least one; a topic is read by one source only). */
  addSource<K = unknown, V = unknown>(name: string, topics: string | readonly string[], options: SourceOptions<K, V> = {}): this {
    const list = typeof topics === 'string' ? [topics] : [...topics]
    if (list.length === 0) throw new TopologyError(`Source "${name}" reads no topic: give it at least one.`)
    this.claimName(name, 'source')
    this.assembler.addSource(name, list, keyRef(options.keySerde as Serde<unknown> | undefined), valueRef(options.valueSerde as Serde<unknown> | undefined), options.timestampExtractor as TimestampExtractor | undefined, options.offsetResetPolicy)
    return this
  }

  /**
   * A processor fed by `parentNames` (sources or processors added before it, at least one). The
   * stores a supplier brings (`supplier.stores`) are added and connected to it.
   */
  addProcessor(name: string, supplier: ProcessorSupplierWithStores, ...parentNames: string[]): this {
    if (typeof supplier !== 'function') throw new TopologyError(`Processor "${name}" needs a processor supplier: a function that returns a new processor.`)
    this.checkParents('Processor', name, parentNames)
    this.claimName(name, 'processor')
    this.assembler.addProcessor(name, supplier, parentNames)
    for (const store of supplier.stores ?? []) this.addStateStore(store, name)
    return this
  }

  /**
   * A sink writing what `parentNames` forward to `topic` (or to the topic `topic(key, value, context)`
   * names), with the serdes of `options` or the application's defaults.
   */
  addSink<K = unknown, V = unknown>(name: string, topic: string | TopicNameExtractor<K, V>, ...parentsOrOptions: [SinkOptions<K, V>, ...string[]] | string[]): this {
    const [first, ...rest] = parentsOrOptions
    const options: SinkOptions<K, V> = typeof first === 'object' ? first : {}
    const parentNames = (typeof first === 'object' ? rest : parentsOrOptions) as string[]
    this.checkParents('Sink', name, parentNames)
    this.claimName(name, 'sink')
    this.assembler.addSink(name, topic as string | TopicNameExtractor, keyRef(options.keySerde as Serde<unknown> | undefined), valueRef(options.valueSerde as Serde<unknown> | undefined), parentNames)
    return this
  }

  /**
   * A state store, connected to the processors named (more can be connected later with
   * `connectProcessorAndStateStores`). Adding the same options object again only connects it;
   * another store of the same name is refused.
   */
  addStateStore<K, V>(store: StateStoreOptions<K, V>, ...processorNames: string[]): this {
    const known = this.stores.get(store.name)
    if (known !== undefined && known !== store) {
      throw new TopologyError(`A different state store has already been added with the name "${store.name}".`)
    }
    if (known === undefined) {
      this.stores.set(store.name, store as StateStoreOptions<unknown, unknown>)
      addStoreTo(this.assembler, {
        name: store.name,
        type: store.type,
        keySerde: store.keySerde as Serde<unknown> | undefined,
        valueSerde: store.valueSerde as Serde<unknown> | undefined,
        valueFormat: 'plain',
        loggingEnabled: store.loggingEnabled ?? true,
        ...(store.retentionMs === undefined ? {} : { retentionMs: store.retentionMs }),
        ...(store.windowSizeMs === undefined ? {} : { windowSizeMs: store.windowSizeMs }),
        ...(store.retainDuplicates === undefined ? {} : { retainDuplicates: store.retainDuplicates }),
        storeType: store.storeType,
      })
    }
    if (processorNames.length > 0) this.connectProcessorAndStateStores(processorNames[0] as string, store.name)
    for (const processor of processorNames.slice(1)) this.connectProcessorAndStateStores(processor, store.name)
    return this
  }

  /** Lets processor `processorName` use the stores named (added before with `addStateStore`). */
  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    if (storeNames.length === 0) throw new TopologyError(`Connect processor "${processorName}" to at least one state store.`)
    const type = this.nodes.get(processorName)
    if (type === undefined) throw new TopologyError(`Processor "${processorName}" is not added yet: add it before connecting state stores to it.`)
    for (const store of storeNames) {
      if (!this.stores.has(store)) throw new TopologyError(`State store "${store}" is not added yet: add it with addStateStore before connecting it.`)
      if (type !== 'processor') throw new TopologyError(`Cannot connect state store "${store}" to ${type} "${processorName}": only processors use state stores.`)
    }
    this.assembler.connectStores(processorName, storeNames)
    return this
  }

  /**
   * A global store (Kafka Streams' `addGlobalStore`): every instance fills it from all partitions of
   * `topic` through source `sourceName` and processor `processorName`, outside the consumer group;
   * it is never logged (the topic is its changelog) and every processor may read it.
   */
  addGlobalStore<K, V>(
    store: StateStoreOptions<K, V>,
    sourceName: string,
    topic: string,
    processorName: string,
    supplier: ProcessorSupplier<K, V, never, never>,
    options: SourceOptions<K, V> = {},
  ): this {
    if (sourceName === processorName) throw new TopologyError(`Global store "${store.name}": the source and the processor need different names, both are "${sourceName}".`)
    if (options.offsetResetPolicy !== undefined) {
      throw new TopologyError(`Global store "${store.name}" was given offsetResetPolicy '${options.offsetResetPolicy}': a global store is always read from the start of its topic (or its checkpoint).`)
    }
    if (this.stores.has(store.name)) throw new TopologyError(`A different state store has already been added with the name "${store.name}".`)
    this.claimName(sourceName, 'source')
    this.claimName(processorName, 'processor')
    this.stores.set(store.name, store as StateStoreOptions<unknown, unknown>)
    addGlobalStoreTo(this.assembler, {
      name: processorName,
      sourceName,
      topic,
      keySerde: options.keySerde as Serde<unknown> | undefined,
      valueSerde: options.valueSerde as Serde<unknown> | undefined,
      timestampExtractor: options.timestampExtractor as TimestampExtractor | undefined,
      store: globalUserStore(store as StateStoreOptions<unknown, unknown>, options as { keySerde?: Serde<unknown>; valueSerde?: Serde<unknown> }),
      supplier: supplier as ProcessorSupplier,
    })
    return this
  }

  /**
   * A read-only state store (Kafka Streams' `addReadOnlyStateStore`, KIP-813): source `sourceName`
   * reads `topic`, processor `processorName` puts what it reads into the store, and the topic is the
   * store's changelog (it is never logged; it is restored from the topic, up to the committed
   * offset). Partitioned like any source, in a sub-topology of its own; other processors may read
   * the store once connected to it.
   */
  addReadOnlyStateStore<K, V>(
    store: StateStoreOptions<K, V>,
    sourceName: string,
    topic: string,
    processorName: string,
    supplier: ProcessorSupplier<K, V, never, never>,
    options: SourceOptions<K, V> = {},
  ): this {
    if (this.stores.has(store.name)) throw new TopologyError(`A different state store has already been added with the name "${store.name}".`)
    if (store.type !== 'keyValue') throw new TopologyError(`Read-only state store "${store.name}" must be a key-value store, got a ${store.type} store.`)
    this.addSource(sourceName, topic, options)
    this.addProcessor(processorName, supplier as ProcessorSupplier, sourceName)
    this.stores.set(store.name, store as StateStoreOptions<unknown, unknown>)
    const serdes = globalUserStore(store as StateStoreOptions<unknown, unknown>, options as SourceOptions)
    this.assembler.addStore({
      definition: {
        name: store.name,
        type: store.type,
        ...(store.storeType === undefined ? {} : { storeType: store.storeType }),
        loggingEnabled: false,
        cachingEnabled: true,
      },
      keySerde: keyRef(serdes.keySerde),
      valueSerde: valueRef(serdes.valueSerde),
      valueFormat: 'plain',
      changelogTopic: topic,
      changelogIsInternal: false,
    })
    this.assembler.connectStores(processorName, [store.name])
    return this
  }

  /** The topology as built so far; the builder can go on afterwards. */
  build(): Topology {
    return this.assembler.build()
  }

  /** Kafka Streams' TopologyDescription text of the topology as built so far. */
  describe(): string {
    return this.build().describe()
  }

  private claimName(name: string, type: NodeType): void {
    if (typeof name !== 'string' || name.length === 0) throw new TopologyError(`A ${type} needs a non-empty name, got ${String(name)}.`)
    if (this.nodes.has(name)) throw new TopologyError(`A node named "${name}" is already added: every source, processor and sink needs its own name.`)
    this.nodes.set(name, type)
  }

  private checkParents(kind: 'Processor' | 'Sink', name: string, parentNames: readonly string[]): void {
    if (parentNames.length === 0) throw new TopologyError(`${kind} "${name}" must have at least one parent.`)
    for (const parent of parentNames) {
      if (typeof parent !== 'string') throw new TopologyError(`${kind} "${name}" was given a parent name that is not a string: ${String(parent)}.`)
      if (parent === name) throw new TopologyError(`${kind} "${name}" cannot be a parent of itself.`)
      const type = this.nodes.get(parent)
      if (type === undefined) throw new TopologyError(`Parent "${parent}" of ${kind.toLowerCase()} "${name}" is not added yet: add nodes before the nodes they feed.`)
      if (type === 'sink') throw new TopologyError(`Sink "${parent}" cannot be used as a parent of "${name}": a sink has no children.`)
    }
  }
}
