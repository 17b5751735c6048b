/**
 * The broker's logging seam. Every component of the embedded broker (connections, storage,
 * the group coordinator) logs through this interface so that an embedding application can route
 * broker diagnostics into its own logger, or keep the broker quiet (the default).
 */
export interface BrokerLogger {
  debug(msg: string, meta?: object): void
  info(msg: string, meta?: object): void
  warn(msg: string, meta?: object): void
  error(msg: string, meta?: object): void
}

function ignore(): void {}

/** A logger that discards everything: the default, so tests and embedded use stay quiet. */
export const silentLogger: BrokerLogger = Object.freeze({
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
})

/** A logger that writes one line per event to stderr; handy for `tributary broker`. */
export function consoleLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'info'): BrokerLogger {
  const order = { debug: 0, info: 1, warn: 2, error: 3 } as const
  const threshold = order[level]
  const write = (lvl: keyof typeof order) => (msg: string, meta?: object): void => {
    if (order[lvl] < threshold) return
    const suffix = meta === undefined ? '' : ' ' + safeJson(meta)
    process.stderr.write(`[broker] ${lvl} ${msg}${suffix}\n`)
  }
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }
}

function safeJson(meta: object): string {
  try {
    return JSON.stringify(meta, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  } catch {
    return String(meta)
  }
}
