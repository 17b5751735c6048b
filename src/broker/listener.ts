/** A host and port clients connect to, as Kafka's `advertised.listeners` names one (without a listener name). */
export interface Listener {
  host: string
  port: number
}

/** `host:port` or `[ipv6]:port`; a bare IPv6 address is ambiguous, and no client can connect to port 0. */
const LISTENER = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/

/** Parses `host:port` (an IPv6 host in brackets); null when it is not one. */
export function parseListener(value: string): Listener | null {
  const match = LISTENER.exec(value.trim())
  if (match === null) return null
  const port = Number(match[3])
  if (port < 1 || port > 65535) return null
  return { host: match[1] ?? match[2]!, port }
}

/** The `host:port` form clients take, with an IPv6 host in brackets. */
export function formatListener({ host, port }: Listener): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
