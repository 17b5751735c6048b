import { isTributaryError } from '../core/errors.js'

/** What a route answers; the handler writes it. Routes return answers instead of writing, so a forwarded answer and a local one take the same path out. */
export interface QueryAnswer {
  readonly status: number
  readonly contentType: string
  readonly body: string
  readonly headers?: Readonly<Record<string, string>>
}

/** A request the server refuses, with the HTTP status and the `code` of its JSON error body. */
export class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
    this.name = 'QueryError'
  }
}

/** A retriable refusal: 503 with `Retry-After: 1`. */
export function retriable(code: string, message: string): QueryError {
  return new QueryError(503, code, message, { 'retry-after': '1' })
}

/**
 * Keys and values as JSON: bytes (a Buffer or any Uint8Array) as a base64 string, a bigint as a
 * decimal string, a Map as an object and a Set as an array. The replacer looks at the value
 * before its own `toJSON`, which would turn a Buffer into `{ type: 'Buffer', data: [...] }`.
 */
export function encodeJson(body: unknown): string {
  return JSON.stringify(body, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key]
    if (original instanceof Uint8Array) return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64')
    if (typeof value === 'bigint') return value.toString()
    if (value instanceof Map) return Object.fromEntries(value)
    if (value instanceof Set) return [...value]
    return value
  })
}

export function jsonAnswer(status: number, body: unknown, headers?: Readonly<Record<string, string>>): QueryAnswer {
  return { status, contentType: 'application/json; charset=utf-8', body: encodeJson(body), ...(headers === undefined ? {} : { headers }) }
}

export function errorAnswer(error: QueryError, headers?: Readonly<Record<string, string>>): QueryAnswer {
  return jsonAnswer(error.status, { error: { code: error.code, message: error.message } }, { ...error.headers, ...headers })
}

/**
 * Any error a route threw, as the answer a client can act on: the instance's stores not readable
 * (InvalidStateStoreError) is a 503, with `Retry-After` when the error says a retry may succeed;
 * whatever else is unexpected is a 500 carrying the error's message.
 */
export function answerForError(error: unknown): QueryAnswer {
  if (error instanceof QueryError) return errorAnswer(error)
  if (isTributaryError(error, 'TRIBUTARY_STATE')) {
    return errorAnswer(error.canRetry ? retriable(error.code, error.message) : new QueryError(503, error.code, error.message))
  }
  const message = error instanceof Error ? error.message : String(error)
  return errorAnswer(new QueryError(500, isTributaryError(error) ? error.code : 'INTERNAL_ERROR', message))
}
