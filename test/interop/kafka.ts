/**
 * A real Apache Kafka broker for interop tests: the launcher lives in bench/interop/real-kafka.ts,
 * where the bench (compiled to dist/, which does not include test/) reaches it too.
 */
export * from '../../bench/interop/real-kafka.js'
