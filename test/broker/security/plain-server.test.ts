import { describe, expect, it } from 'vitest'
import { PlainServer } from '../../../src/broker/security/plain-server.js'
import { SaslUserStore } from '../../../src/broker/security/user-store.js'

const token = (...fields: string[]): Buffer => Buffer.from(fields.join('\0'))

describe('SASL/PLAIN server', () => {
  it('accepts a user and password checked against the salted credential, with or without the same authorization id', async () => {
    const store = await SaslUserStore.create({ alice: 'pä:ss word' }, ['PLAIN'])
    for (const authzid of ['', 'alice']) {
      const server = new PlainServer(store)
      expect((await server.evaluate(token(authzid, 'alice', 'pä:ss word'))).length).toBe(0)
      expect([server.complete, server.username]).toEqual([true, 'alice'])
    }
  })

  it("fails with Kafka's PlainSaslServer messages", async () => {
    const store = await SaslUserStore.create({ alice: 'secret' }, ['PLAIN', 'SCRAM-SHA-512'])
    const cases: Array<[Buffer, string]> = [
      [token('', 'alice', 'wrong'), 'Authentication failed: Invalid username or password'],
      [token('', 'mallory', 'secret'), 'Authentication failed: Invalid username or password'],
      [token('', '', 'secret'), 'Authentication failed: username not specified'],
      [token('', 'alice', ''), 'Authentication failed: password not specified'],
      [token('bob', 'alice', 'secret'), 'Authentication failed: Client requested an authorization id that is different from username'],
      [token('alice', 'secret'), 'Invalid SASL/PLAIN response: expected 3 tokens, got 2'],
      [token('', 'alice', 'secret', 'x', 'y'), 'Invalid SASL/PLAIN response: expected 3 tokens, got 4'],
    ]
    for (const [message, expected] of cases) {
      const server = new PlainServer(store)
      await expect(server.evaluate(message)).rejects.toThrow(expected)
      expect(server.complete).toBe(false)
    }
  })
})
