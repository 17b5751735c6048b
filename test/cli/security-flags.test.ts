import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { generateCommand } from '../../src/cli/commands/generate.js'
import { parseRunOptions, runUsage } from '../../src/cli/run/run-options.js'
import { runCli } from '../../src/cli/run-cli.js'
import { refusedByCluster } from '../../src/cli/security-flags.js'
import { CliError, KafkaAuthenticationError } from '../../src/core/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-tls-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const pem = (name: string, label: string): string => {
  const path = join(dir, name)
  writeFileSync(path, `-----BEGIN ${label}-----\nMIIB${name}\n-----END ${label}-----\n`)
  return path
}
const ca = pem('ca.pem', 'CERTIFICATE')
const cert = pem('client.pem', 'CERTIFICATE')
const key = pem('client.key', 'PRIVATE KEY')
const notPem = join(dir, 'ca.der')
writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01]))

const brokers = ['--brokers', 'kafka-1.internal:9093']
const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseRunOptions(['fleet-map', ...brokers, ...args], env)
function refused(args: string[], env: NodeJS.ProcessEnv = {}, withBrokers = true): string {
  try {
    parseRunOptions(['fleet-map', ...(withBrokers ? brokers : []), ...args], env)
  } catch (error) {
    expect(error).toBeInstanceOf(CliError)
    return (error as CliError).message
  }
  throw new Error(`accepted ${args.join(' ')}`)
}

describe('tributary run: security flags', () => {
  it('reads the CA, client certificate and key files, the servername, and SCRAM credentials with the password from the environment', () => {
    const options = parse(
      ['--tls-ca', ca, '--tls-cert', cert, '--tls-key', key, '--tls-servername', 'kafka.internal', '--sasl-mechanism', 'scram-sha-512', '--sasl-username', 'fleet'],
      { TRIBUTARY_SASL_PASSWORD: 'hunter2' },
    )
    expect(options.access.kafka).toEqual({
      tls: { ca: expect.stringContaining('MIIBca.pem'), cert: expect.stringContaining('MIIBclient.pem'), key: expect.stringContaining('MIIBclient.key'), servername: 'kafka.internal' },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'fleet', password: 'hunter2' },
    })
    expect(options.access.registry).toBeUndefined()
  })

  it("takes --tls alone for TLS with Node's CAs (PLAIN over TLS, as Confluent Cloud wants), and nothing for plaintext", () => {
    expect(parse(['--tls', '--sasl-mechanism', 'PLAIN', '--sasl-username', 'API_KEY'], { TRIBUTARY_SASL_PASSWORD: 'secret' }).access.kafka).toEqual({
      tls: true,
      sasl: { mechanism: 'PLAIN', username: 'API_KEY', password: 'secret' },
    })
    expect(parse([]).access).toEqual({ kafka: {}, registry: undefined })
  })

  it('gives the registry basic auth from --registry-user and TRIBUTARY_REGISTRY_PASSWORD', () => {
    const options = parse(['--registry', 'https://registry.internal', '--registry-user', 'SR_KEY'], { TRIBUTARY_REGISTRY_PASSWORD: 'sr-secret' })
    expect(options.access.registry).toEqual({ basicAuth: { username: 'SR_KEY', password: 'sr-secret' } })
  })

  it('refuses a mechanism without its password in the environment, naming the variable and not a flag', () => {
    const message = refused(['--sasl-mechanism', 'SCRAM-SHA-256', '--sasl-username', 'fleet'])
    expect(message).toBe(
      'tributary run: --sasl-mechanism SCRAM-SHA-256 needs the password of "fleet" in the environment variable TRIBUTARY_SASL_PASSWORD (never a flag: ps and shell history would show it).',
    )
    expect(refused(['--sasl-mechanism', 'PLAIN', '--sasl-username', 'fleet'], { TRIBUTARY_SASL_PASSWORD: '' })).toContain('TRIBUTARY_SASL_PASSWORD')
    expect(refused(['--registry', 'http://r:8081', '--registry-user', 'sr'])).toContain('TRIBUTARY_REGISTRY_PASSWORD')
    expect(refused(['--sasl-password', 'x'])).toMatch(/^tributary run: Unknown option '--sasl-password'/)
  })

  it('refuses incomplete or unknown settings, one line each', () => {
    const env = { TRIBUTARY_SASL_PASSWORD: 'p' }
    expect(refused(['--sasl-mechanism', 'PLAIN'], env)).toBe('tributary run: --sasl-mechanism PLAIN needs --sasl-username <user>.')
    expect(refused(['--sasl-username', 'fleet'], env)).toBe('tributary run: --sasl-username needs --sasl-mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512).')
    expect(refused(['--sasl-mechanism', 'GSSAPI', '--sasl-username', 'u'], env)).toBe('tributary run: --sasl-mechanism must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got "GSSAPI".')
    expect(refused(['--sasl-mechanism', 'oauthbearer', '--sasl-username', 'u'], env)).toContain("OAUTHBEARER needs a token provider: use KafkaStreams' sasl option")
    expect(refused(['--tls-cert', cert])).toBe('tributary run: --tls-cert and --tls-key go together: a client certificate needs its private key.')
    expect(refused(['--tls-ca', join(dir, 'missing.pem')])).toMatch(/^tributary run: cannot read --tls-ca file ".*missing\.pem": ENOENT/)
    expect(refused(['--tls-ca', notPem])).toBe(`tributary run: --tls-ca file "${notPem}" holds no PEM text ("-----BEGIN ..."); convert it with openssl.`)
    expect(refused(['--registry-user', 'sr'], { TRIBUTARY_REGISTRY_PASSWORD: 'p' })).toBe('tributary run: --registry-user needs --registry <url>.')
  })

  it('takes the flags only with --brokers: the embedded broker needs none', () => {
    expect(refused(['--tls-ca', ca, '--sasl-username', 'u'], {}, false)).toBe(
      'tributary run: --tls-ca, --sasl-username secure the connection to your cluster; give its --brokers too (the embedded broker needs none).',
    )
  })

  it('lists the flags and the environment variables in the usage text', () => {
    for (const text of ['--tls-ca <file>', '--tls-cert <file>', '--tls-servername <name>', '--sasl-mechanism <m>', 'TRIBUTARY_SASL_PASSWORD', '--registry-user <user>', 'TRIBUTARY_REGISTRY_PASSWORD']) {
      expect(runUsage).toContain(text)
      expect(generateCommand.usage).toContain(text)
    }
  })
})

