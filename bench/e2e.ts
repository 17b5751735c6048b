/**
 * The end-to-end benchmark: the stream-stream windowed join (ride requests x ride assignments
 * within 60 s) through the embedded broker with KafkaStreams, at-least-once and exactly-once,
 * against a raw consume -> produce pipe of the same records measured in the same run. Reports
 * records/s, p50/p99 end-to-end latency, restore records/s and peak RSS.
 *
 * It is the suite's kafka mode (bench/suite), limited to that scenario: every option of
 * `npm run bench` applies (e.g. --records 50000, --variant inner, --scenario surge-pricing).
 *
 * Run: npm run build && node dist/bench/e2e.js
 */
import { runCli } from './suite/cli.js'

const args = process.argv.slice(2)
const scenario = args.includes('--scenario') || args.some((a) => a.startsWith('--scenario=')) ? [] : ['--scenario', 'ride-join']
process.exitCode = await runCli(['--mode', 'kafka', ...scenario, ...args])
