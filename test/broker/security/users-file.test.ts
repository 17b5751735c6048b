import { describe, expect, it } from 'vitest'
import { parseSaslUsers } from '../../../src/broker/security/users-file.js'

describe('SASL users file', () => {
  it('reads name:password lines; the password keeps colons and spaces; comments and blank lines are skipped', () => {
    const text = '# developers\r\nalice:alice-secret\r\n\n  bob : b:o b \n'
    expect(parseSaslUsers(text)).toEqual({ alice: 'alice-secret', bob: ' b:o b ' })
  })

  it('names the line of a malformed entry or a duplicate, and refuses a file without users', () => {
    expect(() => parseSaslUsers('alice:a\nbob\n', 'users.txt')).toThrow('users.txt line 2: expected "name:password" with both non-empty.')
    expect(() => parseSaslUsers('alice:\n')).toThrow('line 1')
    expect(() => parseSaslUsers('alice:a\nalice:b\n')).toThrow('line 2: user "alice" is listed twice')
    expect(() => parseSaslUsers('# nobody\n')).toThrow('lists no users')
  })
})
