import { BrokerError } from '../errors.js'

/** The SASL mechanisms the broker serves (Kafka's `sasl.enabled.mechanisms`). */
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'

export const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']

/** Kafka's name for what a listener requires: TLS, SASL, both or neither. */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL'

/** PEM text or its bytes, as node:tls takes them. */
export type Pem = string | Buffer

/** Serves the listener over TLS (Kafka's `ssl.keystore.*` and `ssl.client.auth`). */
export interface BrokerTlsOptions {
  /** The server's private key. */
  key: Pem
  /** The server's certificate, followed by any intermediates; it must name the address clients connect to. */
  cert: Pem
  /** CA certificates client certificates must chain to; used with `requestCert`. */
  ca?: Pem | Pem[]
  /** Require every client to present a certificate signed by `ca` (Kafka's `ssl.client.auth=required`). */
  requestCert?: boolean
}

/** Requires clients to authenticate with SASL before any request but ApiVersions. */
export interface BrokerSaslOptions {
  /** Default: all of PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. */
  mechanisms?: readonly SaslMechanism[]
  /** User name to password. Only salted SCRAM credentials are kept once the broker has started. */
  users: Readonly<Record<string, string>>
}

export function securityProtocolOf(tls: boolean, sasl: boolean): SecurityProtocol {
  if (sasl) return tls ? 'SASL_SSL' : 'SASL_PLAINTEXT'
  return tls ? 'SSL' : 'PLAINTEXT'
}

/** Checks the SASL options and answers the enabled mechanisms, in the order given, without duplicates. */
export function saslMechanismsOf(options: BrokerSaslOptions): SaslMechanism[] {
  const mechanisms = [...new Set(options.mechanisms ?? SASL_MECHANISMS)]
  if (mechanisms.length === 0) throw new BrokerError(`sasl.mechanisms is empty; enable one or more of ${SASL_MECHANISMS.join(', ')}.`)
  for (const mechanism of mechanisms) {
    if (!SASL_MECHANISMS.includes(mechanism)) {
      throw new BrokerError(`Unsupported SASL mechanism "${String(mechanism)}"; the broker serves ${SASL_MECHANISMS.join(', ')}.`)
    }
  }
  const names = Object.keys(options.users ?? {})
  if (names.length === 0) throw new BrokerError('sasl.users is empty; give at least one user name and password.')
  for (const name of names) {
    const password = options.users[name]
    // A NUL separates the fields of a PLAIN message, so neither can contain one.
    if (name === '' || name.includes('\0')) throw new BrokerError(`SASL user name ${JSON.stringify(name)} must be non-empty and contain no NUL character.`)
    if (typeof password !== 'string' || password === '' || password.includes('\0')) {
      throw new BrokerError(`The password of SASL user "${name}" must be a non-empty string without a NUL character.`)
    }
  }
  return mechanisms
}
