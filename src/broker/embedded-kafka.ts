import { randomUUID } from 'node:crypto'
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { Server, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrokerContext, GroupService } from './broker-context.js'
import { BrokerError } from './errors.js'
import { silentLogger, type BrokerLogger } from './logger.js'
import { compactLog } from './log/compaction.js'
import { durabilityOf, type FsyncMode, type LogDurability } from './log/durability.js'
import { brokerTopicDefaults } from './log/topic-config.js'
import { applyRetention } from './log/retention.js'
import { Connection } from './server/connection.js'
import { createFrameHandler } from './server/dispatcher.js'
import { createListenerServer } from './server/listener-server.js'
import { createSaslGate } from './server/sasl-gate.js'
import { FetchWaiters } from './server/fetch-waiters.js'
import { BrokerWatchdog, type WatchdogOptions } from './server/watchdog.js'
import { TopicRegistry } from './topics.js'
import { DataDirLock } from './data-dir-lock.js'
import { loadGroupCoordinator } from './group-service.js'
import { formatListener, parseListener } from './listener.js'
import { LocalTopics } from './local-topics.js'
import { TransactionCoordinator } from './transactions/transaction-coordinator.js'
import { saslMechanismsOf, securityProtocolOf, type BrokerSaslOptions, type BrokerTlsOptions, type SaslMechanism, type SecurityProtocol } from './security/options.js'
import { SaslUserStore } from './security/user-store.js'

export interface EmbeddedKafkaOptions {
  /** TCP port; 0 picks a free one. */
  port?: number
  host?: string
  /** Where logs, topic metadata and committed offsets live; a temporary directory removed on close when absent. */
  dataDir?: string
  defaultPartitions?: number
  autoCreateTopics?: boolean
  logger?: BrokerLogger
  /** Largest request frame accepted; larger ones close the connection. Default 100 MiB. */
  maxFrameBytes?: number
  /** How often retention and compaction run. Default 30 s. */
  logMaintenanceIntervalMs?: number
  /** How often open transactions are checked against their `transaction.timeout.ms`. Default 10 s, as Kafka. */
  transactionTimeoutCheckIntervalMs?: number
  /**
   * `'interval'` (the default, as Kafka): appends reach the OS before clients are answered, so a
   * killed broker process loses nothing acknowledged, and logs are fdatasynced only as
   * `flushMessages` and `flushMs` say. `'always'`: also fdatasync before answering an acks=-1
   * produce, completing a transaction and acknowledging an offset commit, so acknowledged data
   * survives a power loss as well.
   */
  fsync?: FsyncMode
  /**
   * Kafka's `log.flush.interval.messages`: sync a log once this many messages were appended to it
   * since its last sync (default: never). A topic's `flush.messages` overrides it.
   */
  flushMessages?: number
  /**
   * Kafka's `log.flush.interval.ms`: sync a log holding unsynced messages once this many ms passed
   * since its last sync (default: never). A topic's `flush.ms` overrides it.
   */
  flushMs?: number
  /**
   * The `host:port` the broker tells clients to connect to (in Metadata and FindCoordinator
   * responses) instead of the address it listens on, as Kafka's `advertised.listeners`: for a TCP
   * proxy in front of it, or a port forwarded into a container. Default: the listening address.
   */
  advertisedListener?: string
  /**
   * The watchdog that logs a warning (through `logger`) when the broker stops keeping up: its
   * event loop blocked for a second or more, or requests left unanswered. On unless `false`.
   */
  watchdog?: WatchdogOptions | false
  /** Serve the listener over TLS (security protocol SSL, or SASL_SSL with `sasl`). */
  tls?: BrokerTlsOptions
  /**
   * Require SASL authentication (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) before any request but
   * ApiVersions (security protocol SASL_PLAINTEXT, or SASL_SSL with `tls`).
   */
  sasl?: BrokerSaslOptions
}

/** How the listener is secured, fixed at start. */
interface ListenerSecurity {
  protocol: SecurityProtocol
  readyEvent: 'connection' | 'secureConnection'
  sasl: { mechanisms: SaslMechanism[]; users: SaslUserStore } | null
}

/**
 * A single-node broker speaking the Kafka wire protocol, for development and tests.
 *
 * @example
 * const kafka = await EmbeddedKafka.start({ dataDir: '.tributary/broker' })
 * // point any Kafka client at kafka.bootstrapServers
 * await kafka.close()
 */
export class EmbeddedKafka {
  private readonly connections = new Set<Connection>()
  private readonly sockets = new Set<Socket>()
  private maintenanceTimer: NodeJS.Timeout | undefined
  private watchdog: BrokerWatchdog | undefined
  private closePromise: Promise<void> | undefined

  private constructor(
    private readonly server: Server,
    private readonly ctx: BrokerContext,
    readonly dataDir: string,
    private readonly temporary: boolean,
    private readonly lock: DataDirLock,
    readonly port: number,
    readonly host: string,
    /** Where a client on this machine reaches the listener (a wildcard host is not connectable). */
    private readonly connectHost: string,
    private readonly security: ListenerSecurity,
  ) {}

