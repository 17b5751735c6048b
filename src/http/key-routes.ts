import { QueryableStoreTypes } from '../topology/queryable-store-types.js'
import { askPeer, SERVED_BY_HEADER } from './peer-requests.js'
import { errorAnswer, jsonAnswer, QueryError, retriable, type QueryAnswer } from './query-answer.js'
import { isSelf, selfAddress, type QueryContext, type QueryRequest } from './query-context.js'
import { keyBytes, parseKey, parseTimeRange } from './query-params.js'
import type { ServedStore } from './store-catalog.js'

/**
 * `GET /stores/:store/keys/:key` (a key-value store's value) and `.../windows?from=&to=` (a window
 * or session store's windows of the key). Answered here when this instance holds the key's
 * partition, else by the instance that does, asked on the client's behalf.
 */
export async function answerKey(ctx: QueryContext, request: QueryRequest, store: ServedStore, keyText: string, windows: boolean): Promise<QueryAnswer> {
  checkKind(store, keyText, windows)
  const key = parseKey(store, keyText)
  const times = windows ? parseTimeRange(request.query) : undefined
  await keyBytes(store, key)
  const owner = await ownerOf(store, key, request)
  if (owner !== undefined) {
    const answer = await askPeer(ctx.agent, owner, request.target, ctx.forwardTimeoutMs)
    return { ...answer, headers: { ...answer.headers, [SERVED_BY_HEADER]: owner } }
  }
  const servedBy = { [SERVED_BY_HEADER]: selfAddress(store.app, request) }
  if (times === undefined) {
    const value = await store.app.store(store.name, QueryableStoreTypes.keyValueStore<unknown, unknown>()).get(key)
    if (value === undefined) return errorAnswer(new QueryError(404, 'KEY_NOT_FOUND', `Store "${store.name}" has no value for key "${keyText}".`), servedBy)
    return jsonAnswer(200, { key, value }, servedBy)
  }
  return jsonAnswer(200, await windowsOf(store, key, times.from, times.to), servedBy)
}

function checkKind(store: ServedStore, keyText: string, windows: boolean): void {
  const path = `/stores/${encodeURIComponent(store.name)}/keys/${encodeURIComponent(keyText)}`
  if (!windows && store.kind !== 'key-value') {
    throw new QueryError(400, 'WRONG_STORE_KIND', `Store "${store.name}" is a ${store.kind} store: ask for a key's windows with GET ${path}/windows?from=<epoch ms>&to=<epoch ms>.`)
  }
  if (windows && store.kind === 'key-value') {
    throw new QueryError(400, 'WRONG_STORE_KIND', `Store "${store.name}" is a key-value store and has no windows: ask for the key's value with GET ${path}.`)
  }
}

/**
 * The `host:port` of the instance holding the key's partition, or undefined when it is this one.
 * Global stores are on every instance; an instance without an applicationServer answers alone.
 */
async function ownerOf(store: ServedStore, key: unknown, request: QueryRequest): Promise<string | undefined> {
  const { app } = store
  if (store.global || app.config.applicationServer === undefined) return undefined
  const { host, port } = await app.metadataForKey(store.name, key)
  if (isSelf(app, host, port)) return undefined
  // The sender thought the key was here: the group has moved it since. Asking on would risk a loop.
  if (request.forwarded) {
    throw retriable('KEY_MOVED', `The key's partition of store "${store.name}" moved to ${host}:${port} while the request was forwarded. Retry the query.`)
  }
  return `${host}:${port}`
}

/** Window stores: the windows starting from `from` to `to`. Session stores: the sessions that overlap `[from, to]`. Oldest first. */
async function windowsOf(store: ServedStore, key: unknown, from: number, to: number): Promise<{ start: number; end: number; value: unknown }[]> {
  if (store.kind === 'window') {
    const entries = await store.app.store(store.name, QueryableStoreTypes.windowStore<unknown, unknown>()).fetch(key, from, to)
    return entries.map((e) => ({ start: e.windowStart, end: e.windowStart + (store.windowSizeMs ?? 0), value: e.value }))
  }
  const sessions = await store.app.store(store.name, QueryableStoreTypes.sessionStore<unknown, unknown>()).findSessions(key, from, to)
  return sessions.map(([windowed, value]) => ({ start: windowed.window.start, end: windowed.window.end, value })).sort((a, b) => a.start - b.start || a.end - b.end)
}
