import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Users and their passwords, as the registry's `basicAuth` option gives them. */
export type RegistryUsers = Readonly<Record<string, string>>

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/**
 * Checks a request's HTTP basic credentials against `users`. Compares digests in constant time,
 * so neither a password's length nor its first wrong character shows in the response time.
 */
export function isAuthorized(users: RegistryUsers, request: IncomingMessage): boolean {
  const header = request.headers.authorization
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)
  if (match === null) return false
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return false
  const user = decoded.slice(0, colon)
  const expected = Object.hasOwn(users, user) ? users[user]! : undefined
  const given = digest(decoded.slice(colon + 1))
  // A digest is compared for unknown users too, so they take as long as a wrong password.
  return timingSafeEqual(given, digest(expected ?? '')) && expected !== undefined
}

/** Confluent's registry answers a request without valid credentials like this. */
export function sendUnauthorized(response: ServerResponse): void {
  const text = JSON.stringify({ error_code: 401, message: 'Unauthorized' })
  response.writeHead(401, {
    'content-type': 'application/vnd.schemaregistry.v1+json',
    'content-length': Buffer.byteLength(text),
    'www-authenticate': 'Basic realm="SchemaRegistry"',
  })
  response.end(text)
}
