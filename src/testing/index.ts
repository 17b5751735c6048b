/** `tributary/testing`: run topologies without a broker. */
export { TopologyTestDriver } from './topology-test-driver.js'
export type { TopologyTestDriverOptions, DriverMetrics, DeserializationExceptionHandler } from './topology-test-driver.js'
export { TestInputTopic } from './test-input-topic.js'
export type { InputTopicOptions, TestRecord } from './test-input-topic.js'
export { TestOutputTopic } from './test-output-topic.js'
export type { ProducedRecord } from './test-output-topic.js'
export type { ProcessingExceptionHandler } from './processing-failures.js'
