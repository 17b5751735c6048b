import type { SaslMechanism } from './options.js'
import { scramCredential, verifyPassword, type ScramCredential, type ScramHash } from './scram-credential.js'

/**
 * The SASL users of a broker, kept as salted SCRAM credentials only (one per SCRAM hash in use),
 * so the passwords given to `EmbeddedKafka.start` are not held after it. PLAIN checks a password
 * by deriving it against the SHA-256 credential.
 */
export class SaslUserStore {
  private constructor(private readonly credentials: ReadonlyMap<string, Partial<Record<ScramHash, ScramCredential>>>) {}

  static async create(users: Readonly<Record<string, string>>, mechanisms: readonly SaslMechanism[]): Promise<SaslUserStore> {
    const hashes = new Set<ScramHash>()
    if (mechanisms.includes('SCRAM-SHA-256') || mechanisms.includes('PLAIN')) hashes.add('sha256')
    if (mechanisms.includes('SCRAM-SHA-512')) hashes.add('sha512')
    const credentials = new Map<string, Partial<Record<ScramHash, ScramCredential>>>()
    await Promise.all(
      Object.entries(users).map(async ([name, password]) => {
        const entry: Partial<Record<ScramHash, ScramCredential>> = {}
        for (const hash of hashes) entry[hash] = await scramCredential(hash, password)
        credentials.set(name, entry)
      }),
    )
    return new SaslUserStore(credentials)
  }

  scram(username: string, hash: ScramHash): ScramCredential | undefined {
    return this.credentials.get(username)?.[hash]
  }

  async verifyPlain(username: string, password: string): Promise<boolean> {
    const credential = this.scram(username, 'sha256')
    return credential !== undefined && (await verifyPassword(credential, password))
  }
}
