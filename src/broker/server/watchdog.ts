import { createHistogram, performance, type EventLoopUtilization, type RecordableHistogram } from 'node:perf_hooks'
import type { BrokerLogger } from '../logger.js'
import { ApiKey, apiSpec } from '../protocol/api-keys.js'
import { readRequestHeader } from '../protocol/headers.js'
import { Reader } from '../protocol/primitives.js'
import type { Connection } from './connection.js'

export interface WatchdogOptions {
  /** How often the broker is looked at; each look covers the time since the previous one. Default 5 s. */
  intervalMs?: number
  /** Warn when the event loop was blocked this long at once. Default 1 s. */
  maxEventLoopDelayMs?: number
  /** Warn when a request has waited this long for its answer. Default 15 s. */
  stalledRequestMs?: number
}

/** Where the watchdog looks. Only `connections` is read when all is well. */
export interface WatchdogSources {
  connections: () => Iterable<Connection>
  /** Fetch requests parked until data arrives. */
  fetchWaiters: () => number
  /** Writes waiting in the group and transaction coordinators' logs (a stuck write or fsync shows here). */
  coordinatorLogQueues: () => { offsets: number; transactions: number }
}

export interface PendingRequests {
  clientId: string | null
  address: string
  /** Requests received on the connection and not answered, the one being handled included. */
  pending: number
  oldestPendingMs: number
  oldestApi: string
  /** The client does not read its responses, so the connection waits before handling the next request. */
  writeBlocked: boolean
}

/** The fields of the watchdog's warning. */
export interface WatchdogReport {
  reasons: string[]
  eventLoopDelayMs: { max: number; p99: number }
  /** CPU time used over the window, in percent of one core. */
  cpuPercent: number
  openConnections: number
  /** Connections with unanswered requests, the one waiting longest first. */
  pendingRequests: PendingRequests[]
  fetchWaiters: number
  coordinatorLogQueues: { offsets: number; transactions: number }
  memoryMb: { rss: number; heapUsed: number }
}

/**
 * How often the event loop is sampled at most; each sample records how late it runs. Four a
 * second cost next to nothing on an idle broker, where Node's monitorEventLoopDelay (which would
 * also forget, at each reset(), a delay in progress) wakes the process fifty times a second.
 */
const MAX_SAMPLE_MS = 250
/** JoinGroup and SyncGroup wait for the other members by design: their age alone says nothing. */
const WAITING_BY_DESIGN = new Set<number>([ApiKey.JoinGroup, ApiKey.SyncGroup])
/** Windows in a row a connection's unanswered requests must grow in before that is reported. */
const GROWING_WINDOWS = 3
const MAX_LISTED_CONNECTIONS = 10

/**
 * Logs a warning when the broker stops keeping up: its event loop was blocked, or a connection
 * has a request unanswered for long or more and more of them. The warning says where it is stuck
 * (see WatchdogReport). When all is well it costs one timer callback per sample and, per
 * window, a look at each connection's counters; its timer never keeps the process alive.
 */
export class BrokerWatchdog {
  private readonly delays: RecordableHistogram = createHistogram()
  private readonly timer: NodeJS.Timeout
  private readonly intervalMs: number
  private readonly maxDelayMs: number
  private readonly stalledMs: number
  /** At most half the delay to report, so that any such delay makes a sample late by a whole period (see sample()). */
  private readonly sampleMs: number
  private lastSample = performance.now()
  private lastUtilization: EventLoopUtilization = performance.eventLoopUtilization()
  private windowStart = this.lastSample
  private cpuAtWindowStart = process.cpuUsage()
  /** Per connection, its unanswered requests at the last look and how many looks in a row they grew. */
  private growth = new Map<Connection, { pending: number; windows: number }>()

  constructor(
    private readonly sources: WatchdogSources,
    private readonly logger: BrokerLogger,
    options: WatchdogOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5_000
    this.maxDelayMs = options.maxEventLoopDelayMs ?? 1_000
    this.stalledMs = options.stalledRequestMs ?? 15_000
    this.sampleMs = Math.max(10, Math.min(MAX_SAMPLE_MS, this.maxDelayMs / 2))
    this.timer = setInterval(() => {
      this.sample()
      if (this.lastSample - this.windowStart < this.intervalMs) return
      try {
        this.closeWindow()
      } catch (error) {
        // A watchdog must never be what takes the broker down (a throw here would be uncaught).
        this.logger.error('broker watchdog failed', { error: error instanceof Error ? error.message : String(error) })
      }
    }, this.sampleMs)
    this.timer.unref()
  }

