import { PlatformaticAdmin } from './admin.js'
import { kafkaSettings, type KafkaConnectionConfig } from './connection.js'
import { PlatformaticGroupConsumer, type GroupConsumerOptions } from './group-consumer.js'
import { PlatformaticProducer, PlatformaticTransactionalProducer, type TransactionalProducerOptions } from './producer.js'
import { PlatformaticReader, type ReaderOptions } from './reader.js'
import type { KafkaAdmin, KafkaConsumer, KafkaProducer, KafkaReader, KafkaTransactionalProducer } from './types.js'

export type * from './types.js'
export type { KafkaConnectionConfig } from './connection.js'
export type { GroupConsumerOptions } from './group-consumer.js'
export type { ReaderOptions } from './reader.js'
export type { TransactionalProducerOptions } from './producer.js'
export { assignCoPartitioned, type AssignmentPlan, type AssignorTopic } from './co-partition-assignor.js'
export { OffsetOutOfRangeError, toKafkaError } from './errors.js'

/** Factories for every Kafka client the runtime needs; tests substitute their own. */
export interface KafkaClients {
  admin(): KafkaAdmin
  /** A member of the `<applicationId>` consumer group. */
  consumer(options: Omit<GroupConsumerOptions, 'groupId'>): KafkaConsumer
  /** A reader outside any group, for restoration and global tables. */
  reader(options: ReaderOptions): KafkaReader
  producer(): KafkaProducer
  /** A transactional producer; `suffix` distinguishes instances: `<applicationId>-<suffix>`. */
  transactionalProducer(suffix: string, options?: TransactionalProducerOptions): KafkaTransactionalProducer
}

/**
 * Validates the connection config and returns factories over `@platformatic/kafka`.
 *
 * @example
 * const kafka = createKafkaClients({ bootstrapServers: ['127.0.0.1:9092'], clientId: 'fleet-1', applicationId: 'fleet' })
 * const admin = kafka.admin()
 * await admin.createTopics([{ name: 'fleet-drivers-changelog', partitions: 3, configs: { 'cleanup.policy': 'compact' } }])
 */
export function createKafkaClients(config: KafkaConnectionConfig): KafkaClients {
  const settings = kafkaSettings(config)
  const applicationId = config.applicationId
  return {
    admin: () => new PlatformaticAdmin(settings),
    consumer: (options) =>
      new PlatformaticGroupConsumer(settings, { ...options, groupId: applicationId }),
    reader: (options) => new PlatformaticReader(settings, `${applicationId}-reader`, options),
    producer: () => new PlatformaticProducer(settings),
    transactionalProducer: (suffix, options) => new PlatformaticTransactionalProducer(settings, `${applicationId}-${suffix}`, options),
  }
}
