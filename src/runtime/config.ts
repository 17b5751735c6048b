import { ConfigError } from '../core/errors.js'
import type { Serde } from '../serde/serde.js'
import { KafkaSecurity, type SaslConfig } from '../kafka/security.js'
import type { TlsOptions } from '../core/tls.js'
import type { StoreSupplierKind } from '../state/types.js'
import { DEFAULT_CACHE_MAX_BYTES } from '../state/layers/cache-budget.js'
import { DEFAULT_JOIN_CACHE_MAX_BYTES } from '../state/layers/live-window-cache.js'
import { DEFAULT_IDLE_TIMEOUT_MS } from '../engine/stream-task.js'
import { DEFAULT_EMIT_INTERVAL_MS } from '../processors/emit-final.js'
import type { DeserializationExceptionHandler } from '../engine/exception-handlers.js'
import { resolveGroupTimeouts, type GroupTimeoutsConfig, type ResolvedGroupTimeouts } from './group-timeouts.js'
import { resolveExceptionHandlers, type ProcessingExceptionHandler, type ProductionExceptionHandler } from '../engine/exception-handlers.js'

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once_v2'

/** What `new KafkaStreams(topology, config)` accepts. Durations are milliseconds. */
export interface KafkaStreamsConfig extends GroupTimeoutsConfig {
  /** Names the consumer group and prefixes internal topics; letters, digits, `.`, `_`, `-`. */
  readonly applicationId: string
  readonly bootstrapServers: readonly string[]
  /**
   * TLS to the brokers (Kafka's SSL, or SASL_SSL with `sasl`): `true` trusts Node's bundled CAs
   * (public clouds), or `{ ca, cert?, key?, servername?, rejectUnauthorized? }` as PEM text.
   * Every client of the instance uses it. Default: plaintext.
   */
  readonly tls?: TlsOptions | true
  /**
   * SASL authentication of every client of the instance: `{ mechanism: 'PLAIN' | 'SCRAM-SHA-256'
   * | 'SCRAM-SHA-512', username, password }` or `{ mechanism: 'OAUTHBEARER', token }`, where
   * `token` may be a function returning (a promise of) a fresh token. Default: none.
   */
  readonly sasl?: SaslConfig
  /** Default `<applicationId>-client`. */
  readonly clientId?: string
  /** Default `.tributary/state`; task stores live under `<stateDir>/<applicationId>/<taskId>/`. */
  readonly stateDir?: string
  /**
   * Default 'at_least_once'. 'exactly_once_v2' commits outputs, changelog writes and input offsets
   * in one transaction of a transactional producer named `<applicationId>-<processId>` (the process
   * id is kept in the state directory, so a restart fences its previous incarnation).
   */
  readonly processingGuarantee?: ProcessingGuarantee
  /**
   * Under exactly_once_v2: how long a transaction may stay open before the broker aborts it
   * (Kafka's `transaction.timeout.ms`, sent when the producer starts). An instance that dies with
   * a transaction open holds back `read_committed` readers of its output partitions until then,
   * unless it restarts first. Default 10000, as Kafka Streams sets it.
   */
  readonly transactionTimeoutMs?: number
  /**
   * Under at_least_once: how long a send the cluster failed with a retriable error (a dropped
   * connection, a broker restarting) is tried again before the instance gives up on it and
   * reprocesses the records since the last commit (Kafka's `delivery.timeout.ms`). Default 120000.
   * Under exactly_once_v2 a failed send aborts the transaction instead.
   */
  readonly deliveryTimeoutMs?: number
  /**
   * How often stores are flushed, outputs acknowledged and offsets committed (under exactly-once:
   * how often the transaction commits, so how late `read_committed` readers see results).
   * Default 30000 under at_least_once, 100 under exactly_once_v2 (Kafka Streams' defaults).
   */
  readonly commitIntervalMs?: number
  /** Default 'fail'. */
  readonly deserializationExceptionHandler?: DeserializationExceptionHandler
  /** An exception a processor throws while processing a record. Default 'fail'. */
  readonly processingExceptionHandler?: ProcessingExceptionHandler
  /** A record the producer refuses (sink serialization, a send rejected for good). Default 'fail'. */
  readonly productionExceptionHandler?: ProductionExceptionHandler
  /**
   * Task idling (Kafka Streams' `max.task.idle.ms`, KIP-695): when a task reads several partitions
   * (a join's inputs) and some are empty, `0` (default) waits while the empty ones have records on
   * the broker that are not fetched yet, so no input overtakes another in event time; above 0 it
   * also waits that long for new data to be produced; `-1` never waits.
   */
  readonly maxTaskIdleMs?: number
  /**
   * How a task's event time is kept (docs/windows.md, "Event time across partitions"). 'off'
   * (default): Kafka Streams' stream time, the largest timestamp a task has seen. 'upstream': the
   * minimum over the task's inputs, where a repartition topic's partition follows the slowest of
   * the upstream tasks writing it (each writes its watermark in a header and in marker records), so
   * windows behind a repartition count the same whatever the speeds of the input partitions; idle
   * inputs stop holding it back after `idleTimeoutMs`, and the last windows close without new input.
   * Every instance of an application must use the same setting.
   */
  readonly watermarks?: 'off' | 'upstream'
  /**
   * Under upstream watermarks: how long an input partition stays empty and caught up (or an
   * upstream task reports all of its inputs so) before it stops holding the event time back; once
   * every input of a task is idle its event time advances with the wall clock. Default 30000.
   */
  readonly idleTimeoutMs?: number
  /**
   * Wall-clock ms between two looks for closed windows by a windowed aggregation with
   * `EmitStrategy.onWindowClose()` (Kafka Streams' internal `__emit.interval.ms.kstreams.windowed.aggregation__`):
   * each look reads the store, so windows come out up to this long after they close. Default 1000.
   */
  readonly emitIntervalMsKstreamsWindowedAggregation?: number
  /**
   * The record cache (Kafka Streams' `statestore.cache.max.bytes`): one budget in bytes shared by
   * the caching stores of every task of the instance. Aggregations and materialized tables keep
   * each key's latest value there and forward it downstream (and to the changelog) when the cache
   * is flushed at commit or evicts it, so repeated updates of a key between commits go out once.
   * `0` switches it off: every update is forwarded at once (the stores' write-behind caches, which
   * forward nothing, then share a 10 MiB budget). Under `watermarks: 'upstream'` nothing is held
   * back either, and the budget bounds the write-behind caches. Default 10485760 (10 MiB).
   */
  readonly cacheMaxBytes?: number
  /**
   * Bound in bytes of the in-memory copies the RocksDB stores of stream-stream joins keep (their live
   * windows, or the whole shared store of a left or outer join), one budget for every such store of
   * the instance's active and standby tasks; beyond it the store written to moves its oldest data out
   * and those reads go to RocksDB. `0` switches the copies off. Default 268435456 (256 MiB) per instance.
   */
  readonly joinCacheMaxBytes?: number
  /** Default 'rocksdb'; 'memory' keeps state in the process only (restored in full on start). */
  readonly storeSupplier?: StoreSupplierKind
  /** Serdes for keys and values the topology leaves unspecified. Default JSON. */
  readonly defaultKeySerde?: Serde<unknown>
  readonly defaultValueSerde?: Serde<unknown>
  /** Records taken from the consumer per poll. Default 500. */
  readonly maxPollRecords?: number
  /** Connection retries (see docs/running.md). */
  readonly retries?: number
  readonly retryDelayMs?: number
  /**
   * `host:port` where this instance serves interactive queries (Kafka Streams'
   * `application.server`). Advertised to the group so that `metadataForKey` can say which
   * instance holds a key. Default: none (the instance is not listed by `allMetadata`).
   */
  readonly applicationServer?: string
  /**
   * Standby replicas per stateful task (Kafka Streams' `num.standby.replicas`): other instances
   * keep copies of the task's stores up to date from its changelogs, so that when its instance
   * fails the one taking over restores only the last records. Each costs a changelog reader's
   * traffic and the stores' disk on those instances. Capped by the number of other instances;
   * ignored with `storeSupplier: 'memory'`. Set the same on every instance. Default 0.
   */
  readonly numStandbyReplicas?: number
}

