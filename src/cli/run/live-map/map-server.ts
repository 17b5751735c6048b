import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CityGeography } from './city-geography.js'
import type { MapSnapshot } from './map-state.js'

/** Serves the query routes (`/health`, `/stores/...`, `/metrics`) once the applications exist. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>

export interface MapServerOptions {
  readonly port: number
  readonly host: string
  /** Basemap tile URL template; undefined draws the city on a plain background. */
  readonly tiles: string | undefined
  readonly geography: CityGeography
  readonly topologies: readonly string[]
}

export interface MapServer {
  readonly url: string
  /** host:port, the applications' `applicationServer`. */
  readonly address: string
  /** Starts answering `/map/state.json` and the query routes. */
  serve(snapshot: () => Promise<MapSnapshot>, routes: RouteHandler): void
  close(): Promise<void>
}

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'page')
const LEAFLET_DIR = dirname(createRequire(import.meta.url).resolve('leaflet/dist/leaflet.js'))

/** The page's own files and Leaflet's, by URL path: nothing else on disk is reachable. */
const STATIC: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: join(PAGE_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/map.js': { file: join(PAGE_DIR, 'map.js'), type: 'text/javascript; charset=utf-8' },
  '/map.css': { file: join(PAGE_DIR, 'map.css'), type: 'text/css; charset=utf-8' },
  '/vendor/leaflet/leaflet.js': { file: join(LEAFLET_DIR, 'leaflet.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/leaflet/leaflet.css': { file: join(LEAFLET_DIR, 'leaflet.css'), type: 'text/css; charset=utf-8' },
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/**
 * The live map's HTTP server: the page, Leaflet (from the package's own dependencies: no CDN, it
 * works offline), the map's data each second, and the query server's routes. It listens before
 * the applications start, so that they can advertise its address as their `applicationServer`.
 */
export async function startMapServer(options: MapServerOptions): Promise<MapServer> {
  let snapshot: (() => Promise<MapSnapshot>) | undefined
  let routes: RouteHandler | undefined
  const config = { tiles: options.tiles ?? null, topologies: options.topologies, city: options.geography }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const asset = STATIC[path]
    if (asset !== undefined && req.method === 'GET') {
      const body = await readFile(asset.file)
      res.writeHead(200, { 'content-type': asset.type, 'content-length': body.length })
      res.end(body)
      return
    }
    if (path === '/map/config.json' && req.method === 'GET') return sendJson(res, 200, config)
    if (path === '/map/state.json' && req.method === 'GET') {
      if (snapshot === undefined) return sendJson(res, 503, { error: { code: 'STARTING', message: 'The topologies are starting; retry in a second.' } })
      return sendJson(res, 200, await snapshot())
    }
    if (routes !== undefined && (await routes(req, res))) return
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `No page at ${path}. The map is at /, the query server under /stores, /health and /metrics.` } })
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy()
      sendJson(res, 500, { error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) } })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as { port: number }
  return {
    url: `http://${options.host}:${port}/`,
    address: `${options.host}:${port}`,
    serve(read, handler) {
      snapshot = read
      routes = handler
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
