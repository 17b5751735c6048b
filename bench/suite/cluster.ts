/**
 * The broker a kafka-mode run talks to, fresh for every run: the embedded broker in a process of
 * its own, or a real Apache Kafka broker (a single KRaft node in a JVM, `--cluster kafka`).
 */
import { createKafkaClients, type KafkaClients } from '../../src/kafka/index.js'
import { startRealKafka } from '../interop/real-kafka.js'
import { startBrokerProcess } from './broker-process.js'

export type ClusterKind = 'embedded' | 'kafka'

export interface Cluster {
  readonly kind: ClusterKind
  readonly bootstrap: string
  clients(applicationId: string): KafkaClients
}

/** Partitions of every topic: one task per partition, all in the one measured instance. */
export const PARTITIONS = 2

async function startBroker(kind: ClusterKind): Promise<{ bootstrapServers: string; stop(): Promise<void> }> {
  // Topics a run forgets to create are created as the embedded broker does, with PARTITIONS.
  if (kind === 'kafka') return startRealKafka({ defaultPartitions: PARTITIONS, autoCreateTopics: true })
  return startBrokerProcess(PARTITIONS)
}

/** Starts a broker, creates `topics` with PARTITIONS each, runs `use`, and stops the broker. */
export async function withCluster<T>(kind: ClusterKind, topics: readonly string[], use: (cluster: Cluster) => Promise<T>): Promise<T> {
  const broker = await startBroker(kind)
  try {
    const bootstrap = broker.bootstrapServers
    const clients = (applicationId: string): KafkaClients =>
      createKafkaClients({ bootstrapServers: [bootstrap], clientId: `${applicationId}-client`, applicationId })
    const admin = clients('bench-admin').admin()
    await admin.createTopics(topics.map((name) => ({ name, partitions: PARTITIONS })))
    await admin.close()
    return await use({ kind, bootstrap, clients })
  } finally {
    await broker.stop()
  }
}
