import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers } from '../core/record.js'
import type { Topology } from '../topology/topology.js'
import { EventClock } from './event-clock.js'
import { repartitionWriters, type TaskSpec } from './task-id.js'
import type { CollectedRecord, RawRecord, RecordWriter } from './types.js'
import {
  decodeProgress,
  encodeProgress,
  markerIn,
  markerRecord,
  rawHeader,
  WATERMARK_HEADER,
  withProgress,
  type WriterProgress,
} from './watermark-wire.js'

/** How often, at most, a writer whose event time moved sends markers between commits. */
export const MARKER_INTERVAL_MS = 1000

/**
 * How often a writer repeats unchanged markers: a reading task that starts afresh (restarted,
 * moved to another instance) learns within this time where idle writers stand.
 */
export const MARKER_REFRESH_MS = 5000

/** Told each time the task's event time advances under upstream watermarks. */
export type WatermarkListener = (eventTimeMs: number) => MaybePromise<void>

/** What the task reports about its event time (metrics). */
export interface TaskEventTime {
  readonly taskId: string
  /** The task's event time; null before every input has a clock. */
  readonly eventTimeMs: number | null
  /** True while every input is idle and the event time follows the wall clock. */
  readonly allInputsIdle: boolean
  /** Marker records this task wrote to repartition topics. */
  readonly markersWritten: number
  /** Marker records this task read (and filtered out) from repartition topics. */
  readonly markersRead: number
}

/**
 * The upstream-watermark side of one task (`watermarks: 'upstream'`): its event clock over its
 * input partitions, the progress header on what it writes to repartition topics, and the markers
 * that tell every partition of those topics the task's event time, even partitions it sends no
 * record to. The task asks it about each record it buffers and processes.
 */
export class TaskWatermarks {
  readonly clock: EventClock
  private readonly outputs: ReadonlyMap<string, number>
  private readonly writers: number
  private progress: Buffer | undefined
  private progressTime = Number.NaN
  private progressIdle = false
  private sentTime = Number.NaN
  private sentIdle = false
  private sentAtMs = Number.NEGATIVE_INFINITY
  private written = 0
  private read = 0
  private readonly listeners: WatermarkListener[] = []
  /** Per input, the last progress header applied: writers repeat theirs until their time moves. */
  private readonly lastHeaders: (Buffer | null | undefined)[]

  constructor(
    topology: Topology,
    applicationId: string,
    spec: TaskSpec,
    private readonly taskId: string,
    idleTimeoutMs: number,
    startedAtMs: number,
  ) {
    const prefix = `${applicationId}-`
    this.clock = new EventClock(
      spec.inputs.map((input) => {
        const relative = input.topic.startsWith(prefix) ? input.topic.slice(prefix.length) : undefined
        if (relative === undefined || topology.internalTopics.get(relative)?.purpose !== 'repartition') return {}
        return { writerSubtopologies: repartitionWriters(topology, relative) }
      }),
      idleTimeoutMs,
      startedAtMs,
    )
    this.lastHeaders = spec.inputs.map(() => undefined)
    this.outputs = new Map((spec.repartitionOutputs ?? []).map((o) => [o.topic, o.partitions]))
    this.writers = spec.subtopologyTasks ?? 1
  }

  /** The marker a fetched record of input `index` is, if it is one; otherwise undefined. */
  markerOf(index: number, raw: RawRecord): WriterProgress | undefined {
    return this.clock.carriesWatermarks(index) ? markerIn(raw) : undefined
  }

  /** A marker taken in its turn. True when the event time moved. */
  markerTaken(index: number, marker: WriterProgress): boolean {
    this.read++
    this.clock.heard(index, marker)
    return this.clock.update()
  }

  /** Before a data record of input `index` is processed. True when the event time moved. */
  beforeRecord(index: number, timestamp: number, wallClockMs: number): boolean {
    if (this.clock.carriesWatermarks(index)) return false
    this.clock.taken(index, timestamp, wallClockMs)
    return this.clock.update()
  }

  /** After a data record of input `index` was processed: its writer's progress counts from now on. */
  afterRecord(index: number, raw: RawRecord): boolean {
    if (!this.clock.carriesWatermarks(index)) return false
    const header = rawHeader(raw.headers, WATERMARK_HEADER)
    const last = this.lastHeaders[index]
    if (header === undefined || header === null || (last !== undefined && last !== null && header.equals(last))) return false
    this.lastHeaders[index] = header
    const progress = decodeProgress(header)
    if (progress === undefined) return false
    this.clock.heard(index, progress)
    return this.clock.update()
  }

  /** `headers` with this task's progress when `topic` is a repartition topic it writes. */
  headersFor(topic: string, headers: Headers): Headers {
    if (!this.outputs.has(topic)) return headers
    return withProgress(headers, this.currentProgress())
  }

  /** `listener` hears of every advance of the event time (see `ProcessorContext.onWatermarkAdvanced`). */
  listen(listener: WatermarkListener): void {
    this.listeners.push(listener)
  }

  /** Tells the listeners the current event time, one after the other. */
  tell(): MaybePromise<void> {
    return tellFrom(this.listeners, this.clock.currentMs, 0)
  }

  /** Writes the markers due (see `markersDue`); true when it wrote any. */
  sendMarkers(writer: RecordWriter, wallClockMs: number, force: boolean): boolean {
    const markers = this.markersDue(wallClockMs, force)
    for (const marker of markers) writer.send(marker)
    return markers.length > 0
  }

  /**
   * Markers to send now: when the event time or idleness changed since the last ones, at once on
   * `force` (a commit) or when idleness changed, else at most every `MARKER_INTERVAL_MS`; unchanged
   * ones again every `MARKER_REFRESH_MS`.
   */
  markersDue(wallClockMs: number, force: boolean): CollectedRecord[] {
    if (this.outputs.size === 0) return []
    const time = this.clock.currentMs
    const idle = this.clock.allIdle
    const elapsed = wallClockMs - this.sentAtMs
    if (time === this.sentTime && idle === this.sentIdle) {
      if (elapsed < MARKER_REFRESH_MS) return []
    } else if (!force && idle === this.sentIdle && elapsed < MARKER_INTERVAL_MS) return []
    this.sentTime = time
    this.sentIdle = idle
    this.sentAtMs = wallClockMs
    const progress = this.currentProgress()
    const markers: CollectedRecord[] = []
    for (const [topic, partitions] of this.outputs) {
      for (let p = 0; p < partitions; p++) markers.push(markerRecord(topic, p, progress, time, wallClockMs))
    }
    this.written += markers.length
    return markers
  }

  snapshot(): TaskEventTime {
    const time = this.clock.currentMs
    return {
      taskId: this.taskId,
      eventTimeMs: Number.isFinite(time) ? time : null,
      allInputsIdle: this.clock.allIdle,
      markersWritten: this.written,
      markersRead: this.read,
    }
  }

  private currentProgress(): Buffer {
    const time = this.clock.currentMs
    const idle = this.clock.allIdle
    if (this.progress === undefined || time !== this.progressTime || idle !== this.progressIdle) {
      this.progress = encodeProgress(this.taskId, this.writers, time, idle)
      this.progressTime = time
      this.progressIdle = idle
    }
    return this.progress
  }
}

function tellFrom(listeners: readonly WatermarkListener[], time: number, from: number): MaybePromise<void> {
  for (let i = from; i < listeners.length; i++) {
    const told = (listeners[i] as WatermarkListener)(time)
    if (isPromiseLike(told)) return told.then(() => tellFrom(listeners, time, i + 1))
  }
  return undefined
}
