import type { ConnectionOptions } from 'node:tls'
import type { SASLOptions } from '@platformatic/kafka'
import { ConfigError } from '../core/errors.js'
import { KafkaSecurity, type KafkaSecurityConfig } from './security.js'

/** How Tributary reaches the cluster; shared by every client it creates (TLS and SASL included). */
export interface KafkaConnectionConfig extends KafkaSecurityConfig {
  /** `host:port` of one or more brokers. */
  readonly bootstrapServers: readonly string[]
  /** Sent to the brokers with every request; shows up in their logs and quotas. */
  readonly clientId: string
  /** Names the consumer group and prefixes internal topics and transactional ids. */
  readonly applicationId: string
  /** Attempts after the first for a failed request (default 3). Bounded so a dead broker surfaces. */
  readonly retries?: number
  /** Milliseconds between attempts (default 250). */
  readonly retryDelayMs?: number
  /** Milliseconds to open a connection (default 5000). */
  readonly connectTimeoutMs?: number
  /** Milliseconds to wait for any single response (default 30000). */
  readonly requestTimeoutMs?: number
  /**
   * Milliseconds after which any operation that has not settled fails with a retriable
   * `KafkaError` (default: enough for every retry: connect + (retries + 1) x (request + delay)).
   * Waits the operation asks for (a poll's timeout, a rebalance) are added on top.
   */
  readonly operationTimeoutMs?: number
}

/** Everything a Tributary client needs: the client options and its own deadline. */
export interface KafkaSettings {
  readonly client: BaseClientOptions
  readonly deadlineMs: number
}

/** The subset of client options every Tributary client uses, already validated. */
export interface BaseClientOptions {
  clientId: string
  bootstrapBrokers: string[]
  retries: number
  retryDelay: number
  connectTimeout: number
  requestTimeout: number
  timeout: number
  autocreateTopics: false
  tls?: ConnectionOptions
  sasl?: SASLOptions
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigError(`${name} must be a non-negative integer, got ${String(value)}.`)
  }
  return value
}

/** Validates the connection config and turns it into client options and a deadline. */
export function kafkaSettings(config: KafkaConnectionConfig): KafkaSettings {
  // Every client (admin, consumers, readers, producers) is made from these options, so TLS and
  // SASL reach all of them.
  const client = { ...baseClientOptions(config), ...new KafkaSecurity(config).clientOptions() }
  const fallback = client.connectTimeout + (client.retries + 1) * (client.requestTimeout + client.retryDelay)
  return { client, deadlineMs: nonNegativeInteger('operationTimeoutMs', config.operationTimeoutMs, fallback) }
}

function baseClientOptions(config: KafkaConnectionConfig): BaseClientOptions {
  if (!Array.isArray(config.bootstrapServers) || config.bootstrapServers.length === 0) {
    throw new ConfigError('bootstrapServers must list at least one "host:port", e.g. ["127.0.0.1:9092"].')
  }
  for (const server of config.bootstrapServers) {
    if (typeof server !== 'string' || !/^[^\s:]+:\d+$/.test(server)) {
      throw new ConfigError(`bootstrapServers entry ${JSON.stringify(server)} is not "host:port".`)
    }
  }
  if (typeof config.clientId !== 'string' || config.clientId === '') {
    throw new ConfigError('clientId must be a non-empty string.')
  }
  if (typeof config.applicationId !== 'string' || !/^[A-Za-z0-9._-]+$/.test(config.applicationId)) {
    throw new ConfigError(
      `applicationId must be non-empty and use only letters, digits, ".", "_" and "-" (it names topics); got ${JSON.stringify(config.applicationId)}.`,
    )
  }
  const requestTimeout = nonNegativeInteger('requestTimeoutMs', config.requestTimeoutMs, 30_000)
  return {
    clientId: config.clientId,
    bootstrapBrokers: [...config.bootstrapServers],
    retries: nonNegativeInteger('retries', config.retries, 3),
    retryDelay: nonNegativeInteger('retryDelayMs', config.retryDelayMs, 250),
    connectTimeout: nonNegativeInteger('connectTimeoutMs', config.connectTimeoutMs, 5_000),
    requestTimeout,
    timeout: requestTimeout,
    autocreateTopics: false,
  }
}

/** A client that can be closed without waiting for in-flight requests. */
interface ForceClosable {
  close(force: boolean, callback: (error?: Error | null) => void): void
}

/**
 * Closes a client without waiting for its in-flight requests (the promise overload of the
 * client's `close` does not take `force`). Used when shutting down, where a dead broker must
 * not keep the process waiting.
 */
export function closeForcefully(client: ForceClosable): Promise<void> {
  return new Promise((resolve, reject) => {
    client.close(true, (error) => (error ? reject(error) : resolve()))
  })
}
