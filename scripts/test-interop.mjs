#!/usr/bin/env node
// The interop matrix (npm run test:interop, after build and interop:setup):
//   1. Apache Kafka 3.9.2: the client, runtime and topology e2e suites and the differential suite;
//   2. the embedded broker: the differential suite (Kafka Streams' Java clients against it; the
//      other suites already run on it in npm test);
//   3. Apache Kafka 4.0.2: the client suites and the differential suite.
// Each step is one vitest run of vitest.interop.config.ts; the first failure stops the matrix.
import { spawnSync } from 'node:child_process'

const steps = [
  { name: 'Apache Kafka 3.9.2', env: { TRIBUTARY_TEST_BROKER: 'kafka', TRIBUTARY_KAFKA_VERSION: '3.9.2' }, files: [] },
  { name: 'embedded broker', env: { TRIBUTARY_TEST_BROKER: 'embedded' }, files: ['test/interop'] },
  { name: 'Apache Kafka 4.0.2', env: { TRIBUTARY_TEST_BROKER: 'kafka', TRIBUTARY_KAFKA_VERSION: '4.0.2' }, files: ['test/kafka', 'test/interop'] },
]

for (const step of steps) {
  console.log(`\ntest:interop: ${step.name}${step.files.length > 0 ? ` (${step.files.join(', ')})` : ''}`)
  const started = Date.now()
  // Two files at a time: each starts its own broker, and most of their time is spent waiting on
  // Kafka's and Tributary's own timers (sessions, commits, transaction timeouts), not on the CPU.
  const run = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.interop.config.ts', '--maxWorkers=2', ...step.files], { stdio: 'inherit', env: { ...process.env, ...step.env } })
  console.log(`test:interop: ${step.name} took ${Math.round((Date.now() - started) / 1000)} s`)
  if (run.status !== 0) process.exit(run.status ?? 1)
}
