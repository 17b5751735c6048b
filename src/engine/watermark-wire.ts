import type { Headers } from '../core/record.js'
import type { CollectedRecord, RawHeader, RawRecord } from './types.js'

/**
 * How upstream watermarks travel through repartition topics. Every record a task writes to a
 * repartition topic carries `WATERMARK_HEADER`; a marker record (no key, no value) carries
 * `WATERMARK_MARKER_HEADER` instead and is filtered out by the reading task. Both say who wrote
 * (`<subtopology>_<partition>`), how many tasks write that topic from the writer's sub-topology,
 * the writer's event time, and whether all of the writer's inputs were idle:
 * `<subtopology>_<partition>/<writers>@<eventTimeMs>` with a trailing `!` when idle.
 */
export const WATERMARK_HEADER = '__tributary.wm'
export const WATERMARK_MARKER_HEADER = '__tributary.wm.marker'

export interface WriterProgress {
  /** The writer task: `<subtopology>_<partition>`. */
  readonly writer: string
  readonly subtopology: number
  /** Tasks of the writer's sub-topology: every one of them writes to every partition of the topic. */
  readonly writers: number
  /** The writer's event time; -Infinity before it had any. */
  readonly eventTimeMs: number
  readonly idle: boolean
}

const FORMAT = /^(\d+)_(\d+)\/(\d+)@(-?\d+|-inf)(!?)$/

export function encodeProgress(taskId: string, writers: number, eventTimeMs: number, idle: boolean): Buffer {
  const time = eventTimeMs === Number.NEGATIVE_INFINITY ? '-inf' : String(Math.floor(eventTimeMs))
  return Buffer.from(`${taskId}/${writers}@${time}${idle ? '!' : ''}`)
}

/** The progress a header value says, or undefined when it is not one Tributary wrote. */
export function decodeProgress(value: Buffer | null | undefined): WriterProgress | undefined {
  if (value === null || value === undefined) return undefined
  const match = FORMAT.exec(value.toString('latin1'))
  if (match === null) return undefined
  const time = match[4] as string
  return {
    writer: `${match[1]}_${match[2]}`,
    subtopology: Number(match[1]),
    writers: Number(match[3]),
    eventTimeMs: time === '-inf' ? Number.NEGATIVE_INFINITY : Number(time),
    idle: match[5] === '!',
  }
}

/** The value of `name` among a fetched record's headers (the last one, as `headersOf` keeps). */
export function rawHeader(headers: readonly RawHeader[], name: string): Buffer | null | undefined {
  for (let i = headers.length - 1; i >= 0; i--) {
    const header = headers[i] as RawHeader
    if (header[0] === name) return header[1]
  }
  return undefined
}

/** The progress a fetched record carries when it is a marker (no key, no value, the marker header). */
export function markerIn(raw: RawRecord): WriterProgress | undefined {
  if (raw.key !== null || raw.value !== null) return undefined
  return decodeProgress(rawHeader(raw.headers, WATERMARK_MARKER_HEADER))
}

/** `headers` with the writer's progress added, leaving the record's own headers object untouched. */
export function withProgress(headers: Headers, progress: Buffer): Headers {
  return { ...headers, [WATERMARK_HEADER]: progress }
}

/** A marker to one partition of a repartition topic. Its timestamp is the writer's event time (0 before any). */
export function markerRecord(topic: string, partition: number, progress: Buffer, eventTimeMs: number, wallClockMs: number): CollectedRecord {
  const timestamp = Number.isFinite(eventTimeMs) && eventTimeMs >= 0 ? Math.floor(eventTimeMs) : wallClockMs
  return { topic, partition, key: null, value: null, timestamp, headers: { [WATERMARK_MARKER_HEADER]: progress } }
}
