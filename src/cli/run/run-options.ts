import { CliError } from '../../core/errors.js'
import type { ProcessingGuarantee } from '../../runtime/index.js'
import { brokerDurabilityFlags, brokerDurabilityOptions, hasBrokerDurabilityFlags, type BrokerDurabilityOptions } from '../broker-durability-flags.js'
import { intFlag, parseFlags } from '../parse-flags.js'
import { parseSecurityFlags, securityFlags, securityUsage, type ClusterAccess } from '../security-flags.js'

/** `tributary run` as the user asked for it, validated. */
export interface RunOptions {
  /** One or more bundled topologies, run side by side on one broker and one generated city. */
  readonly topologies: readonly string[]
  /** The user's cluster; undefined runs the embedded broker and registry. */
  readonly brokers: readonly string[] | undefined
  readonly registryUrl: string | undefined
  /** TLS, SASL and registry credentials for --brokers and --registry (empty for the embedded broker). */
  readonly access: ClusterAccess
  readonly stateDir: string | undefined
  /** Where the embedded broker keeps its data; a temporary directory when undefined. */
  readonly dataDir: string | undefined
  readonly port: number
  readonly registryPort: number
  /** When the embedded broker syncs its logs (--fsync, --flush-messages, --flush-ms); empty keeps its defaults. */
  readonly brokerDurability: BrokerDurabilityOptions
  readonly guarantee: ProcessingGuarantee
  /** Overrides each topology's own `watermarks` setting; undefined keeps them. */
  readonly watermarks: 'off' | 'upstream' | undefined
  /** Caps the generator's records per second; undefined sends the city in real time. */
  readonly rate: number | undefined
  /** Stop after this many seconds; undefined runs until Ctrl-C. */
  readonly durationS: number | undefined
  readonly generate: boolean
  readonly seed: number
  readonly drivers: number
  readonly riders: number
  /** Port of the live map and query server; undefined with --no-http. 0 picks a free port. */
  readonly httpPort: number | undefined
  /** A basemap's tile URL template for the live map (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png); none by default. */
  readonly tiles: string | undefined
}

export const runUsage = `Usage: tributary run <topology> [<topology>...] [options]

Runs bundled topologies and shows what they do: a live status line (records in and out per
second, lag, state size), samples of the records they write, a live map in the browser, and a
summary when they stop. Several topologies run side by side, each as its own application, on
one broker and one simulated city. Without --brokers it starts an embedded Kafka broker and
schema registry in this process and feeds them a simulated city of drivers and riders in real
time: no Kafka needed. "tributary list" names the topologies. Ctrl-C stops gracefully.

Options:
  --brokers <host:port,...>  run against this Kafka cluster instead of the embedded broker
  --registry <url>           schema registry of that cluster (topologies with Avro topics need one)
  --state-dir <dir>          where local state lives (default .tributary/state; a temporary
                             directory, removed on exit, with the default embedded broker)
  --data-dir <dir>           keep the embedded broker's data here (default: a temporary directory)
  --port <n>                 embedded broker port (default 0: any free port)
  --registry-port <n>        embedded schema registry port (default 0: any free port)
  --fsync <mode>             embedded broker: interval (default, as Kafka: an acknowledged write
                             survives a killed broker process) or always (fdatasync before
                             acknowledging: it survives a power loss too)
  --flush-messages <n>       embedded broker: fdatasync a log every n messages (default: never)
  --flush-ms <ms>            embedded broker: fdatasync a log with unsynced messages ms after its
                             last sync (default: never)
  --guarantee <g>            at_least_once (default) or exactly_once_v2
  --watermarks <w>           off (Kafka Streams' stream time) or upstream (exact windows behind
                             repartitions, idle close); default: each topology's own setting
  --rate <n>                 cap the generator at n records per second (default: real time)
  --duration <s>             stop after s seconds (default: run until Ctrl-C)
  --no-generate              do not start the city generator (read what is already there)
  --seed <n>                 the city's random seed (default 42; same seed, same city)
  --drivers <n>              drivers in the city (default 200)
  --riders <n>               riders in the city (default 1000)
  --http-port <n>            port of the live map and query server (default 0: any free port)
  --no-http                  serve neither the map nor the query server
  --tiles <url-template>     draw the map over this basemap, e.g.
                             https://tile.openstreetmap.org/{z}/{x}/{y}.png (default: none, offline)

${securityUsage}`

const HOST_PORT = /^[^\s:,]+:\d{1,5}$/

/** Parses `tributary run` arguments; every problem is a CliError of one line. */
export function parseRunOptions(args: readonly string[], env: NodeJS.ProcessEnv = process.env): RunOptions {
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
      watermarks: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      'no-generate': { type: 'boolean' },
      seed: { type: 'string' },
      drivers: { type: 'string' },
      riders: { type: 'string' },
      'http-port': { type: 'string' },
      'no-http': { type: 'boolean' },
      tiles: { type: 'string' },
      ...brokerDurabilityFlags,
      ...securityFlags,
    },
    true,
  )
  if (positionals.length === 0) throw new CliError('tributary run: name the topology to run, e.g. "tributary run fleet-map" ("tributary list" shows them all).')
  const twice = positionals.find((name, i) => positionals.indexOf(name) !== i)
  if (twice !== undefined) throw new CliError(`tributary run: "${twice}" is named twice; name each topology once.`)
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
  const watermarks = str('watermarks')
  if (watermarks !== undefined && watermarks !== 'off' && watermarks !== 'upstream') {
    throw new CliError(`tributary run: --watermarks must be off or upstream, got "${watermarks}".`)
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
  if (brokers !== undefined && hasBrokerDurabilityFlags(values)) {
    throw new CliError('tributary run: --fsync, --flush-messages and --flush-ms configure the embedded broker; leave them out with --brokers.')
  }
  const brokerDurability = brokerDurabilityOptions('run', values)
  const noHttp = values['no-http'] === true
  if (noHttp && str('http-port') !== undefined) throw new CliError('tributary run: --http-port and --no-http contradict each other; give one.')
  const httpPort = noHttp ? undefined : intFlag('run', 'http-port', str('http-port'), 0)
  if (httpPort !== undefined && httpPort > 65535) throw new CliError('tributary run: ports must be between 0 and 65535.')
  const tiles = str('tiles')
  if (tiles !== undefined && !/^https?:\/\/\S*\{z\}\S*\{x\}\S*\{y\}/.test(tiles)) {
    throw new CliError(`tributary run: --tiles takes a URL template with {z}, {x} and {y}, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; got "${tiles}".`)
  }
  if (noHttp && tiles !== undefined) throw new CliError('tributary run: --tiles draws the live map, which --no-http turns off; give one.')
  const rate = str('rate') === undefined ? undefined : intFlag('run', 'rate', str('rate'), 0, 1)
  const access = parseSecurityFlags(values, { command: 'run', brokers: brokers !== undefined, registry: registryUrl !== undefined, env })
  return {
    topologies: positionals,
    brokers,
    registryUrl,
    access,
    stateDir: str('state-dir'),
    dataDir: str('data-dir'),
    port,
    registryPort,
    brokerDurability,
    guarantee,
    watermarks,
    rate,
    durationS,
    generate: values['no-generate'] !== true,
    seed: intFlag('run', 'seed', str('seed'), 42),
    drivers: intFlag('run', 'drivers', str('drivers'), 200, 1),
    riders: intFlag('run', 'riders', str('riders'), 1000, 1),
    httpPort,
    tiles,
  }
}
