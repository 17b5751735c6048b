import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmbeddedKafka, EmbeddedSchemaRegistry, silentLogger } from '../../broker/index.js'
import { CliError, KafkaAuthenticationError } from '../../core/errors.js'
import { produceCity, type CityProgress, type CityRunResult } from '../city-producer.js'
import type { Command } from '../command.js'
import type { CliIo } from '../io.js'
import { intFlag, parseFlags } from '../parse-flags.js'
import { parseSecurityFlags, refusedByCluster, securityFlags, securityUsage } from '../security-flags.js'

const usage = `Usage: tributary generate [options]

Simulates a ride-sharing city around San Francisco and sends its records to Kafka: every driver's
location each second (vehicle_locations), ride requests (ride_requests), driver and rider profiles
as Debezium change events (driver_profiles, rider_profiles), and with --repair-shop the car repair
shop's Avro events (tickets, appointments, payments). The same seed gives the same city.

Options:
  --brokers <host:port>   Kafka to send to, comma-separated (default: start an embedded broker
                          in a temporary directory, stopped at the end)
  --registry <url>        schema registry for --repair-shop (default with an embedded broker:
                          an embedded registry)
  --rate <n>              at most n records per second
  --drivers <n>           drivers (default 200)
  --riders <n>            riders (default 1000)
  --duration <s>          simulated seconds (default 600)
  --seed <n>              random seed (default 42)
  --out-of-order <f>      fraction of location pings delivered a few seconds late (default 0)
  --late <f>              fraction of location pings delivered minutes late (default 0)
  --duplicates <f>        fraction of records sent twice (default 0)
  --repair-shop           also send the repair shop's events
  --fast                  send as fast as possible instead of in real time

${securityUsage}`

function fractionFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !(n >= 0 && n <= 1)) {
    throw new CliError(`tributary generate: --${flag} must be a fraction between 0 and 1, got "${value}".`)
  }
  return n
}

function rateFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !(n > 0) || !Number.isFinite(n)) {
    throw new CliError(`tributary generate: --rate must be a number of records per second > 0, got "${value}".`)
  }
  return n
}

function brokersFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined
  const servers = value.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const bad = servers.find((s) => !/^[^\s:]+:\d+$/.test(s))
  if (servers.length === 0 || bad !== undefined) {
    throw new CliError(`tributary generate: --brokers must be host:port[,host:port...], got "${value}".`)
  }
  return servers
}

/** Where the records go: the given cluster, or an embedded broker (and registry) of this run. */
interface Target {
  readonly bootstrapServers: readonly string[]
  readonly schemaRegistryUrl?: string
  close(): Promise<void>
}

