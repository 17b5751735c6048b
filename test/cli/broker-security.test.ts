import { describe, expect, it } from 'vitest'
import { brokerSecurityOptions } from '../../src/cli/commands/broker-security.js'

const files: Record<string, string> = {
  'server.crt': '-----BEGIN CERTIFICATE-----\ncert\n',
  'server.key': '-----BEGIN PRIVATE KEY-----\nkey\n',
  'ca.crt': '-----BEGIN CERTIFICATE-----\nca\n',
  'users.txt': '# dev\nalice:alice-secret\nbob:b:o:b\n',
  'empty.txt': '\n',
  'notes.txt': 'hello',
}
const read = (path: string): string => {
  if (files[path] === undefined) throw new Error(`ENOENT: no such file, open '${path}'`)
  return files[path]
}
const options = (values: Record<string, string>) => brokerSecurityOptions(values, read)

describe('tributary broker security flags', () => {
  it('gives no security without flags, TLS from --tls-cert/--tls-key, mutual TLS with --tls-client-ca', () => {
    expect(options({})).toEqual({ tls: undefined })
    expect(options({ 'tls-cert': 'server.crt', 'tls-key': 'server.key' }).tls).toEqual({ cert: files['server.crt'], key: files['server.key'] })
    expect(options({ 'tls-cert': 'server.crt', 'tls-key': 'server.key', 'tls-client-ca': 'ca.crt' }).tls).toEqual({ cert: files['server.crt'], key: files['server.key'], ca: files['ca.crt'], requestCert: true })
  })

  it('reads the users file and the optional mechanism list', () => {
    expect(options({ 'sasl-users': 'users.txt' }).sasl).toEqual({ users: { alice: 'alice-secret', bob: 'b:o:b' } })
    expect(options({ 'sasl-users': 'users.txt', 'sasl-mechanisms': 'scram-sha-256, PLAIN' }).sasl?.mechanisms).toEqual(['SCRAM-SHA-256', 'PLAIN'])
  })

  it('names the flag of every mistake', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'tls-cert': 'server.crt' }, '--tls-cert and --tls-key go together'],
      [{ 'tls-client-ca': 'ca.crt' }, '--tls-client-ca needs --tls-cert and --tls-key'],
      [{ 'tls-cert': 'missing.crt', 'tls-key': 'server.key' }, 'cannot read --tls-cert file "missing.crt": ENOENT'],
      [{ 'tls-cert': 'notes.txt', 'tls-key': 'server.key' }, '--tls-cert file "notes.txt" holds no PEM text'],
      [{ 'sasl-mechanisms': 'PLAIN' }, '--sasl-mechanisms needs --sasl-users'],
      [{ 'sasl-users': 'missing.txt' }, 'cannot read --sasl-users file "missing.txt"'],
      [{ 'sasl-users': 'empty.txt' }, '--sasl-users file "empty.txt" lists no users'],
      [{ 'sasl-users': 'users.txt', 'sasl-mechanisms': 'GSSAPI' }, '--sasl-mechanisms takes a comma-separated list of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got "GSSAPI"'],
    ]
    for (const [values, message] of cases) expect(() => options(values)).toThrow(`tributary broker: ${message}`)
  })
})
