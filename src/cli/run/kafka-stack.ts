import { BrokerError, EmbeddedKafka, EmbeddedSchemaRegistry } from '../../broker/index.js'
import { KafkaAuthenticationError, KafkaError } from '../../core/errors.js'
import type { KafkaAdmin } from '../../kafka/index.js'
import type { BrokerDurabilityOptions } from '../broker-durability-flags.js'
import { refusedByCluster, type ClusterAccess } from '../security-flags.js'

/** The Kafka cluster (and schema registry) a run talks to, embedded or the user's own. */
export interface KafkaStack {
  readonly bootstrapServers: readonly string[]
  readonly schemaRegistryUrl: string | undefined
  /** TLS and SASL for the brokers, credentials for the registry; none for the embedded ones. */
  readonly access: ClusterAccess
  /** True when this process started the broker (and stops it on close). */
  readonly embedded: boolean
  /** Where the embedded broker keeps its data, and whether it is removed on close. */
  readonly dataDir?: { readonly path: string; readonly temporary: boolean }
  close(): Promise<void>
}

export interface EmbeddedStackOptions {
  /** Where the broker keeps its logs; a temporary directory, removed on close, when absent. */
  readonly dataDir?: string
  /** 0 picks a free port. */
  readonly port: number
  readonly registryPort: number
  /** When the broker syncs its logs; absent fields keep its defaults. */
  readonly durability?: BrokerDurabilityOptions
}

/** The first sentence of an error's message: the causes' own advice would compete with ours. */
function firstSentence(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.split(/\.+\s/)[0]!.replace(/\.+$/, '')
}

/** Starts the embedded broker and schema registry on 127.0.0.1. */
export async function startEmbeddedStack(options: EmbeddedStackOptions): Promise<KafkaStack> {
  let kafka: EmbeddedKafka
  try {
    kafka = await EmbeddedKafka.start({ port: options.port, dataDir: options.dataDir, defaultPartitions: 3, ...options.durability })
  } catch (error) {
    const hint = options.port === 0 ? '' : ' Use --port 0 to pick a free port, or stop what listens there.'
    throw new BrokerError(`cannot start the embedded Kafka broker: ${firstSentence(error)}.${hint}`, { cause: error })
  }
  let registry: EmbeddedSchemaRegistry
  try {
    registry = await EmbeddedSchemaRegistry.start({ port: options.registryPort, kafka })
  } catch (error) {
    await kafka.close()
    const hint = options.registryPort === 0 ? '' : ' Use --registry-port 0 to pick a free port.'
    throw new BrokerError(`cannot start the embedded schema registry: ${firstSentence(error)}.${hint}`, { cause: error })
  }
  return {
    bootstrapServers: [kafka.bootstrapServers],
    schemaRegistryUrl: registry.url,
    access: { kafka: {}, registry: undefined },
    embedded: true,
    dataDir: { path: kafka.dataDir, temporary: options.dataDir === undefined },
    async close() {
      await registry.close().catch(() => undefined)
      await kafka.close()
    },
  }
}

/** The user's cluster: nothing to start or stop. */
export function externalStack(bootstrapServers: readonly string[], schemaRegistryUrl: string | undefined, access: ClusterAccess): KafkaStack {
  return { bootstrapServers, schemaRegistryUrl, access, embedded: false, close: async () => undefined }
}


/**
 * The partition count of each of `topics` that exists. Being the first request a run sends to the
 * cluster, it also tells whether the cluster is reachable at all.
 */
export async function describeTopics(admin: KafkaAdmin, topics: readonly string[], bootstrapServers: readonly string[]): Promise<Map<string, number>> {
  try {
    return await admin.describeTopics([...new Set(topics)])
  } catch (error) {
    if (error instanceof KafkaAuthenticationError) throw refusedByCluster(error, bootstrapServers)
    throw new KafkaError(
      `cannot reach Kafka at ${bootstrapServers.join(',')} (${firstSentence(error)}). Is a broker running there? ` +
        'Check --brokers, start one with "npx tributary broker", or leave out --brokers to use an embedded one.',
      { cause: error },
    )
  }
}

/** Creates the missing ones of `topics` with `partitions` and returns the partition count of each. */
export async function ensureTopics(
  admin: KafkaAdmin,
  topics: readonly string[],
  partitions: number,
  bootstrapServers: readonly string[],
): Promise<{ counts: Map<string, number>; created: string[] }> {
  const counts = await describeTopics(admin, topics, bootstrapServers)
  const created = [...new Set(topics)].filter((topic) => !counts.has(topic))
  if (created.length > 0) {
    await admin.createTopics(created.map((name) => ({ name, partitions })))
    for (const [topic, count] of await admin.describeTopics(created)) counts.set(topic, count)
  }
  return { counts, created }
}
