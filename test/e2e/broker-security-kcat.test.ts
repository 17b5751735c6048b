import { afterEach, describe, expect, it } from 'vitest'
import type { SaslMechanism } from '../../src/broker/index.js'
import { haveKcat, kcat, KCAT } from '../broker/fixtures/kcat.js'
import { startSecuredBroker, type SecuredBroker, type SecuredBrokerOptions } from './fixtures/secured-broker.js'

if (!haveKcat) console.warn(`kcat tests skipped: ${KCAT} is not installed (apt-get install kcat)`)

/** librdkafka (through kcat) against the broker's TLS and SASL listeners. */
describe.skipIf(!haveKcat)('secured embedded broker with kcat (librdkafka)', () => {
  let secured: SecuredBroker | undefined

  afterEach(async () => {
    await secured?.close()
    secured = undefined
  })

  async function start(options: SecuredBrokerOptions): Promise<SecuredBroker> {
    secured = await startSecuredBroker(options)
    return secured
  }

  /** Produces three keyed records as `args`, then consumes them from the beginning as `args`. */
  async function roundTrip(b: SecuredBroker, topic: string, args: string[]): Promise<void> {
    await kcat(['-b', b.bootstrapServers, ...args, '-P', '-t', topic, '-K:'], 'rider-1:pickup\nrider-2:dropoff\nrider-3:cancel\n')
    const out = await kcat(['-b', b.bootstrapServers, ...args, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%k=%s\n'])
    expect(out.trim().split('\n').sort()).toEqual(['rider-1=pickup', 'rider-2=dropoff', 'rider-3=cancel'])
  }

  const cases: Array<[SecuredBrokerOptions, SaslMechanism | undefined, string]> = [
    [{ mechanisms: ['SCRAM-SHA-256'] }, 'SCRAM-SHA-256', 'SASL_SSL'],
    [{}, 'SCRAM-SHA-512', 'SASL_SSL'],
    [{}, 'PLAIN', 'SASL_SSL'],
    [{ tls: false }, 'SCRAM-SHA-256', 'SASL_PLAINTEXT'],
    [{ tls: false, mechanisms: ['PLAIN'] }, 'PLAIN', 'SASL_PLAINTEXT'],
    [{ sasl: false }, undefined, 'SSL'],
  ]
  for (const [options, mechanism, protocol] of cases) {
    it(`produces and consumes over ${protocol}${mechanism === undefined ? '' : ` with ${mechanism}`}`, async () => {
      const b = await start(options)
      expect(b.securityProtocol).toBe(protocol)
      await roundTrip(b, 'rides', b.kcatArgs(mechanism))
    })
  }

  it('consumes as a group and lists metadata over SASL_SSL, as a second user', async () => {
    const b = await start({})
    const args = b.kcatArgs('SCRAM-SHA-256', 'bob')
    await kcat(['-b', b.bootstrapServers, ...args, '-P', '-t', 'trips', '-K:'], 'a:1\nb:2\n')
    const metadata = await kcat(['-b', b.bootstrapServers, ...args, '-L', '-t', 'trips'])
    expect(metadata).toContain('topic "trips" with 3 partitions')
    const consumed = await kcat(['-b', b.bootstrapServers, ...args, '-G', 'dispatch', '-X', 'auto.offset.reset=earliest', '-e', '-f', '%k\n', 'trips'])
    expect(consumed.trim().split('\n').sort()).toEqual(['a', 'b'])
  })

  it('serves mutual TLS: a client with a certificate signed by the CA gets in', async () => {
    const b = await start({ sasl: false, requestCert: true })
    await roundTrip(b, 'rides', b.kcatArgs())
    const withoutCert = ['-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${b.caFile}`]
    await expect(kcat(['-b', b.bootstrapServers, ...withoutCert, '-L', '-m', '3'])).rejects.toThrow(/exited with 1/)
  })

  it('fails with a wrong password, an unknown user, a disabled mechanism, and without TLS on the TLS port', async () => {
    const b = await start({ mechanisms: ['SCRAM-SHA-256', 'PLAIN'] })
    const list = (args: string[]): Promise<string> => kcat(['-b', b.bootstrapServers, ...args, '-L', '-m', '3'])
    await expect(list(b.kcatArgs('SCRAM-SHA-256', 'alice', 'wrong'))).rejects.toThrow(/Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256/)
    await expect(list(b.kcatArgs('PLAIN', 'mallory', 'secret'))).rejects.toThrow(/Authentication failed: Invalid username or password/)
    await expect(list(b.kcatArgs('SCRAM-SHA-512'))).rejects.toThrow(/SCRAM-SHA-512.*not supported by broker|Unsupported SASL mechanism/i)
    await expect(list(['-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret'])).rejects.toThrow(/exited with 1/)
  })
})
