import { describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../../src/broker/index.js'

describe('EmbeddedKafka security options', () => {
  it('refuses SASL options without users, with an unknown or no mechanism, and TLS with a key that is not PEM', async () => {
    await expect(EmbeddedKafka.start({ sasl: { users: {} } })).rejects.toThrow('sasl.users is empty')
    await expect(EmbeddedKafka.start({ sasl: { users: { a: 'b' }, mechanisms: ['GSSAPI' as 'PLAIN'] } })).rejects.toThrow('Unsupported SASL mechanism "GSSAPI"')
    await expect(EmbeddedKafka.start({ sasl: { users: { a: 'b' }, mechanisms: [] } })).rejects.toThrow('sasl.mechanisms is empty')
    await expect(EmbeddedKafka.start({ sasl: { users: { a: '' } } })).rejects.toThrow('password of SASL user "a"')
    await expect(EmbeddedKafka.start({ tls: { key: 'not a key', cert: 'not a cert' } })).rejects.toThrow(/^tls: cannot use the given key and certificate/)
  })
})