describe('refusedByCluster', () => {
  it("keeps the broker's reason and points at the flags instead of the config options", () => {
    const sasl = new KafkaAuthenticationError(
      'Listing topics failed: the brokers refused SASL authentication (Authentication failed: Invalid username or password). Check sasl.mechanism, sasl.username and sasl.password.',
      'sasl',
    )
    const refused = refusedByCluster(sasl, ['k1:9093', 'k2:9093'])
    expect(refused).toBeInstanceOf(KafkaAuthenticationError)
    expect(refused.cause).toBe(sasl)
    expect(refused.message).toBe(
      'Kafka at k1:9093,k2:9093 refused the connection (Listing topics failed: the brokers refused SASL authentication (Authentication failed: Invalid username or password)). ' +
        'Check --sasl-mechanism, --sasl-username and TRIBUTARY_SASL_PASSWORD.',
    )
    const tls = refusedByCluster(new KafkaAuthenticationError("x failed: the brokers' TLS certificate is not trusted (self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)). Give tls.ca ...", 'tls'), ['k1:9093'])
    expect(tls.message).toBe("Kafka at k1:9093 refused the connection (x failed: the brokers' TLS certificate is not trusted (self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT))). Check --tls-ca (the CA that signed the brokers' certificates) and --tls-servername.")
  })
})

describe('tributary generate: security flags', () => {
  it('refuses them without --brokers and a mechanism without its password, exit code 2', async () => {
    const err: string[] = []
    const io = { out: () => undefined, err: (t: string) => err.push(t) }
    expect(await runCli(['generate', '--tls-ca', ca], io, undefined, [generateCommand])).toBe(2)
    expect(err.pop()).toBe('tributary generate: --tls-ca secure the connection to your cluster; give its --brokers too (the embedded broker needs none).')
    const saved = process.env.TRIBUTARY_SASL_PASSWORD
    delete process.env.TRIBUTARY_SASL_PASSWORD
    try {
      expect(await runCli(['generate', '--brokers', '127.0.0.1:1', '--sasl-mechanism', 'PLAIN', '--sasl-username', 'u'], io, undefined, [generateCommand])).toBe(2)
      expect(err.pop()).toContain('needs the password of "u" in the environment variable TRIBUTARY_SASL_PASSWORD')
    } finally {
      if (saved !== undefined) process.env.TRIBUTARY_SASL_PASSWORD = saved
    }
  })
})
