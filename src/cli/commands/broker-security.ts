import { readFileSync } from 'node:fs'
import { SASL_MECHANISMS, parseSaslUsers, type BrokerSaslOptions, type BrokerTlsOptions, type SaslMechanism } from '../../broker/index.js'
import { CliError } from '../../core/errors.js'

/** The flags of `tributary broker` that secure its listener. */
export const brokerSecurityFlags = {
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-client-ca': { type: 'string' },
  'sasl-users': { type: 'string' },
  'sasl-mechanisms': { type: 'string' },
} as const

export const brokerSecurityUsage = `Security (listener PLAINTEXT by default; SSL, SASL_PLAINTEXT or SASL_SSL with these):
  --tls-cert <file>     serve TLS with this certificate (PEM), with --tls-key <file>
  --tls-client-ca <file>
                        require client certificates signed by this CA (mutual TLS)
  --sasl-users <file>   require SASL; one "name:password" per line (# comments)
  --sasl-mechanisms <list>
                        comma-separated, from PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
                        (default: all three)`

/**
 * Turns the security flags into EmbeddedKafka's `tls` and `sasl` options, reading the files they
 * name; every mistake is a CliError naming the flag.
 */
export function brokerSecurityOptions(values: Record<string, unknown>, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): { tls?: BrokerTlsOptions; sasl?: BrokerSaslOptions } {
  const fail = (message: string): never => {
    throw new CliError(`tributary broker: ${message}`)
  }
  const str = (name: keyof typeof brokerSecurityFlags) => values[name] as string | undefined
  const read = (flag: string, path: string): string => {
    try {
      return readFile(path)
    } catch (error) {
      return fail(`cannot read --${flag} file "${path}": ${error instanceof Error ? error.message : String(error)}.`)
    }
  }
  const pem = (flag: string, path: string): string => {
    const text = read(flag, path)
    if (!text.includes('-----BEGIN ')) fail(`--${flag} file "${path}" holds no PEM text ("-----BEGIN ..."); convert it with openssl.`)
    return text
  }

  const cert = str('tls-cert')
  const key = str('tls-key')
  const clientCa = str('tls-client-ca')
  if ((cert === undefined) !== (key === undefined)) fail('--tls-cert and --tls-key go together: the server certificate needs its private key.')
  if (clientCa !== undefined && cert === undefined) fail('--tls-client-ca needs --tls-cert and --tls-key: client certificates are checked over TLS.')
  const tls: BrokerTlsOptions | undefined = cert === undefined
    ? undefined
    : { cert: pem('tls-cert', cert), key: pem('tls-key', key!), ...(clientCa === undefined ? {} : { ca: pem('tls-client-ca', clientCa), requestCert: true }) }

  const usersFile = str('sasl-users')
  const mechanismList = str('sasl-mechanisms')
  if (usersFile === undefined) {
    if (mechanismList !== undefined) fail('--sasl-mechanisms needs --sasl-users <file>: the users who may log in.')
    return { tls }
  }
  let users: Record<string, string> = {}
  try {
    users = parseSaslUsers(read('sasl-users', usersFile), `--sasl-users file "${usersFile}"`)
  } catch (error) {
    if (error instanceof CliError) throw error
    fail((error as Error).message)
  }
  let mechanisms: SaslMechanism[] | undefined
  if (mechanismList !== undefined) {
    mechanisms = mechanismList.split(',').map((name) => name.trim().toUpperCase()).filter((name) => name !== '') as SaslMechanism[]
    const unknown = mechanisms.filter((name) => !SASL_MECHANISMS.includes(name))
    if (unknown.length > 0 || mechanisms.length === 0) fail(`--sasl-mechanisms takes a comma-separated list of ${SASL_MECHANISMS.join(', ')}, got "${mechanismList}".`)
  }
  return { tls, sasl: { users, ...(mechanisms === undefined ? {} : { mechanisms }) } }
}
