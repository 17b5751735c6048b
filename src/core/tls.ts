import type { ConnectionOptions } from 'node:tls'
import { ConfigError } from './errors.js'

type Pem = string | Buffer

/**
 * TLS for a client connection (to Kafka brokers, to a schema registry): a subset of Node's
 * `tls.connect` options. Certificates and keys are PEM text, not file paths.
 *
 * @example
 * const tls = { ca: readFileSync('ca.pem'), servername: 'kafka.internal' }
 */
export interface TlsOptions {
  /** CA certificates to trust instead of Node's bundled ones (a private CA). Default: Node's. */
  readonly ca?: Pem | readonly Pem[]
  /** This client's certificate, for brokers that authenticate clients by certificate (mutual TLS). */
  readonly cert?: Pem
  /** The private key of `cert`. */
  readonly key?: Pem
  /** Unlocks an encrypted `key`. */
  readonly passphrase?: string
  /** The name the server's certificate must carry, when it differs from the host connected to (SNI too). */
  readonly servername?: string
  /** Default true. False accepts any certificate: for experiments only, it defeats TLS. */
  readonly rejectUnauthorized?: boolean
}

const TLS_KEYS: ReadonlySet<string> = new Set(['ca', 'cert', 'key', 'passphrase', 'servername', 'rejectUnauthorized'])

function isPem(value: unknown): value is Pem {
  if (typeof value === 'string') return value.includes('-----BEGIN ')
  return Buffer.isBuffer(value) && value.includes('-----BEGIN ')
}

function pem(name: string, value: unknown): Pem {
  if (isPem(value)) return value
  // A path where the text belongs is the usual mistake; the message must not echo a key.
  const hint = typeof value === 'string' && !value.includes('\n') && value.length < 4096
    ? ` (it looks like a file path: pass readFileSync(${JSON.stringify(value)}) instead)`
    : ''
  throw new ConfigError(`${name} must be PEM text (a string or Buffer with "-----BEGIN ..."), not a file path${hint}.`)
}

/**
 * Validates TLS options and turns them into `tls.connect` options. `true` means TLS with Node's
 * bundled CAs (what a public cloud's brokers need); `undefined` means no TLS.
 */
export function resolveTlsOptions(name: string, tls: TlsOptions | true | undefined): ConnectionOptions | undefined {
  if (tls === undefined) return undefined
  if (tls === true) return {}
  if (tls === null || typeof tls !== 'object' || Array.isArray(tls)) {
    throw new ConfigError(`${name} must be true (TLS with Node's CAs) or an object { ca?, cert?, key?, servername?, rejectUnauthorized? }.`)
  }
  const unknown = Object.keys(tls).filter((key) => !TLS_KEYS.has(key))
  if (unknown.length > 0) {
    throw new ConfigError(`${name} has unknown option(s) ${unknown.join(', ')}; it takes ${[...TLS_KEYS].join(', ')}.`)
  }
  const options: ConnectionOptions = {}
  if (tls.ca !== undefined) {
    options.ca = Array.isArray(tls.ca) ? (tls.ca as readonly unknown[]).map((ca, i) => pem(`${name}.ca[${i}]`, ca)) : pem(`${name}.ca`, tls.ca)
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new ConfigError(`${name}.cert and ${name}.key go together: a client certificate needs its private key.`)
  }
  if (tls.cert !== undefined) options.cert = pem(`${name}.cert`, tls.cert)
  if (tls.key !== undefined) options.key = pem(`${name}.key`, tls.key)
  if (tls.passphrase !== undefined) {
    if (typeof tls.passphrase !== 'string') throw new ConfigError(`${name}.passphrase must be a string.`)
    options.passphrase = tls.passphrase
  }
  if (tls.servername !== undefined) {
    if (typeof tls.servername !== 'string' || tls.servername === '') throw new ConfigError(`${name}.servername must be a non-empty host name.`)
    options.servername = tls.servername
  }
  if (tls.rejectUnauthorized !== undefined) {
    if (typeof tls.rejectUnauthorized !== 'boolean') throw new ConfigError(`${name}.rejectUnauthorized must be true or false.`)
    options.rejectUnauthorized = tls.rejectUnauthorized
  }
  return options
}

/** What may be shown of TLS options: whether each is set, never the key or passphrase. */
export function describeTls(options: ConnectionOptions | undefined): string {
  if (options === undefined) return 'off'
  const parts = [options.ca === undefined ? "Node's CAs" : 'own CA']
  if (options.cert !== undefined) parts.push('client certificate')
  if (options.servername !== undefined) parts.push(`servername ${options.servername}`)
  if (options.rejectUnauthorized === false) parts.push('certificates NOT verified')
  return parts.join(', ')
}
