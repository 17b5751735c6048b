import type { ServedStore } from './store-catalog.js'
import { encodeJson, QueryError } from './query-answer.js'

export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 10_000

const badParameter = (message: string) => new QueryError(400, 'BAD_PARAMETER', message)

/** `limit` of a range: 1 to 10000, default 100. */
export function parseLimit(query: URLSearchParams): number {
  const text = query.get('limit')
  if (text === null) return DEFAULT_LIMIT
  const limit = /^\d+$/.test(text) ? Number(text) : NaN
  if (!(limit >= 1 && limit <= MAX_LIMIT)) throw badParameter(`limit must be a whole number from 1 to ${MAX_LIMIT}, got "${text}".`)
  return limit
}

/** `from` and `to` of a window query: epoch milliseconds, defaults 0 and the largest safe integer (every window kept). */
export function parseTimeRange(query: URLSearchParams): { from: number; to: number } {
  const time = (name: string, fallback: number): number => {
    const text = query.get(name)
    if (text === null) return fallback
    const value = /^-?\d+$/.test(text) ? Number(text) : NaN
    if (!Number.isSafeInteger(value)) throw badParameter(`${name} must be a time in epoch milliseconds (a whole number), got "${text}".`)
    return value
  }
  const from = time('from', 0)
  const to = time('to', Number.MAX_SAFE_INTEGER)
  if (from > to) throw badParameter(`from (${from}) is after to (${to}); from must not exceed to.`)
  return { from, to }
}

/** A key given in the URL, through the store's key parser: a parser's error is the client's. */
export function parseKey(store: ServedStore, text: string, what = 'key'): unknown {
  try {
    return store.keyParser.parse(text)
  } catch (error) {
    throw new QueryError(400, 'BAD_KEY', `The ${what} "${text}" is not a key of store "${store.name}": ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** The key's bytes under the store's key serde; a key the serde refuses is the client's mistake, not the server's. */
export async function keyBytes(store: ServedStore, key: unknown, what = 'key'): Promise<Buffer> {
  try {
    return await store.serializeKey(key)
  } catch (error) {
    throw new QueryError(
      400,
      'BAD_KEY',
      `The ${what} ${encodeJson(key)} cannot be serialized with the key serde of store "${store.name}" ` +
        `(${error instanceof Error ? error.message : String(error)}). Give the store a key parser in the query server's keySerdes option.`,
    )
  }
}

/** `scope=local` answers for this instance alone; no scope gathers from every instance. */
export function parseScope(query: URLSearchParams): 'local' | 'all' {
  const scope = query.get('scope')
  if (scope === null) return 'all'
  if (scope === 'local') return 'local'
  throw badParameter(`scope must be "local" (this instance only) or absent (every instance), got "${scope}".`)
}
