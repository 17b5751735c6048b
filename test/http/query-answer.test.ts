import { describe, expect, it } from 'vitest'
import { InvalidStateStoreError } from '../../src/runtime/index.js'
import { answerForError, encodeJson, QueryError } from '../../src/http/query-answer.js'

describe('query answers', () => {
  it('encodes bytes as base64, bigints as strings, maps as objects and sets as arrays', () => {
    const bytes = Buffer.from([0, 1, 254, 255])
    const view = new Uint8Array(Buffer.from([9, 8, 7, 6]).buffer, 1, 2)
    expect(JSON.parse(encodeJson({ bytes, view, big: 2n ** 70n, map: new Map([['a', 1]]), set: new Set([1, 2]), nested: [{ bytes }] }))).toEqual({
      bytes: 'AAH+/w==',
      view: Buffer.from(view).toString('base64'),
      big: '1180591620717411303424',
      map: { a: 1 },
      set: [1, 2],
      nested: [{ bytes: 'AAH+/w==' }],
    })
    expect(encodeJson(bytes)).toBe('"AAH+/w=="')
  })

  it('answers a retriable store error with 503 and Retry-After, another with 503 alone, anything unexpected with 500', () => {
    const retry = answerForError(new InvalidStateStoreError('rebalancing', { canRetry: true }))
    expect(retry).toMatchObject({ status: 503, headers: { 'retry-after': '1' } })
    expect(JSON.parse(retry.body)).toEqual({ error: { code: 'TRIBUTARY_STATE', message: 'rebalancing' } })
    const closed = answerForError(new InvalidStateStoreError('closed', { canRetry: false }))
    expect(closed.status).toBe(503)
    expect(closed.headers?.['retry-after']).toBeUndefined()
    const bug = answerForError(new TypeError('x is undefined'))
    expect(bug.status).toBe(500)
    expect(JSON.parse(bug.body)).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'x is undefined' } })
    expect(answerForError(new QueryError(404, 'KEY_NOT_FOUND', 'no')).status).toBe(404)
  })
})
