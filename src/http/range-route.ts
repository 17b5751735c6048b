import { QueryableStoreTypes } from '../topology/queryable-store-types.js'
import { askPeer, SERVED_BY_HEADER } from './peer-requests.js'
import { jsonAnswer, QueryError, type QueryAnswer } from './query-answer.js'
import { isSelf, selfAddress, type QueryContext, type QueryRequest } from './query-context.js'
import { keyBytes, parseKey, parseLimit, parseScope } from './query-params.js'
import { comparePositions, decodeCursor, encodeCursor, FirstEntries, type Position, type PositionedItem } from './range-page.js'
import type { ServedStore } from './store-catalog.js'

interface KeyBounds {
  readonly from: unknown
  readonly to: unknown
  readonly fromBytes: Buffer | undefined
  readonly toBytes: Buffer | undefined
}

interface Page {
  readonly entries: readonly PositionedItem[]
  readonly more: boolean
}

/**
 * `GET /stores/:store?from=&to=&limit=&cursor=`: the entries of keys `from` to `to` (both
 * inclusive, either may be left out) in the order of the keys' serialized bytes, `limit` at a
 * time. Without `scope=local` the page is gathered from every instance holding the store: each
 * answers its own first `limit` entries after the cursor and the pages are merged in key order.
 */
export async function answerRange(ctx: QueryContext, request: QueryRequest, store: ServedStore): Promise<QueryAnswer> {
  const { query } = request
  const limit = parseLimit(query)
  const scope = parseScope(query)
  const windowed = store.kind !== 'key-value'
  const cursorText = query.get('cursor')
  const cursor = cursorText === null ? undefined : decodeCursor(cursorText, windowed)
  const bounds = await keyBounds(store, query)
  const { app } = store
  const self = selfAddress(app, request)
  if (scope === 'local' || request.forwarded || store.global || app.config.applicationServer === undefined) {
    return pageAnswer(await localPage(store, bounds, cursor, limit), windowed, request.forwarded, self)
  }
  const peers = (await app.allMetadata()).filter((m) => !isSelf(app, m.host, m.port) && m.stores.includes(store.name)).map((m) => `${m.host}:${m.port}`)
  const localTarget = `${request.target.split('?')[0] as string}?${withScopeLocal(query)}`
  const pages = await Promise.all([localPage(store, bounds, cursor, limit), ...peers.map((peer) => peerPage(ctx, peer, localTarget, windowed))])
  const failed = pages.find((page): page is QueryAnswer => 'status' in page)
  if (failed !== undefined) return failed
  const first = new FirstEntries(limit)
  for (const page of pages as Page[]) {
    for (const entry of page.entries) first.offer(entry)
    if (page.more) first.markMore()
  }
  return pageAnswer(first.page(), windowed, false, [self, ...peers].join(', '))
}

async function keyBounds(store: ServedStore, query: URLSearchParams): Promise<KeyBounds> {
  const fromText = query.get('from')
  const toText = query.get('to')
  const from = fromText === null ? undefined : parseKey(store, fromText, 'from key')
  const to = toText === null ? undefined : parseKey(store, toText, 'to key')
  const fromBytes = fromText === null ? undefined : await keyBytes(store, from, 'from key')
  const toBytes = toText === null ? undefined : await keyBytes(store, to, 'to key')
  if (fromBytes !== undefined && toBytes !== undefined && Buffer.compare(fromBytes, toBytes) > 0) {
    throw new QueryError(400, 'BAD_PARAMETER', `from "${fromText}" comes after to "${toText}" in the store's key order; swap them.`)
  }
  return { from, to, fromBytes, toBytes }
}

/**
 * This instance's first `limit` entries after the cursor. The local view goes through its tasks
 * one after the other, each in key order but not merged, so the scan reads the instance's whole
 * range and keeps the first `limit + 1`.
 */
async function localPage(store: ServedStore, bounds: KeyBounds, cursor: Position | undefined, limit: number): Promise<Page> {
  const first = new FirstEntries(limit)
  const consider = async (key: unknown, start: number, end: number, item: () => object): Promise<void> => {
    const bytes = await store.serializeKey(key)
    if (bounds.fromBytes !== undefined && Buffer.compare(bytes, bounds.fromBytes) < 0) return
    if (bounds.toBytes !== undefined && Buffer.compare(bytes, bounds.toBytes) > 0) return
    const position = { key: bytes, start, end }
    if (cursor !== undefined && comparePositions(position, cursor) <= 0) return
    if (first.wants(position)) first.offer({ position, item: item() })
  }
  const { app, name } = store
  if (store.kind === 'key-value') {
    const view = app.store(name, QueryableStoreTypes.keyValueStore<unknown, unknown>())
    const entries = bounds.fromBytes !== undefined && bounds.toBytes !== undefined ? view.range(bounds.from, bounds.to) : view.all()
    for await (const [key, value] of entries) await consider(key, 0, 0, () => ({ key, value }))
  } else {
    const view = store.kind === 'window' ? app.store(name, QueryableStoreTypes.windowStore<unknown, unknown>()) : app.store(name, QueryableStoreTypes.sessionStore<unknown, unknown>())
    for await (const [{ key, window }, value] of view.all()) await consider(key, window.start, window.end, () => ({ key, start: window.start, end: window.end, value }))
  }
  return first.page()
}

/** The query with `scope=local`: what each instance is asked for its own page. */
function withScopeLocal(query: URLSearchParams): string {
  const local = new URLSearchParams(query)
  local.set('scope', 'local')
  return local.toString()
}

/** Another instance's page; its error answer as it is when it has none. */
async function peerPage(ctx: QueryContext, peer: string, target: string, windowed: boolean): Promise<Page | QueryAnswer> {
  const answer = await askPeer(ctx.agent, peer, target, ctx.forwardTimeoutMs)
  if (answer.status !== 200) return { ...answer, headers: { ...answer.headers, [SERVED_BY_HEADER]: peer } }
  let body: { items?: unknown; positions?: unknown; next?: unknown }
  try {
    body = JSON.parse(answer.body) as typeof body
  } catch {
    body = {}
  }
  const { items, positions } = body
  const unexpected = () =>
    new QueryError(502, 'PEER_ERROR', `The instance at ${peer} answered its part of the range in an unexpected form (another version of Tributary?).`)
  if (!Array.isArray(items) || !Array.isArray(positions) || items.length !== positions.length || positions.some((p) => typeof p !== 'string')) throw unexpected()
  try {
    const entries = items.map((item: object, i) => ({ item, position: decodeCursor(positions[i] as string, windowed) }))
    return { entries, more: typeof body.next === 'string' }
  } catch {
    throw unexpected()
  }
}

/**
 * A page as JSON: `{ items, next? }`; `next` is the cursor of the following page. Pages for
 * another instance also carry each entry's position, so that it can merge them with its own.
 */
function pageAnswer(page: Page, windowed: boolean, withPositions: boolean, servedBy: string): QueryAnswer {
  const last = page.entries[page.entries.length - 1]
  const body = {
    items: page.entries.map((e) => e.item),
    ...(page.more && last !== undefined ? { next: encodeCursor(last.position, windowed) } : {}),
    ...(withPositions ? { positions: page.entries.map((e) => encodeCursor(e.position, windowed)) } : {}),
  }
  return jsonAnswer(200, body, { [SERVED_BY_HEADER]: servedBy })
}