  /** Looks at the broker now, ending the window; logs the warning and returns it if something is wrong. */
  check(): WatchdogReport | null {
    this.sample()
    return this.closeWindow()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /** Records how long the event loop could not run this sample. */
  private sample(): void {
    const now = performance.now()
    const utilization = performance.eventLoopUtilization()
    const sinceLast = now - this.lastSample
    let delayMs = sinceLast - this.sampleMs
    // Late by more than a period: the loop was blocked, maybe from well before this sample was
    // due, which lateness does not count. The loop's busy time since the last sample does.
    if (delayMs >= this.sampleMs) delayMs = Math.min(sinceLast, performance.eventLoopUtilization(utilization, this.lastUtilization).active)
    // The histogram takes integers from 1: microseconds, at least 1.
    this.delays.record(Math.max(1, Math.round(delayMs * 1000)))
    this.lastSample = now
    this.lastUtilization = utilization
  }

  private closeWindow(): WatchdogReport | null {
    const now = this.lastSample
    const delay = { max: round(this.delays.max / 1000), p99: round(this.delays.percentile(99) / 1000) }
    this.delays.reset()
    const cpu = process.cpuUsage()
    const cpuMicros = cpu.user - this.cpuAtWindowStart.user + cpu.system - this.cpuAtWindowStart.system
    const cpuPercent = round(cpuMicros / 10 / Math.max(1, now - this.windowStart))
    this.cpuAtWindowStart = cpu
    this.windowStart = now

    const reasons: string[] = []
    if (delay.max >= this.maxDelayMs) reasons.push(`the event loop was blocked for ${Math.round(delay.max)} ms`)
    const growth = new Map<Connection, { pending: number; windows: number }>()
    const pending: Array<{ connection: Connection; count: number; ageMs: number; frame: Buffer }> = []
    let open = 0
    for (const connection of this.sources.connections()) {
      open++
      const count = connection.pendingRequests
      if (count === 0) continue
      const oldest = connection.oldestPendingRequest()
      if (oldest === null) continue
      const before = this.growth.get(connection)
      const windows = before !== undefined && count > before.pending ? before.windows + 1 : 0
      growth.set(connection, { pending: count, windows })
      const ageMs = now - oldest.receivedAt
      pending.push({ connection, count, ageMs, frame: oldest.frame })
      if (windows >= GROWING_WINDOWS) reasons.push(`${connection.address} has ${count} unanswered requests, more at each of the last ${windows} looks`)
      if (ageMs >= this.stalledMs && !WAITING_BY_DESIGN.has(apiKeyOf(oldest.frame))) {
        reasons.push(`${connection.address} has had a request unanswered for ${Math.round(ageMs)} ms`)
      }
    }
    this.growth = growth
    if (reasons.length === 0) return null

    const memory = process.memoryUsage()
    const report: WatchdogReport = {
      reasons,
      eventLoopDelayMs: delay,
      cpuPercent,
      openConnections: open,
      pendingRequests: pending
        .sort((a, b) => b.ageMs - a.ageMs)
        .slice(0, MAX_LISTED_CONNECTIONS)
        .map((p) => ({ ...describeRequest(p.frame), address: p.connection.address, pending: p.count, oldestPendingMs: Math.round(p.ageMs), writeBlocked: p.connection.writeBlocked })),
      fetchWaiters: this.sources.fetchWaiters(),
      coordinatorLogQueues: this.sources.coordinatorLogQueues(),
      memoryMb: { rss: Math.round(memory.rss / 1048576), heapUsed: Math.round(memory.heapUsed / 1048576) },
    }
    this.logger.warn('broker watchdog: the broker is not keeping up', report)
    return report
  }
}

/** The API key of a request frame, -1 for a frame too short to hold one. */
function apiKeyOf(frame: Buffer): number {
  return frame.length >= 2 ? frame.readInt16BE(0) : -1
}

/** The client id and API of a request frame, read only for a warning. */
function describeRequest(frame: Buffer): { clientId: string | null; oldestApi: string } {
  const apiKey = apiKeyOf(frame)
  const oldestApi = apiSpec(apiKey)?.name ?? `api key ${apiKey}`
  try {
    return { clientId: readRequestHeader(new Reader(frame)).clientId, oldestApi }
  } catch {
    return { clientId: null, oldestApi }
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}
