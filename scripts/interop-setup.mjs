#!/usr/bin/env node
// Resolves Apache Kafka and Kafka Streams from Maven Central and compiles the Kafka Streams
// applications of test/interop (pom.xml there), once per release the interop runs use.
// TRIBUTARY_KAFKA_VERSIONS (space-separated) picks the releases; the default is both CI runs.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const interop = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'interop')
const versions = (process.env.TRIBUTARY_KAFKA_VERSIONS ?? '3.9.2 4.0.2').split(/\s+/).filter(Boolean)

for (const tool of ['java', 'mvn']) {
  try {
    execFileSync(tool, ['-version'], { stdio: 'ignore' })
  } catch {
    console.error(`interop:setup needs ${tool} (a JDK 17 and Maven 3.8+ on the PATH): the interop tests run a real Kafka broker and Kafka Streams.`)
    process.exit(1)
  }
}

for (const version of versions) {
  console.log(`interop:setup: Apache Kafka ${version}`)
  execFileSync('mvn', ['-q', '-B', '-f', join(interop, 'pom.xml'), `-Dkafka.version=${version}`, 'package'], { stdio: 'inherit' })
  if (!existsSync(join(interop, 'target', version, 'classpath.txt'))) throw new Error(`Maven built no class path for Kafka ${version}.`)
}
