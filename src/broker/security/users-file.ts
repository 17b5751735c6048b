import { BrokerError } from '../errors.js'

/**
 * Reads a SASL users file: one `name:password` per line. The name ends at the first colon and is
 * trimmed; the password is the rest of the line as written (colons and spaces included). Blank
 * lines and lines starting with `#` are skipped.
 *
 * @example
 * parseSaslUsers('# dev users\nalice:alice-secret\nbob:b:o:b\n') // { alice: 'alice-secret', bob: 'b:o:b' }
 */
export function parseSaslUsers(text: string, source = 'users file'): Record<string, string> {
  const users: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '')
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    const colon = line.indexOf(':')
    const name = colon < 0 ? '' : line.slice(0, colon).trim()
    const password = colon < 0 ? '' : line.slice(colon + 1)
    if (name === '' || password === '') throw new BrokerError(`${source} line ${i + 1}: expected "name:password" with both non-empty.`)
    if (Object.hasOwn(users, name)) throw new BrokerError(`${source} line ${i + 1}: user "${name}" is listed twice.`)
    users[name] = password
  }
  if (Object.keys(users).length === 0) throw new BrokerError(`${source} lists no users; write one "name:password" per line.`)
  return users
}
