import { readFileSync } from 'node:fs'
import { CliError, KafkaAuthenticationError } from '../core/errors.js'
import type { TlsOptions } from '../core/tls.js'
import type { KafkaSecurityConfig, SaslMechanism } from '../kafka/security.js'
import type { SchemaRegistryAccess } from '../serde/index.js'

/** Environment variables that carry secrets: flags would show them in `ps` and shell history. */
export const SASL_PASSWORD_ENV = 'TRIBUTARY_SASL_PASSWORD'
export const REGISTRY_PASSWORD_ENV = 'TRIBUTARY_REGISTRY_PASSWORD'

/** The flags of `run` and `generate` that secure the connection to --brokers and --registry. */
export const securityFlags = {
  tls: { type: 'boolean' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-servername': { type: 'string' },
  'sasl-mechanism': { type: 'string' },
  'sasl-username': { type: 'string' },
  'registry-user': { type: 'string' },
} as const

export const securityUsage = `Secured clusters (with --brokers):
  --tls                      connect over TLS, trusting Node's CAs (public clouds)
  --tls-ca <file>            over TLS, trusting the CA certificate(s) in this PEM file
  --tls-cert <file>          client certificate (PEM) for mutual TLS, with --tls-key <file>
  --tls-servername <name>    the name the brokers' certificates carry, if not the host connected to
  --sasl-mechanism <m>       PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, with --sasl-username <user>;
                             the password is read from ${SASL_PASSWORD_ENV}
  --registry-user <user>     basic auth for --registry; the password is read from
                             ${REGISTRY_PASSWORD_ENV}`

/**
 * The cluster refused the connection: says so with the broker's reason (the first sentence of the
 * error, whose own advice names config options) and the flags that set what it refused.
 */
export function refusedByCluster(error: KafkaAuthenticationError, bootstrapServers: readonly string[]): KafkaAuthenticationError {
  const reason = error.message.split(/\.+\s/)[0]!.replace(/\.+$/, '')
  const hint = error.reason === 'sasl'
    ? `Check --sasl-mechanism, --sasl-username and ${SASL_PASSWORD_ENV}.`
    : "Check --tls-ca (the CA that signed the brokers' certificates) and --tls-servername."
  return new KafkaAuthenticationError(`Kafka at ${bootstrapServers.join(',')} refused the connection (${reason}). ${hint}`, error.reason, { cause: error })
}

/** How `run` and `generate` reach a secured cluster and registry. */
export interface ClusterAccess {
  readonly kafka: KafkaSecurityConfig
  readonly registry: SchemaRegistryAccess | undefined
}

const MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']

export interface SecurityFlagContext {
  readonly command: string
  readonly brokers: boolean
  readonly registry: boolean
  readonly env: NodeJS.ProcessEnv
  readonly readFile?: (path: string) => string
}

/**
 * Reads the security flags (and the passwords from the environment); every problem is a CliError
 * naming the flag. The flags configure the user's cluster, so they need --brokers.
 */
export function parseSecurityFlags(values: Record<string, unknown>, context: SecurityFlagContext): ClusterAccess {
  const { command, env } = context
  const fail = (message: string): never => {
    throw new CliError(`tributary ${command}: ${message}`)
  }
  const str = (name: keyof typeof securityFlags) => values[name] as string | undefined
  const given = Object.keys(securityFlags).filter((name) => values[name] !== undefined)
  if (given.length > 0 && !context.brokers) {
    fail(`${given.map((name) => `--${name}`).join(', ')} secure the connection to your cluster; give its --brokers too (the embedded broker needs none).`)
  }
  const readPem = (flag: string, path: string): string => {
    let text: string
    try {
      text = (context.readFile ?? ((p) => readFileSync(p, 'utf8')))(path)
    } catch (error) {
      return fail(`cannot read --${flag} file "${path}": ${error instanceof Error ? error.message : String(error)}.`)
    }
    if (!text.includes('-----BEGIN ')) fail(`--${flag} file "${path}" holds no PEM text ("-----BEGIN ..."); convert it with openssl.`)
    return text
  }

  const ca = str('tls-ca')
  const cert = str('tls-cert')
  const key = str('tls-key')
  const servername = str('tls-servername')
  if ((cert === undefined) !== (key === undefined)) fail('--tls-cert and --tls-key go together: a client certificate needs its private key.')
  if (servername === '') fail('--tls-servername takes a host name.')
  const tls: TlsOptions | undefined = ca !== undefined || cert !== undefined || servername !== undefined
    ? {
        ...(ca === undefined ? {} : { ca: readPem('tls-ca', ca) }),
        ...(cert === undefined ? {} : { cert: readPem('tls-cert', cert), key: readPem('tls-key', key!) }),
        ...(servername === undefined ? {} : { servername }),
      }
    : undefined

  const mechanismFlag = str('sasl-mechanism')
  const username = str('sasl-username')
  let kafka: KafkaSecurityConfig = tls !== undefined ? { tls } : values.tls === true ? { tls: true } : {}
  if (mechanismFlag === undefined) {
    if (username !== undefined) fail('--sasl-username needs --sasl-mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512).')
  } else {
    const mechanism = MECHANISMS.find((m) => m === mechanismFlag.toUpperCase())
    if (mechanism === undefined) {
      fail(`--sasl-mechanism must be ${MECHANISMS.join(', ')}, got "${mechanismFlag}"` +
        `${mechanismFlag.toUpperCase() === 'OAUTHBEARER' ? ' (OAUTHBEARER needs a token provider: use KafkaStreams\' sasl option)' : ''}.`)
    }
    if (username === undefined || username === '') fail(`--sasl-mechanism ${mechanism} needs --sasl-username <user>.`)
    const password = env[SASL_PASSWORD_ENV]
    if (password === undefined || password === '') {
      fail(`--sasl-mechanism ${mechanism} needs the password of "${username}" in the environment variable ${SASL_PASSWORD_ENV} (never a flag: ps and shell history would show it).`)
    }
    kafka = { ...kafka, sasl: { mechanism: mechanism!, username: username!, password: password! } }
  }

  const registryUser = str('registry-user')
  if (registryUser === undefined) return { kafka, registry: undefined }
  if (!context.registry) fail('--registry-user needs --registry <url>.')
  if (registryUser === '') fail('--registry-user takes a user name (or API key).')
  const registryPassword = env[REGISTRY_PASSWORD_ENV]
  if (registryPassword === undefined || registryPassword === '') {
    fail(`--registry-user needs the password of "${registryUser}" in the environment variable ${REGISTRY_PASSWORD_ENV} (never a flag: ps and shell history would show it).`)
  }
  return { kafka, registry: { basicAuth: { username: registryUser, password: registryPassword! } } }
}