/** The config with every default filled in. */
export interface ResolvedStreamsConfig extends ResolvedGroupTimeouts {
  readonly applicationId: string
  readonly bootstrapServers: readonly string[]
  /** TLS and SASL, validated; prints without its secrets. */
  readonly security: KafkaSecurity
  readonly clientId: string
  readonly stateDir: string
  readonly processingGuarantee: ProcessingGuarantee
  readonly commitIntervalMs: number
  readonly transactionTimeoutMs: number
  readonly deliveryTimeoutMs: number
  readonly deserializationExceptionHandler: DeserializationExceptionHandler
  readonly processingExceptionHandler: ProcessingExceptionHandler
  readonly productionExceptionHandler: ProductionExceptionHandler
  readonly maxTaskIdleMs: number
  readonly watermarks: 'off' | 'upstream'
  readonly idleTimeoutMs: number
  readonly emitIntervalMsKstreamsWindowedAggregation: number
  readonly cacheMaxBytes: number
  readonly joinCacheMaxBytes: number
  readonly storeSupplier: StoreSupplierKind
  readonly defaultKeySerde: Serde<unknown> | undefined
  readonly defaultValueSerde: Serde<unknown> | undefined
  readonly maxPollRecords: number
  readonly retries: number | undefined
  readonly retryDelayMs: number | undefined
  readonly applicationServer: string | undefined
  readonly numStandbyReplicas: number
}

