import type { KafkaStreamsConfig, SchemaRegistryAccess, Serde, Topology } from '../src/index.js'

/** What a bundled topology may need from where it runs. */
export interface TopologyContext {
  /** The schema registry's URL (`http://host:port`), for topologies whose topics hold Avro. */
  readonly schemaRegistryUrl?: string
  /** Credentials (and TLS) for a registry that asks for them. */
  readonly schemaRegistryAccess?: SchemaRegistryAccess
}

/** An output topic and how to read it, so that the CLI and tests can show and check results. */
export interface OutputTopic {
  readonly topic: string
  readonly keySerde: Serde<unknown>
  readonly valueSerde: Serde<unknown>
}

/** A topology ready to run: the graph, the topics it reads and writes, its queryable stores. */
export interface BuiltTopology {
  readonly topology: Topology
  /** Topics the topology reads that something else (the generator, other teams) writes. */
  readonly inputs: readonly string[]
  readonly outputs: readonly OutputTopic[]
  /** Stores worth querying with `app.store(name)`. */
  readonly stores: readonly string[]
}

/** A topology bundled with Tributary: `tributary run <name>`. */
export interface BundledTopology {
  /** Also the default applicationId. */
  readonly name: string
  /** One line for `tributary list`. */
  readonly description: string
  /** Settings the topology is meant to run with (`tributary run` applies them; its flags override them). */
  readonly config?: Pick<KafkaStreamsConfig, 'watermarks'>
  build(context: TopologyContext): BuiltTopology
}
