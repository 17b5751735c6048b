import { configDefaults, defineConfig } from 'vitest/config'
import { sharedTestOptions } from './vitest.config.js'

/**
 * `npm run test:interop`: the suites whose fixtures start a broker through test/kafka/fixtures.ts,
 * run against a real Apache Kafka broker (TRIBUTARY_TEST_BROKER=kafka, set by the script) instead
 * of the embedded one, and the differential suites of test/interop, which run Kafka Streams itself
 * beside Tributary on the same input.
 */
export default defineConfig({
  test: {
    ...sharedTestOptions,
    include: [
      'test/kafka/*.test.ts',
      'test/e2e/runtime-*.test.ts',
      'test/e2e/topology-*.test.ts',
      'test/cli/generate-*.test.ts',
      'test/interop/**/*.test.ts',
    ],
    exclude: [
      ...configDefaults.exclude,
      // These drive the embedded broker itself (a restart, a proxy in front of it): what they test
      // is the embedded broker's failover, not how Tributary meets a broker.
      'test/kafka/producer-lost-ack.test.ts',
      'test/kafka/transactional-producer-outage.test.ts',
      // Local state (store types, the Processor API topology): nothing in them depends on the broker,
      // and each file starts a broker of its own, which against Apache Kafka is a JVM start.
      'test/e2e/runtime-store-type.test.ts',
      'test/e2e/runtime-topology-builder.test.ts',
    ],
    typecheck: { enabled: false },
  },
})
