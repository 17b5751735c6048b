/**
 * `npm run bench`: the benchmark suite of windowed joins and aggregations. Runs every scenario
 * in driver mode (TopologyTestDriver, memory and RocksDB stores) and kafka mode (the embedded
 * broker and KafkaStreams, at-least-once and exactly-once), with the compute-limit and I/O-limit
 * baselines measured in the same run, and writes bench/results/latest.{json,md,svg}.
 *
 * Run: npm run build && node dist/bench/suite/main.js [--quick] [--scenario ride-join] [--mode driver]
 */
import { runCli } from './cli.js'

process.exitCode = await runCli(process.argv.slice(2))