  /** `PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL`: what clients set as `security.protocol`. */
  get securityProtocol(): SecurityProtocol {
    return this.security.protocol
  }

  /** The SASL mechanisms clients may use; empty without `sasl`. */
  get saslMechanisms(): readonly SaslMechanism[] {
    return this.security.sasl?.mechanisms ?? []
  }

  /** Reads and writes topics from inside this process, without a client (see LocalTopics). */
  get localTopics(): LocalTopics {
    return new LocalTopics(this.ctx)
  }

  /** When the broker syncs its logs: the `fsync`, `flushMessages` and `flushMs` options, defaults filled in (Infinity: never). */
  get durability(): LogDurability {
    return this.ctx.durability
  }

  /** `host:port` of the listener, to hand to clients on this machine. */
  get bootstrapServers(): string {
    return formatListener({ host: this.connectHost, port: this.port })
  }

  /** `host:port` the broker advertises to clients: `advertisedListener` if given, else `bootstrapServers`. */
  get advertisedListener(): string {
    return formatListener({ host: this.ctx.advertisedHost, port: this.ctx.advertisedPort })
  }

  static async start(options: EmbeddedKafkaOptions = {}): Promise<EmbeddedKafka> {
    const host = options.host ?? '127.0.0.1'
    const connectHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
    const advertised = options.advertisedListener === undefined ? null : parseListener(options.advertisedListener)
    if (options.advertisedListener !== undefined && advertised === null) {
      throw new BrokerError(`advertisedListener must be "host:port" (an IPv6 host in brackets) with a port from 1 to 65535, got "${options.advertisedListener}".`)
    }
    const logger = options.logger ?? silentLogger
    const durability = durabilityOf(options)
    const defaultPartitions = options.defaultPartitions ?? 3
    if (!Number.isInteger(defaultPartitions) || defaultPartitions < 1) {
      throw new BrokerError(`defaultPartitions must be a positive integer, got ${defaultPartitions}.`)
    }
    // Before the data directory is locked: bad security options leave nothing to undo.
    const mechanisms = options.sasl === undefined ? null : saslMechanismsOf(options.sasl)
    const { server, readyEvent } = createListenerServer(options.tls)
    const security: ListenerSecurity = {
      protocol: securityProtocolOf(options.tls !== undefined, mechanisms !== null),
      readyEvent,
      sasl: mechanisms === null ? null : { mechanisms, users: await SaslUserStore.create(options.sasl!.users, mechanisms) },
    }
    const temporary = options.dataDir === undefined
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tributary-broker-'))
    mkdirSync(dataDir, { recursive: true })
    const lock = DataDirLock.acquire(dataDir)
    const now = (): number => Date.now()
    const topics = new TopicRegistry(dataDir, logger, now, brokerTopicDefaults(durability))
    // Undoes a start that failed half-way: nothing stays open or locked.
    const abort = async (error: unknown, groups?: GroupService | null, transactions?: TransactionCoordinator | null): Promise<never> => {
      await transactions?.close()
      await groups?.close()
      topics.close()
      lock.release()
      if (temporary) rmSync(dataDir, { recursive: true, force: true })
      throw error
    }
    try {
      topics.load()
    } catch (error) {
      await abort(error)
    }
    const ctx: BrokerContext = {
      nodeId: 0,
      clusterId: clusterIdOf(dataDir),
      advertisedHost: advertised?.host ?? connectHost,
      advertisedPort: advertised?.port ?? 0,
      defaultPartitions,
      autoCreateTopics: options.autoCreateTopics ?? true,
      topics,
      durability,
      fetchWaiters: new FetchWaiters(),
      logger,
      now,
      groups: null,
      transactions: null,
      // Ids from the clock so a restarted broker does not hand out an id a producer still uses.
      nextProducerId: BigInt(Date.now()) * 1000n,
      closing: false,
    }
    let groups: GroupService | null = null
    try {
      groups = await loadGroupCoordinator({ dataDir, logger, now, durability, partitionExists: (t, p) => topics.partition(t, p) !== undefined })
    } catch (error) {
      await abort(new BrokerError(`Could not load consumer group state from ${dataDir}.`, { cause: error }))
    }
    ctx.groups = groups
    // After the groups: recovery may complete a commit, which applies its offsets to them.
    const transactions = new TransactionCoordinator({
      dataDir,
      topics,
      groups: () => ctx.groups,
      fetchWaiters: ctx.fetchWaiters,
      logger,
      now,
      allocateProducerId: () => {
        const id = ctx.nextProducerId
        ctx.nextProducerId += 1n
        return id
      },
      timeoutCheckIntervalMs: options.transactionTimeoutCheckIntervalMs,
      durability,
    })
    try {
      await transactions.load()
    } catch (error) {
      await abort(new BrokerError(`Could not load transaction state from ${dataDir}.`, { cause: error }), groups, transactions)
    }
    ctx.transactions = transactions
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', (err) => reject(new BrokerError(`Cannot listen on ${host}:${options.port ?? 0}: ${err.message}. Pick another port.`, { cause: err })))
      server.listen(options.port ?? 0, host, () => {
        const address = server.address()
        resolve(typeof address === 'object' && address !== null ? address.port : 0)
      })
    }).catch((error: unknown) => abort(error, groups, transactions))
    if (advertised === null) ctx.advertisedPort = port
    const broker = new EmbeddedKafka(server, ctx, dataDir, temporary, lock, port, host, connectHost, security)
    broker.accept(options.maxFrameBytes ?? 100 * 1024 * 1024)
    broker.scheduleMaintenance(options.logMaintenanceIntervalMs ?? 30_000)
    if (options.watchdog !== false) broker.startWatchdog(options.watchdog)
    logger.info('broker listening', { bootstrapServers: broker.bootstrapServers, advertisedListener: broker.advertisedListener, securityProtocol: security.protocol, dataDir })
    return broker
  }

  private accept(maxFrameBytes: number): void {
    const dispatch = createFrameHandler(this.ctx)
    const sasl = this.security.sasl
    const handle = sasl === null ? dispatch : createSaslGate({ ...sasl, logger: this.ctx.logger }, dispatch)
    // e.g. EMFILE while accepting: log it, keep serving the connections that exist.
    this.server.on('error', (err) => this.ctx.logger.error('listener error', { error: err.message }))
    // Every socket (TCP, and TLS over it) so that close() can drop it, TLS handshake done or not.
    const track = (socket: Socket): void => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    }
    this.server.on('connection', track)
    this.server.on('tlsClientError', (err: Error, socket: Socket) => this.ctx.logger.debug('TLS handshake failed', { host: socket.remoteAddress, error: err.message }))
    this.server.on(this.security.readyEvent, (socket: Socket) => {
      if (this.security.readyEvent !== 'connection') track(socket)
      const connection = new Connection(socket, handle, maxFrameBytes, this.ctx.logger, (c) => this.connections.delete(c))
      this.connections.add(connection)
    })
  }

  private scheduleMaintenance(intervalMs: number): void {
    this.maintenanceTimer = setInterval(() => this.runLogMaintenance(false), intervalMs)
    this.maintenanceTimer.unref()
  }

  private startWatchdog(options: WatchdogOptions | undefined): void {
    const ctx = this.ctx
    this.watchdog = new BrokerWatchdog(
      {
        connections: () => this.connections,
        fetchWaiters: () => ctx.fetchWaiters.size,
        coordinatorLogQueues: () => ({ offsets: ctx.groups?.queuedLogWrites() ?? 0, transactions: ctx.transactions?.queuedLogWrites() ?? 0 }),
      },
      ctx.logger,
      options,
    )
  }

  /**
   * Applies retention and compaction to every partition now; the broker also runs this on a timer
   * (which skips compacted logs that sealed no segment since their last pass).
   */
  runLogMaintenance(force = true): { segmentsDeleted: number; recordsCompacted: number } {
    let segmentsDeleted = 0
    let recordsCompacted = 0
    const now = this.ctx.now()
    for (const topic of this.ctx.topics.all()) {
      for (const log of topic.partitions) {
        try {
          segmentsDeleted += applyRetention(log, now)
          recordsCompacted += compactLog(log, now, force)
        } catch (error) {
          this.ctx.logger.error('log maintenance failed', { log: log.dir, error: error instanceof Error ? error.message : String(error) })
        }
      }
    }
    return { segmentsDeleted, recordsCompacted }
  }

  /** Stops listening, drops every connection, syncs and closes the logs (a clean close leaves everything on disk). Idempotent. */
  close(): Promise<void> {
    this.closePromise ??= this.doClose()
    return this.closePromise
  }

  private async doClose(): Promise<void> {
    this.ctx.closing = true
    clearInterval(this.maintenanceTimer)
    this.watchdog?.stop()
    this.ctx.fetchWaiters.wakeAll()
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const socket of this.sockets) socket.destroy()
    await closed
    await this.ctx.transactions?.close()
    await this.ctx.groups?.close()
    for (const topic of this.ctx.topics.all()) {
      for (const log of topic.partitions) await log.flush().catch(() => undefined)
    }
    this.ctx.topics.close()
    this.lock.release()
    if (this.temporary) rmSync(this.dataDir, { recursive: true, force: true })
    this.ctx.logger.info('broker stopped', { dataDir: this.dataDir })
  }
}

/** A stable cluster id per data directory, as Kafka keeps in meta.properties. */
function clusterIdOf(dataDir: string): string {
  const file = join(dataDir, 'cluster-id')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const id = randomUUID().replace(/-/g, '').slice(0, 22)
  writeFileSync(file, id)
  return id
}