async function embeddedTarget(withRegistry: boolean, io: CliIo): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tributary-generate-'))
  const kafka = await EmbeddedKafka.start({ port: 0, dataDir, logger: silentLogger })
  let registry: EmbeddedSchemaRegistry | undefined
  try {
    if (withRegistry) registry = await EmbeddedSchemaRegistry.start({ port: 0, kafka })
  } catch (error) {
    await kafka.close()
    await rm(dataDir, { recursive: true, force: true })
    throw error
  }
  io.out(`No --brokers given: started an embedded broker on ${kafka.bootstrapServers} (data in ${dataDir}), stopped at the end.`)
  if (registry !== undefined) io.out(`Started an embedded schema registry on ${registry.url}.`)
  return {
    bootstrapServers: [kafka.bootstrapServers],
    schemaRegistryUrl: registry?.url,
    async close() {
      await registry?.close()
      await kafka.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

function describeCounts(byTopic: Readonly<Record<string, number>>): string {
  return Object.entries(byTopic).map(([topic, n]) => `${topic} ${n}`).join(', ')
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'Send a simulated ride-sharing city (and repair shop) to Kafka',
  usage,
  async run(args, io, signal) {
    const { values } = parseFlags('generate', args, {
      brokers: { type: 'string' },
      registry: { type: 'string' },
      rate: { type: 'string' },
      drivers: { type: 'string' },
      riders: { type: 'string' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      'out-of-order': { type: 'string' },
      late: { type: 'string' },
      duplicates: { type: 'string' },
      'repair-shop': { type: 'boolean' },
      fast: { type: 'boolean' },
      ...securityFlags,
    })
    const flag = (name: string): string | undefined => values[name] as string | undefined
    const brokers = brokersFlag(flag('brokers'))
    const registryUrl = flag('registry')
    const repairShop = values['repair-shop'] === true
    const options = {
      drivers: intFlag('generate', 'drivers', flag('drivers'), 200),
      riders: intFlag('generate', 'riders', flag('riders'), 1000),
      durationS: intFlag('generate', 'duration', flag('duration'), 600, 1),
      seed: intFlag('generate', 'seed', flag('seed'), 42),
      outOfOrderFraction: fractionFlag('out-of-order', flag('out-of-order')),
      lateFraction: fractionFlag('late', flag('late')),
      duplicateFraction: fractionFlag('duplicates', flag('duplicates')),
      repairShop,
    }
    if ((options.outOfOrderFraction ?? 0) + (options.lateFraction ?? 0) > 1) {
      throw new CliError('tributary generate: --out-of-order and --late together must not exceed 1.')
    }
    const rate = rateFlag(flag('rate'))
    if (repairShop && brokers !== undefined && registryUrl === undefined) {
      throw new CliError('tributary generate: --repair-shop with --brokers needs --registry <url>: the repair shop\'s topics hold Avro.')
    }
    if (registryUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(registryUrl)) {
      throw new CliError(`tributary generate: --registry must be an http(s) URL such as http://127.0.0.1:8081, got "${registryUrl}".`)
    }
    const access = parseSecurityFlags(values, { command: 'generate', brokers: brokers !== undefined, registry: registryUrl !== undefined, env: process.env })

    const target: Target = brokers === undefined
      ? await embeddedTarget(repairShop && registryUrl === undefined, io)
      : { bootstrapServers: brokers, schemaRegistryUrl: registryUrl, close: async () => undefined }
    const schemaRegistryUrl = registryUrl ?? target.schemaRegistryUrl
    const realTime = values.fast !== true
    io.out(
      `Simulating ${options.drivers} drivers and ${options.riders} riders for ${options.durationS} s (seed ${options.seed})` +
        `${realTime ? ' in real time' : ''}; sending to ${target.bootstrapServers.join(',')}. Ctrl-C stops.`,
    )

    let lastProgressAt = 0
    const onProgress = (progress: CityProgress): void => {
      const now = performance.now()
      if (now - lastProgressAt < 1000 || progress.sent === 0 || progress.simulatedSeconds >= progress.durationS) return
      lastProgressAt = now
      io.out(`  ${progress.simulatedSeconds}/${progress.durationS} s simulated, ${progress.sent} records sent`)
    }
    let result: CityRunResult
    try {
      result = await produceCity({
        bootstrapServers: target.bootstrapServers,
        schemaRegistryUrl,
        ...access.kafka,
        ...(access.registry === undefined ? {} : { schemaRegistryAccess: access.registry }),
        options,
        ratePerSecond: rate,
        realTime,
        signal,
        onProgress,
      })
    } catch (error) {
      throw error instanceof KafkaAuthenticationError ? refusedByCluster(error, target.bootstrapServers) : error
    } finally {
      await target.close()
    }
    const seconds = (result.elapsedMs / 1000).toFixed(1)
    io.out(`${result.aborted ? 'Stopped after sending' : 'Sent'} ${result.total} records in ${seconds} s: ${describeCounts(result.byTopic)}.`)
    io.out(`Event times start at ${new Date(result.startMs).toISOString()}.`)
    return 0
  },
}
