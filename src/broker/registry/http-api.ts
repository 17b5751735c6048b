import type { IncomingMessage, ServerResponse } from 'node:http'
import { RegistryHttpError } from './registry-errors.js'
import type { SchemaStore } from './schema-store.js'

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'
const MAX_BODY_BYTES = 16 * 1024 * 1024

type Handler = (store: SchemaStore, params: string[], body: unknown) => Promise<unknown> | unknown

interface Route { method: string; pattern: RegExp; handler: Handler }

function schemaText(body: unknown): string {
  const b = body as { schema?: unknown; schemaType?: unknown } | null
  if (b === null || typeof b !== 'object' || typeof b.schema !== 'string') {
    throw new RegistryHttpError(422, 42201, 'Invalid schema: the request body needs a "schema" string')
  }
  if (b.schemaType !== undefined && b.schemaType !== 'AVRO') {
    throw new RegistryHttpError(422, 42201, `Invalid schema: schema type ${String(b.schemaType)} is not supported, only AVRO`)
  }
  return b.schema
}

function levelOf(body: unknown): unknown {
  return (body as { compatibility?: unknown } | null)?.compatibility
}

/** The REST API of Confluent Schema Registry that clients and common tools use. */
const routes: Route[] = [
  { method: 'GET', pattern: /^\/subjects$/, handler: (s) => s.subjects() },
  { method: 'GET', pattern: /^\/subjects\/([^/]+)\/versions$/, handler: (s, [subject]) => s.versions(subject!) },
  {
    method: 'GET', pattern: /^\/subjects\/([^/]+)\/versions\/([^/]+)$/,
    handler: (s, [subject, version]) => {
      const v = s.version(subject!, version!)
      return { subject: v.subject, version: v.version, id: v.id, schema: v.schema }
    },
  },
  {
    method: 'GET', pattern: /^\/subjects\/([^/]+)\/versions\/([^/]+)\/schema$/,
    handler: (s, [subject, version]) => JSON.parse(s.version(subject!, version!).schema),
  },
  {
    method: 'POST', pattern: /^\/subjects\/([^/]+)\/versions$/,
    handler: async (s, [subject], body) => ({ id: await s.register(subject!, schemaText(body)) }),
  },
  {
    method: 'POST', pattern: /^\/subjects\/([^/]+)$/,
    handler: (s, [subject], body) => {
      const v = s.lookup(subject!, schemaText(body))
      return { subject: v.subject, version: v.version, id: v.id, schema: v.schema }
    },
  },
  { method: 'DELETE', pattern: /^\/subjects\/([^/]+)$/, handler: (s, [subject]) => s.deleteSubject(subject!) },
  { method: 'GET', pattern: /^\/schemas\/ids\/(\d+)$/, handler: (s, [id]) => ({ schema: s.schema(Number(id)) }) },
  { method: 'GET', pattern: /^\/schemas\/ids\/(\d+)\/schema$/, handler: (s, [id]) => JSON.parse(s.schema(Number(id))) },
  {
    method: 'POST', pattern: /^\/compatibility\/subjects\/([^/]+)\/versions\/([^/]+)$/,
    handler: (s, [subject, version], body) => ({ is_compatible: s.isCompatibleWith(subject!, version!, schemaText(body)) }),
  },
  {
    method: 'POST', pattern: /^\/compatibility\/subjects\/([^/]+)\/versions$/,
    handler: (s, [subject], body) => ({ is_compatible: s.isCompatibleWith(subject!, 'latest', schemaText(body)) }),
  },
  { method: 'GET', pattern: /^\/config$/, handler: (s) => ({ compatibilityLevel: s.level() }) },
  { method: 'PUT', pattern: /^\/config$/, handler: async (s, _, body) => ({ compatibility: await s.setLevel(null, levelOf(body)) }) },
  { method: 'GET', pattern: /^\/config\/([^/]+)$/, handler: (s, [subject]) => ({ compatibilityLevel: s.subjectLevel(subject!) }) },
  {
    method: 'PUT', pattern: /^\/config\/([^/]+)$/,
    handler: async (s, [subject], body) => ({ compatibility: await s.setLevel(subject!, levelOf(body)) }),
  },
  { method: 'GET', pattern: /^\/$/, handler: () => ({}) },
]

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new RegistryHttpError(413, 41301, 'Request body too large')
    chunks.push(chunk as Buffer)
  }
  if (size === 0) return null
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new RegistryHttpError(400, 400, 'Unrecognized request body: expected JSON')
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text) })
  response.end(text)
}

/** Answers one HTTP request; never throws (errors become Confluent error bodies). */
export async function handleRegistryRequest(store: SchemaStore, request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    const url = new URL(request.url ?? '/', 'http://registry')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    const matching = routes.filter((r) => r.pattern.test(path))
    const route = matching.find((r) => r.method === request.method)
    if (route === undefined) {
      if (matching.length > 0) throw new RegistryHttpError(405, 405, `HTTP ${request.method} is not allowed on ${path}`)
      throw new RegistryHttpError(404, 404, `HTTP 404 Not Found: ${path}`)
    }
    const params = route.pattern.exec(path)!.slice(1).map((p) => decodeURIComponent(p))
    const body = request.method === 'POST' || request.method === 'PUT' ? await readBody(request) : null
    send(response, 200, await route.handler(store, params, body))
  } catch (error) {
    if (error instanceof RegistryHttpError) send(response, error.status, { error_code: error.errorCode, message: error.message })
    else send(response, 500, { error_code: 50001, message: `Error in the backend data store: ${(error as Error).message}` })
  }
}
