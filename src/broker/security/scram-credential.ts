import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const pbkdf2Async = promisify(pbkdf2)

/** The hash of a SCRAM mechanism: SCRAM-SHA-256 (RFC 7677) or SCRAM-SHA-512. */
export type ScramHash = 'sha256' | 'sha512'

/** Kafka's minimum for both SCRAM mechanisms (and its default). */
export const SCRAM_ITERATIONS = 4096

/**
 * What a server keeps of a password (RFC 5802 section 3), as Kafka stores SCRAM credentials:
 * enough to check a client's proof and to prove itself, not enough to log in as the user.
 */
export interface ScramCredential {
  hash: ScramHash
  salt: Buffer
  iterations: number
  storedKey: Buffer
  serverKey: Buffer
}

const keyLength = (hash: ScramHash): number => (hash === 'sha256' ? 32 : 64)

export function hmac(hash: ScramHash, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(hash, key).update(data).digest()
}

export function digest(hash: ScramHash, data: Buffer): Buffer {
  return createHash(hash).update(data).digest()
}

/** Hi(password, salt, i) of RFC 5802 is PBKDF2 with HMAC; the password's UTF-8 bytes, as Kafka's ScramFormatter. */
export function saltedPassword(hash: ScramHash, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, keyLength(hash), hash)
}

export function clientKeyOf(hash: ScramHash, salted: Buffer): Buffer {
  return hmac(hash, salted, 'Client Key')
}

/** Derives a credential with a fresh random salt. */
export async function scramCredential(hash: ScramHash, password: string, iterations = SCRAM_ITERATIONS, salt = randomBytes(32)): Promise<ScramCredential> {
  const salted = await saltedPassword(hash, password, salt, iterations)
  return {
    hash,
    salt,
    iterations,
    storedKey: digest(hash, clientKeyOf(hash, salted)),
    serverKey: hmac(hash, salted, 'Server Key'),
  }
}

/** Whether `clientKey` hashes to the credential's StoredKey, in constant time. */
export function matchesStoredKey(credential: ScramCredential, clientKey: Buffer): boolean {
  const candidate = digest(credential.hash, clientKey)
  return candidate.length === credential.storedKey.length && timingSafeEqual(candidate, credential.storedKey)
}

/** Whether `password` is the one the credential was derived from (SASL/PLAIN checks it so). */
export async function verifyPassword(credential: ScramCredential, password: string): Promise<boolean> {
  const salted = await saltedPassword(credential.hash, password, credential.salt, credential.iterations)
  return matchesStoredKey(credential, clientKeyOf(credential.hash, salted))
}
