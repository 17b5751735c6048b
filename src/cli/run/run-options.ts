import { CliError } from '../../core/errors.js'
import type { ProcessingGuarantee } from '../../runtime/index.js'
import { intFlag, parseFlags } from '../parse-flags.js'

/** `tributary run` as the user asked for it, validated. */
export interface RunOptions {
  readonly topology: string
  /** The user's cluster; undefined runs the embedded broker and registry. */
  readonly brokers: readonly string[] | undefined
  readonly registryUrl: string | undefined
  readonly stateDir: string | undefined
  /** Where the embedded broker keeps its data; a temporary directory when undefined. */
  readonly dataDir: string | undefined
  readonly port: number
  readonly registryPort: number
  readonly guarantee: ProcessingGuarantee
  /** Caps the generator's records per second; undefined sends the city in real time. */
  readonly rate: number | undefined
  /** Stop after this many seconds; undefined runs until Ctrl-C. */
  readonly durationS: number | undefined
  readonly generate: boolean
  readonly seed: number
  readonly drivers: number
  readonly riders: number
}

export const runUsage = `Usage: tributary run <topology> [options]

Runs a bundled topology and shows what it does: a live status line (records in and out per
second, lag, state size), samples of the records it writes, and a summary when it stops.
Without --brokers it starts an embedded Kafka broker and schema registry in this process and
feeds them a simulated city of drivers and riders in real time: no Kafka needed.
"tributary list" names the topologies. Ctrl-C stops gracefully.

Options:
  --brokers <host:port,...>  run against this Kafka cluster instead of the embedded broker
  --registry <url>           schema registry of that cluster (topologies with Avro topics need one)
  --state-dir <dir>          where local state lives (default .tributary/state; a temporary
                             directory, removed on exit, with the default embedded broker)
  --data-dir <dir>           keep the embedded broker's data here (default: a temporary directory)
  --port <n>                 embedded broker port (default 0: any free port)
  --registry-port <n>        embedded schema registry port (default 0: any free port)
  --guarantee <g>            at_least_once (default) or exactly_once_v2
  --rate <n>                 cap the generator at n records per second (default: real time)
  --duration <s>             stop after s seconds (default: run until Ctrl-C)
  --no-generate              do not start the city generator (read what is already there)
  --seed <n>                 the city's random seed (default 42; same seed, same city)
  --drivers <n>              drivers in the city (default 200)
  --riders <n>               riders in the city (default 1000)`

const HOST_PORT = /^[^\s:,]+:\d{1,5}$/

/** Parses `tributary run` arguments; every problem is a CliError of one line. */
export function parseRunOptions(args: readonly string[]): RunOptions {
  const { values, positionals } = parseFlags(
    'run',
    args,
    {
      brokers: { type: 'string' },
      registry: { type: 'string' },
      'state-dir': { type: 'string' },
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      'registry-port': { type: 'string' },
      guarantee: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      'no-generate': { type: 'boolean' },
      seed: { type: 'string' },
      drivers: { type: 'string' },
      riders: { type: 'string' },
    },
    true,
  )
  if (positionals.length === 0) throw new CliError('tributary run: name the topology to run, e.g. "tributary run fleet-map" ("tributary list" shows them all).')
  if (positionals.length > 1) throw new CliError(`tributary run: expected one topology, got ${positionals.map((p) => `"${p}"`).join(', ')}.`)
  const str = (name: string) => values[name] as string | undefined

  const brokersFlag = str('brokers')
  let brokers: string[] | undefined
  if (brokersFlag !== undefined) {
    brokers = brokersFlag.split(',').map((b) => b.trim()).filter((b) => b !== '')
    const bad = brokers.find((b) => !HOST_PORT.test(b))
    if (brokers.length === 0 || bad !== undefined) {
      throw new CliError(`tributary run: --brokers takes host:port[,host:port...], e.g. --brokers 127.0.0.1:9092; got "${brokersFlag}".`)
    }
  }
  const registryUrl = str('registry')
  if (registryUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(registryUrl)) {
    throw new CliError(`tributary run: --registry takes a URL such as http://127.0.0.1:8081, got "${registryUrl}".`)
  }
  const guarantee = str('guarantee') ?? 'at_least_once'
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') {
    throw new CliError(`tributary run: --guarantee must be at_least_once or exactly_once_v2, got "${guarantee}".`)
  }
  const durationFlag = str('duration')
  let durationS: number | undefined
  if (durationFlag !== undefined) {
    durationS = Number(durationFlag)
    if (!Number.isFinite(durationS) || durationS <= 0) throw new CliError(`tributary run: --duration must be a number of seconds > 0, got "${durationFlag}".`)
  }
  const port = intFlag('run', 'port', str('port'), 0)
  const registryPort = intFlag('run', 'registry-port', str('registry-port'), 0)
  if (port > 65535 || registryPort > 65535) throw new CliError('tributary run: ports must be between 0 and 65535.')
  if (brokers !== undefined && (str('data-dir') !== undefined || str('port') !== undefined)) {
    throw new CliError('tributary run: --data-dir and --port configure the embedded broker; leave them out with --brokers.')
  }
  const rate = str('rate') === undefined ? undefined : intFlag('run', 'rate', str('rate'), 0, 1)
  return {
    topology: positionals[0]!,
    brokers,
    registryUrl,
    stateDir: str('state-dir'),
    dataDir: str('data-dir'),
    port,
    registryPort,
    guarantee,
    rate,
    durationS,
    generate: values['no-generate'] !== true,
    seed: intFlag('run', 'seed', str('seed'), 42),
    drivers: intFlag('run', 'drivers', str('drivers'), 200, 1),
    riders: intFlag('run', 'riders', str('riders'), 1000, 1),
  }
}
