/**
 * Kafka Streams itself, in a JVM beside the test: a Scenario of test/interop/src run by
 * KafkaStreamsRunner against any broker. The implementation lives with the bench, which compiles
 * to dist/ (test/ does not) and starts the same applications.
 */
export { startKafkaStreams, type KafkaStreamsApp, type KafkaStreamsAppOptions } from '../../bench/interop/kafka-streams-app.js'
