import type { CliIo } from '../io.js'

/** What the status line shows; a figure that is not known (yet) is left out. */
export interface RunStatus {
  readonly uptimeMs: number
  /** The KafkaStreams state: RUNNING, REBALANCING... */
  readonly state: string
  /** Input records processed per second. */
  readonly inPerSecond?: number
  /** Records written to the output topics per second. */
  readonly outPerSecond: number
  /** Input records not processed yet, over every input partition. */
  readonly lag?: number
  /** Bytes of local state on disk. */
  readonly stateBytes?: number
  /** Records the generator has sent so far. */
  readonly generated?: number
}

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

export function formatCount(n: number): string {
  return count.format(n)
}

export function formatRate(perSecond: number): string {
  return `${count.format(perSecond)}/s`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

export function formatUptime(ms: number): string {
  const total = Math.floor(ms / 1000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`
}

/** `00:00:12 RUNNING  in 1,204/s  out 1,198/s  lag 12  state 1.4 MB  generated 14,400`. */
export function formatStatus(status: RunStatus): string {
  const parts = [`${formatUptime(status.uptimeMs)} ${status.state}`]
  if (status.inPerSecond !== undefined) parts.push(`in ${formatRate(status.inPerSecond)}`)
  parts.push(`out ${formatRate(status.outPerSecond)}`)
  if (status.lag !== undefined) parts.push(`lag ${formatCount(status.lag)}`)
  if (status.stateBytes !== undefined) parts.push(`state ${formatBytes(status.stateBytes)}`)
  if (status.generated !== undefined) parts.push(`generated ${formatCount(status.generated)}`)
  return parts.join('  ')
}

/** Where the status line and the lines around it go. */
export interface StatusDisplay {
  /** Characters a printed line may take before it wraps. */
  readonly lineWidth: number
  /** A new status; shown in place on a terminal, every few updates as a plain line otherwise. */
  update(status: RunStatus): void
  /** A line of its own (a sample, a notice) that must not be overwritten by the status. */
  print(text: string): void
  /** Leaves the terminal on a fresh line, e.g. before the summary. */
  finish(): void
}

/** A terminal's status line is rewritten in place every second. */
export function terminalDisplay(stream: NodeJS.WriteStream): StatusDisplay {
  // A terminal that does not report its size (a pseudo-terminal without one) says 0.
  const columns = () => (stream.columns > 0 ? stream.columns : 120)
  let current = ''
  const clear = () => {
    if (current !== '') stream.write('\r\x1b[2K')
  }
  return {
    get lineWidth() {
      return Math.max(40, columns() - 1)
    },
    update(status) {
      clear()
      // A line wider than the terminal would wrap, and \r would then rewrite only its tail.
      current = formatStatus(status).slice(0, Math.max(20, columns() - 1))
      stream.write(current)
    },
    print(text) {
      clear()
      stream.write(text.endsWith('\n') ? text : `${text}\n`)
      if (current !== '') stream.write(current)
    },
    finish() {
      clear()
      current = ''
    },
  }
}

/**
 * Logs and pipes get a plain status line after the first second, then every `everyUpdates`
 * updates (about every few seconds), so a log stays readable and a test can match whole lines.
 */
export function plainDisplay(io: CliIo, everyUpdates = 5): StatusDisplay {
  let updates = 0
  return {
    lineWidth: 200,
    update(status) {
      if (updates++ % everyUpdates === 0) io.out(`[status] ${formatStatus(status)}`)
    },
    print(text) {
      io.out(text)
    },
    finish() {},
  }
}
