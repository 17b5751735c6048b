/**
 * Turns decoded output records into short lines a person can scan while a topology runs:
 * windowed keys show their window as clock times, objects print as `field=value` pairs (a field
 * repeating the key is left out, event times read as clock times, coordinates keep 5 decimals),
 * and a long line is cut with an ellipsis so that one record stays one line.
 */

const DEFAULT_MAX_CHARS = 200

/** An output record after its serdes decoded it. */
export interface DecodedRecord {
  readonly topic: string
  readonly key: unknown
  readonly value: unknown
  readonly timestamp: number
}

/** Epoch milliseconds between 2001 and 2286: a field with a time-like name in this range is a time. */
const EPOCH_MS = { min: 1e12, max: 1e13 }
const TIME_FIELD = /(^ts$|timestamp|time$|Ms$|At$|start$|end$)/i

function isWindowedKey(key: unknown): key is { key: unknown; window: { start: number; end: number } } {
  if (typeof key !== 'object' || key === null || !('key' in key) || !('window' in key)) return false
  const window = (key as { window: unknown }).window
  return typeof window === 'object' && window !== null && typeof (window as { start?: unknown }).start === 'number'
}

/** `08:01:05` in UTC: event times of the simulated city are read against the status line's clock. */
export function clockTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 19)
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? roundNumber(v) : v)) ?? String(value)
  } catch {
    return String(value)
  }
}

function roundNumber(n: number): number {
  return Number.isInteger(n) ? n : Math.round(n * 1e5) / 1e5
}

function scalar(value: unknown, field?: string): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`
  if (typeof value === 'number') {
    if (field !== undefined && TIME_FIELD.test(field) && value >= EPOCH_MS.min && value < EPOCH_MS.max) return clockTime(value)
    return String(roundNumber(value))
  }
  if (typeof value === 'object') return json(value)
  return String(value)
}

export function formatKey(key: unknown): string {
  if (isWindowedKey(key)) return `${scalar(key.key)} [${clockTime(key.window.start)}-${clockTime(key.window.end)})`
  return scalar(key)
}

/** A value on one line; `key` lets a field that only repeats the record's key be left out. */
export function formatValue(value: unknown, key?: unknown, maxChars = DEFAULT_MAX_CHARS): string {
  if (value === null || value === undefined) return '(deleted)'
  let text: string
  if (typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value)) {
    const plainKey = isWindowedKey(key) ? key.key : key
    text = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => !(typeof v === 'string' && v === plainKey))
      .map(([field, v]) => `${field}=${scalar(v, field)}`)
      .join(' ')
  } else {
    text = scalar(value)
  }
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text
}

/** One line: `  surge_pricing  872830821ffffff [08:00:00-08:01:00)  requests=3 availableDrivers=1 multiplier=1.8`. */
export function formatRecord(record: DecodedRecord, topicWidth = record.topic.length, maxChars = DEFAULT_MAX_CHARS): string {
  const head = `  ${record.topic.padEnd(topicWidth)}  ${formatKey(record.key)}  `
  return `${head}${formatValue(record.value, record.key, Math.max(40, maxChars - head.length))}`
}
