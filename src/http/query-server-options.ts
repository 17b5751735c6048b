import type { KeyParser } from './key-parsers.js'

/** Options of `startQueryServer`; `createQueryHandler` takes the same without `port` and `host`. */
export interface QueryServerOptions {
  /**
   * The port to listen on. Default: the port of the apps' `applicationServer` when they advertise
   * one (the address other instances forward queries to), else 0 (a free port, see `QueryServer.port`).
   */
  readonly port?: number
  /** The address to listen on; default '127.0.0.1'. Use '0.0.0.0' for other machines to reach it. */
  readonly host?: string
  /**
   * How the keys of a store are parsed from the URL, by store name (see `KeyParsers`). A store
   * without one takes the URL text as a string key.
   */
  readonly keySerdes?: Readonly<Record<string, KeyParser<unknown>>>
  /** Serves GET /metrics when given: `render()`'s text with `contentType` (e.g. Prometheus' exposition format). */
  readonly metrics?: { readonly contentType: string; render(): Promise<string> }
  /** How long a request forwarded to another instance may take, in milliseconds; default 5000. */
  readonly forwardTimeoutMs?: number
}