const APPLICATION_ID = /^[A-Za-z0-9._-]+$/

function watermarksMode(value: unknown): 'off' | 'upstream' {
  if (value === undefined || value === 'off' || value === 'upstream') return value ?? 'off'
  throw new ConfigError(`watermarks must be 'off' (Kafka Streams' stream time, the default) or 'upstream', got ${JSON.stringify(value)}.`)
}

function nonNegative(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ConfigError(`${name} must be a number >= ${min} (milliseconds or a count), got ${String(value)}.`)
  }
  return value
}

/**
 * Kafka Streams' `commit.interval.ms` defaults: outputs reach at-least-once readers as they are
 * sent, but exactly-once readers only when the transaction commits, so it commits often.
 */
export function defaultCommitIntervalMs(guarantee: ProcessingGuarantee): number {
  return guarantee === 'exactly_once_v2' ? 100 : 30_000
}

/** Validates the config and fills in defaults; every problem is a ConfigError saying what to change. */
export function resolveStreamsConfig(config: KafkaStreamsConfig): ResolvedStreamsConfig {
  if (config === null || typeof config !== 'object') throw new ConfigError('KafkaStreams needs a config object: { applicationId, bootstrapServers }.')
  const { applicationId, bootstrapServers } = config
  if (typeof applicationId !== 'string' || !APPLICATION_ID.test(applicationId)) {
    throw new ConfigError(`applicationId must be a non-empty string of letters, digits, ".", "_" or "-", got ${JSON.stringify(applicationId)}.`)
  }
  if (!Array.isArray(bootstrapServers) || bootstrapServers.length === 0 || bootstrapServers.some((s) => typeof s !== 'string' || !/^[^:\s]+:\d+$/.test(s))) {
    throw new ConfigError(`bootstrapServers must be a non-empty list of "host:port" strings, e.g. ['127.0.0.1:9092'], got ${JSON.stringify(bootstrapServers)}.`)
  }
  const security = new KafkaSecurity({
    ...(config.tls === undefined ? {} : { tls: config.tls }),
    ...(config.sasl === undefined ? {} : { sasl: config.sasl }),
  })
  const guarantee = config.processingGuarantee ?? 'at_least_once'
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') {
    throw new ConfigError(`processingGuarantee must be 'at_least_once' or 'exactly_once_v2', got ${JSON.stringify(guarantee)}.`)
  }
  const handlers = resolveExceptionHandlers(config)
  const storeSupplier = config.storeSupplier ?? 'rocksdb'
  if (storeSupplier !== 'rocksdb' && storeSupplier !== 'memory') {
    throw new ConfigError(`storeSupplier must be 'rocksdb' or 'memory', got ${JSON.stringify(storeSupplier)}.`)
  }
  const stateDir = config.stateDir ?? '.tributary/state'
  if (typeof stateDir !== 'string' || stateDir.length === 0) throw new ConfigError('stateDir must be a non-empty path.')
  const applicationServer = config.applicationServer
  if (applicationServer !== undefined && (typeof applicationServer !== 'string' || parseHostPort(applicationServer) === undefined)) {
    throw new ConfigError(`applicationServer must be "host:port" with a port from 1 to 65535, e.g. 'localhost:8080', got ${JSON.stringify(applicationServer)}.`)
  }
  const clientId = config.clientId ?? `${applicationId}-client`
  if (typeof clientId !== 'string' || clientId.length === 0) throw new ConfigError('clientId must be a non-empty string.')
  return {
    applicationId,
    bootstrapServers: [...bootstrapServers],
    security,
    clientId,
    stateDir,
    processingGuarantee: guarantee,
    commitIntervalMs: nonNegative('commitIntervalMs', config.commitIntervalMs, defaultCommitIntervalMs(guarantee)),
    transactionTimeoutMs: nonNegative('transactionTimeoutMs', config.transactionTimeoutMs, 10_000, 1),
    deliveryTimeoutMs: nonNegative('deliveryTimeoutMs', config.deliveryTimeoutMs, 120_000),
    ...handlers,
    maxTaskIdleMs: config.maxTaskIdleMs === -1 ? -1 : nonNegative('maxTaskIdleMs', config.maxTaskIdleMs, 0),
    watermarks: watermarksMode(config.watermarks),
    idleTimeoutMs: nonNegative('idleTimeoutMs', config.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS),
    emitIntervalMsKstreamsWindowedAggregation: nonNegative('emitIntervalMsKstreamsWindowedAggregation', config.emitIntervalMsKstreamsWindowedAggregation, DEFAULT_EMIT_INTERVAL_MS),
    cacheMaxBytes: nonNegative('cacheMaxBytes', config.cacheMaxBytes, DEFAULT_CACHE_MAX_BYTES),
    joinCacheMaxBytes: nonNegative('joinCacheMaxBytes', config.joinCacheMaxBytes, DEFAULT_JOIN_CACHE_MAX_BYTES),
    storeSupplier,
    defaultKeySerde: config.defaultKeySerde,
    defaultValueSerde: config.defaultValueSerde,
    maxPollRecords: nonNegative('maxPollRecords', config.maxPollRecords, 500, 1),
    ...resolveGroupTimeouts(config),
    retries: config.retries,
    retryDelayMs: config.retryDelayMs,
    applicationServer,
    numStandbyReplicas: wholeNumber('numStandbyReplicas', config.numStandbyReplicas, 0),
  }
}

function wholeNumber(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a whole number >= 0, got ${String(value)}.`)
  return value
}

/** `host:port` split, or undefined when it is not one (an IPv6 host goes in brackets: `[::1]:8080`). */
export function parseHostPort(hostPort: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(hostPort)
  if (match === null) return undefined
  const port = Number(match[2])
  return port >= 1 && port <= 65_535 ? { host: match[1] as string, port } : undefined
}
