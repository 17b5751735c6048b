/** `tributary/testing`: run topologies without a broker, on the same task engine as KafkaStreams. */
export { TopologyTestDriver } from './topology-test-driver.js'
export type { TopologyTestDriverOptions, DriverMetrics } from './topology-test-driver.js'
export { TestInputTopic } from './test-input-topic.js'
export type { InputTopicOptions, TestRecord } from './test-input-topic.js'
export { TestOutputTopic } from './test-output-topic.js'
export type { ProducedRecord } from './test-output-topic.js'
export { DEAD_LETTER_HEADERS } from '../engine/index.js'
export type { DeserializationExceptionHandler, ProcessingExceptionHandler, ProductionExceptionHandler } from '../engine/index.js'
