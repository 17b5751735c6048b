import { describe, expect, it } from 'vitest'
import { scramCredential, type ScramCredential } from '../../../src/broker/security/scram-credential.js'
import { ScramServer } from '../../../src/broker/security/scram-server.js'
import { SaslAuthenticationError } from '../../../src/broker/security/sasl-server.js'
import { SaslUserStore } from '../../../src/broker/security/user-store.js'
import { ScramClient } from '../fixtures/scram-client.js'

const FAILED_256 = 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256'

describe('SCRAM server', () => {
  it('replays the SCRAM-SHA-256 exchange of RFC 7677 section 3 byte for byte', async () => {
    const credential = await scramCredential('sha256', 'pencil', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'))
    const users = { scram: (name: string) => (name === 'user' ? credential : undefined) }
    const server = new ScramServer('SCRAM-SHA-256', users, () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0')
    const first = await server.evaluate(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'))
    expect(first.toString()).toBe('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')
    const final = await server.evaluate(Buffer.from('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='))
    expect(final.toString()).toBe('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')
    expect(server.complete).toBe(true)
    expect(server.username).toBe('user')
  })

  it('keeps only the salt, iteration count, StoredKey and ServerKey of a password, with at least 4096 iterations', async () => {
    const store = await SaslUserStore.create({ alice: 'alice-secret' }, ['SCRAM-SHA-512'])
    const credential = store.scram('alice', 'sha512') as ScramCredential
    expect(Object.keys(credential).sort()).toEqual(['hash', 'iterations', 'salt', 'serverKey', 'storedKey'])
    expect(credential.iterations).toBeGreaterThanOrEqual(4096)
    expect([credential.storedKey.length, credential.serverKey.length]).toEqual([64, 64])
    expect(JSON.stringify(credential)).not.toContain('alice-secret')
    expect(store.scram('alice', 'sha256')).toBeUndefined()
  })

  for (const [mechanism, hash] of [['SCRAM-SHA-256', 'sha256'], ['SCRAM-SHA-512', 'sha512']] as const) {
    it(`authenticates ${mechanism} with a fresh salt per user and proves itself to the client`, async () => {
      const store = await SaslUserStore.create({ 'al,i=ce': 'pw-1', bob: 'pw-1' }, [mechanism])
      expect(store.scram('al,i=ce', hash)!.salt.equals(store.scram('bob', hash)!.salt)).toBe(false)
      const server = new ScramServer(mechanism, store)
      const client = new ScramClient(hash, 'al,i=ce', 'pw-1')
      const serverFirst = await server.evaluate(client.clientFirst())
      expect(serverFirst.toString()).toMatch(new RegExp(`^r=${client.nonce.replace(/[+/]/g, '\\$&')}[^,]{16,},s=[A-Za-z0-9+/=]+,i=4096$`))
      const serverFinal = await server.evaluate(client.clientFinal(serverFirst))
      expect(client.verifiesServerFinal(serverFinal)).toBe(true)
      expect(server.username).toBe('al,i=ce')
    })
  }

  it('accepts the client-final nonce librdkafka sends (its nonce, then the combined one), as Kafka does', async () => {
    const store = await SaslUserStore.create({ alice: 'secret' }, ['SCRAM-SHA-256'])
    const server = new ScramServer('SCRAM-SHA-256', store)
    const client = new ScramClient('sha256', 'alice', 'secret')
    const serverFirst = (await server.evaluate(client.clientFirst())).toString()
    const combined = serverFirst.split(',')[0].slice(2)
    expect(client.verifiesServerFinal(await server.evaluate(client.clientFinal(serverFirst, { nonce: client.nonce + combined })))).toBe(true)
  })

  const failures: Array<[string, (client: ScramClient, serverFirst: Buffer) => Buffer]> = [
    ['a wrong password', (c, first) => c.clientFinal(first, { password: 'wrong' })],
    ['a nonce the server did not send', (c, first) => c.clientFinal(first, { nonce: `${c.nonce}forged` })],
    ['a malformed client-final message', () => Buffer.from('c=biws,r=x')],
    ['a truncated proof', (c, first) => Buffer.from(c.clientFinal(first).toString().replace(/p=.*/, 'p=AAAA'))],
  ]
  for (const [what, final] of failures) {
    it(`fails with Kafka's message on ${what}, and stays failed`, async () => {
      const store = await SaslUserStore.create({ alice: 'secret' }, ['SCRAM-SHA-256'])
      const server = new ScramServer('SCRAM-SHA-256', store)
      const client = new ScramClient('sha256', 'alice', 'secret')
      const serverFirst = await server.evaluate(client.clientFirst())
      const error = await server.evaluate(final(client, serverFirst)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SaslAuthenticationError)
      expect((error as Error).message).toBe(FAILED_256)
      expect(server.complete).toBe(false)
      await expect(server.evaluate(client.clientFinal(serverFirst))).rejects.toThrow(FAILED_256)
    })
  }

  it('fails at the first message for an unknown user, a malformed message or a channel-binding client', async () => {
    const store = await SaslUserStore.create({ alice: 'secret' }, ['SCRAM-SHA-256'])
    for (const first of ['n,,n=mallory,r=abc', 'n=alice,r=abc', 'p=tls-unique,,n=alice,r=abc', 'n,,n=al=ice,r=abc', 'n,,n=alice,r=a,b']) {
      const error = (await new ScramServer('SCRAM-SHA-256', store).evaluate(Buffer.from(first)).catch((e: unknown) => e)) as SaslAuthenticationError
      expect(error.message).toBe(FAILED_256)
      expect(error.reason).not.toBe(error.message)
    }
  })

  it('refuses an authorization id other than the user, with the message Kafka sends for it', async () => {
    const store = await SaslUserStore.create({ alice: 'secret' }, ['SCRAM-SHA-256'])
    await expect(new ScramServer('SCRAM-SHA-256', store).evaluate(new ScramClient('sha256', 'alice', 'secret').clientFirst('n,a=bob,'))).rejects.toThrow(
      'Authentication failed: Client requested an authorization id that is different from username',
    )
    const same = new ScramServer('SCRAM-SHA-256', store)
    const client = new ScramClient('sha256', 'alice', 'secret')
    const serverFirst = await same.evaluate(client.clientFirst('n,a=alice,'))
    expect(serverFirst.toString()).toMatch(/^r=/)
  })
})
