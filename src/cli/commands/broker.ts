import { EmbeddedKafka, EmbeddedSchemaRegistry, consoleLogger } from '../../broker/index.js'
import { parseListener } from '../../broker/listener.js'
import { CliError } from '../../core/errors.js'
import { brokerDurabilityFlags, brokerDurabilityOptions, durabilitySummary } from '../broker-durability-flags.js'
import type { Command } from '../command.js'
import { intFlag, parseFlags } from '../parse-flags.js'
import { brokerSecurityFlags, brokerSecurityOptions, brokerSecurityUsage } from './broker-security.js'

const usage = `Usage: tributary broker [options]

Starts Tributary's embedded Kafka-protocol broker and schema registry on this machine, for
development and tests. Any Kafka client can connect to it (kcat -b 127.0.0.1:9092 -L).

Options:
  --port <n>            Kafka port (default 9092; 0 picks a free one)
  --host <address>      address to listen on (default 127.0.0.1)
  --advertised-listener <host:port>
                        address clients are told to connect to, e.g. a proxy's
                        (default: the address it listens on)
  --data-dir <dir>      where topics and offsets are kept (default .tributary/broker)
  --partitions <n>      partitions of auto-created topics (default 3)
  --registry-port <n>   schema registry HTTP port (default 8081; 0 picks a free one)
  --no-registry         do not start the schema registry
  --verbose             log every connection and request problem to stderr (warnings
                        and errors, such as the watchdog's, are logged without it)

Durability (what an acknowledged write survives):
  --fsync <mode>        interval (default, as Kafka): written before it is acknowledged, so it
                        survives a killed broker process; logs are fdatasynced only as
                        --flush-messages and --flush-ms say. always: also fdatasync before an
                        acks=-1 produce, a transaction's end or an offset commit is
                        acknowledged, so it survives a power loss too
  --flush-messages <n>  fdatasync a log once n messages were appended since its last sync
                        (Kafka's log.flush.interval.messages; default: never)
  --flush-ms <ms>       fdatasync a log with unsynced messages once ms passed since its last
                        sync (Kafka's log.flush.interval.ms; default: never)

${brokerSecurityUsage}`

export const brokerCommand: Command = {
  name: 'broker',
  summary: 'Run the embedded Kafka-protocol broker and schema registry',
  usage,
  async run(args, io, signal) {
    const { values } = parseFlags('broker', args, {
      port: { type: 'string' },
      host: { type: 'string' },
      'advertised-listener': { type: 'string' },
      'data-dir': { type: 'string' },
      partitions: { type: 'string' },
      'registry-port': { type: 'string' },
      'no-registry': { type: 'boolean' },
      verbose: { type: 'boolean' },
      ...brokerDurabilityFlags,
      ...brokerSecurityFlags,
    })
    const port = intFlag('broker', 'port', values.port as string | undefined, 9092)
    const registryPort = intFlag('broker', 'registry-port', values['registry-port'] as string | undefined, 8081)
    const partitions = intFlag('broker', 'partitions', values.partitions as string | undefined, 3, 1)
    if (port > 65535 || registryPort > 65535) throw new CliError('tributary broker: ports must be between 0 and 65535.')
    const host = (values.host as string | undefined) ?? '127.0.0.1'
    const dataDir = (values['data-dir'] as string | undefined) ?? '.tributary/broker'
    const advertisedListener = values['advertised-listener'] as string | undefined
    if (advertisedListener !== undefined && parseListener(advertisedListener) === null) {
      throw new CliError(`tributary broker: --advertised-listener must be host:port (an IPv6 host in brackets), got "${advertisedListener}".`)
    }
    const security = brokerSecurityOptions(values)
    const durability = brokerDurabilityOptions('broker', values)

    const kafka = await EmbeddedKafka.start({
      port, host, dataDir, defaultPartitions: partitions, advertisedListener, ...durability, ...security,
      logger: consoleLogger(values.verbose === true ? 'debug' : 'warn'),
    }).catch((error: unknown) => {
      const message = (error as Error).message
      const taken = port === 9092 && message.startsWith('Cannot listen on')
      throw new Error(`${message}${taken ? ' Is another broker running? Try --port 0.' : ''}`, { cause: error })
    })
    let registry: EmbeddedSchemaRegistry | undefined
    try {
      if (values['no-registry'] !== true) registry = await EmbeddedSchemaRegistry.start({ port: registryPort, host, kafka })
    } catch (error) {
      await kafka.close()
      throw new Error(`${(error as Error).message} Use --registry-port 0 or --no-registry.`, { cause: error })
    }
    io.out(`Kafka broker listening on ${kafka.bootstrapServers} (data in ${dataDir})`)
    if (kafka.securityProtocol !== 'PLAINTEXT') {
      const mechanisms = kafka.saslMechanisms.length === 0 ? '' : ` with SASL ${kafka.saslMechanisms.join(', ')}`
      io.out(`Clients connect with security.protocol=${kafka.securityProtocol}${mechanisms}`)
    }
    if (advertisedListener !== undefined) io.out(`Advertising ${kafka.advertisedListener} to clients`)
    if (Object.keys(durability).length > 0) io.out(durabilitySummary(kafka.durability))
    if (registry !== undefined) io.out(`Schema registry listening on ${registry.url}`)
    io.out('Press Ctrl-C to stop.')

    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve()
      else signal.addEventListener('abort', () => resolve(), { once: true })
    })
    io.out('Shutting down...')
    await registry?.close()
    await kafka.close()
    io.out('Stopped.')
    return 0
  },
}
