import type { ConnectionOptions } from 'node:tls'
import { inspect } from 'node:util'
import type { SASLOptions } from '@platformatic/kafka'
import { ConfigError } from '../core/errors.js'
import { describeTls, resolveTlsOptions, type TlsOptions } from '../core/tls.js'

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER'

/** Returns an OAuth bearer token (a JWT); called for every new connection and re-authentication. */
export type OAuthBearerTokenProvider = () => string | Promise<string>

/**
 * SASL authentication. PLAIN and SCRAM take `username` and `password`; OAUTHBEARER takes `token`,
 * a string or a function that fetches a fresh one.
 *
 * @example
 * const sasl = { mechanism: 'SCRAM-SHA-512', username: 'fleet', password: process.env.KAFKA_PASSWORD }
 */
export interface SaslConfig {
  readonly mechanism: SaslMechanism
  readonly username?: string
  readonly password?: string
  readonly token?: string | OAuthBearerTokenProvider
}

/** How clients secure their connections to the brokers. */
export interface KafkaSecurityConfig {
  /** TLS to the brokers (Kafka's SSL and SASL_SSL); `true` trusts Node's bundled CAs. Default: plaintext. */
  readonly tls?: TlsOptions | true
  /** SASL authentication (Kafka's SASL_PLAINTEXT, or SASL_SSL with `tls`). Default: none. */
  readonly sasl?: SaslConfig
}

/** Kafka's `security.protocol` for a combination of TLS and SASL. */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL'

const MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']
const SASL_KEYS: ReadonlySet<string> = new Set(['mechanism', 'username', 'password', 'token'])

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

function resolveSasl(sasl: SaslConfig | undefined): SASLOptions | undefined {
  if (sasl === undefined) return undefined
  if (sasl === null || typeof sasl !== 'object') throw new ConfigError(`sasl must be an object { mechanism, username, password } or { mechanism: 'OAUTHBEARER', token }.`)
  const unknown = Object.keys(sasl).filter((key) => !SASL_KEYS.has(key))
  if (unknown.length > 0) throw new ConfigError(`sasl has unknown option(s) ${unknown.join(', ')}; it takes mechanism, username, password and token.`)
  const { mechanism } = sasl
  if (!MECHANISMS.includes(mechanism)) {
    throw new ConfigError(`sasl.mechanism must be one of ${MECHANISMS.join(', ')}, got ${JSON.stringify(mechanism)}.`)
  }
  if (mechanism === 'OAUTHBEARER') {
    if (sasl.username !== undefined || sasl.password !== undefined) {
      throw new ConfigError('sasl: OAUTHBEARER authenticates with a token, not a username and password; give sasl.token (a string or a function returning one).')
    }
    if (!nonEmpty(sasl.token) && typeof sasl.token !== 'function') {
      throw new ConfigError('sasl: OAUTHBEARER needs sasl.token: the token, or a function that returns (a promise of) a fresh one.')
    }
    return { mechanism, token: sasl.token }
  }
  if (sasl.token !== undefined) throw new ConfigError(`sasl.token is for OAUTHBEARER; ${mechanism} takes sasl.username and sasl.password.`)
  if (!nonEmpty(sasl.username)) throw new ConfigError(`sasl: ${mechanism} needs sasl.username, a non-empty string.`)
  // The password itself never goes into a message.
  if (!nonEmpty(sasl.password)) throw new ConfigError(`sasl: ${mechanism} needs sasl.password, a non-empty string (user "${sasl.username}" has none).`)
  return { mechanism, username: sasl.username, password: sasl.password }
}

/**
 * Validated TLS and SASL settings. Secrets (password, token, private key) live in private fields:
 * logging the config, `JSON.stringify` or `util.inspect` show the protocol, mechanism and user only.
 */
export class KafkaSecurity {
  readonly protocol: SecurityProtocol
  readonly saslMechanism: SaslMechanism | undefined
  readonly saslUsername: string | undefined
  readonly #config: KafkaSecurityConfig
  readonly #tls: ConnectionOptions | undefined
  readonly #sasl: SASLOptions | undefined

  /** Throws a ConfigError that names the setting to fix. */
  constructor(config: KafkaSecurityConfig = {}) {
    this.#tls = resolveTlsOptions('tls', config.tls)
    this.#sasl = resolveSasl(config.sasl)
    this.#config = { ...(config.tls === undefined ? {} : { tls: config.tls }), ...(config.sasl === undefined ? {} : { sasl: config.sasl }) }
    this.saslMechanism = config.sasl?.mechanism
    this.saslUsername = config.sasl?.username
    this.protocol = this.#sasl === undefined ? (this.#tls === undefined ? 'PLAINTEXT' : 'SSL') : (this.#tls === undefined ? 'SASL_PLAINTEXT' : 'SASL_SSL')
  }

  /** The settings as given (secrets included), to hand to another client factory. */
  config(): KafkaSecurityConfig {
    return this.#config
  }

  /** The `tls` and `sasl` options of an @platformatic/kafka client. */
  clientOptions(): { tls?: ConnectionOptions; sasl?: SASLOptions } {
    return { ...(this.#tls === undefined ? {} : { tls: this.#tls }), ...(this.#sasl === undefined ? {} : { sasl: this.#sasl }) }
  }

  toJSON(): Record<string, string> {
    return {
      protocol: this.protocol,
      tls: describeTls(this.#tls),
      ...(this.saslMechanism === undefined ? {} : { saslMechanism: this.saslMechanism }),
      ...(this.saslUsername === undefined ? {} : { saslUsername: this.saslUsername }),
    }
  }

  [inspect.custom](): string {
    return `KafkaSecurity ${inspect(this.toJSON())}`
  }
}
