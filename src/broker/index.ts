export { EmbeddedKafka, type EmbeddedKafkaOptions } from './embedded-kafka.js'
export { BrokerError, ProtocolError, isBrokerError } from './errors.js'
export { silentLogger, consoleLogger, type BrokerLogger } from './logger.js'
export { EmbeddedSchemaRegistry, type EmbeddedSchemaRegistryOptions } from './registry/embedded-schema-registry.js'
