import type { WriterProgress } from './watermark-wire.js'

/** One input partition of a task, as the event clock sees it. */
export interface ClockInput {
  /**
   * The sub-topologies that write this partition when it is a repartition topic that carries
   * upstream watermarks; undefined for a topic read as it is (its own timestamps are its clock).
   */
  readonly writerSubtopologies?: readonly number[]
}

interface WriterState {
  eventTimeMs: number
  idle: boolean
}

/** What a repartition partition has heard from its writers. */
interface WriterTable {
  readonly subtopologies: readonly number[]
  /** Tasks per writing sub-topology, as the writers said. */
  readonly counts: Map<number, number>
  readonly writers: Map<string, WriterState>
  /** `writersClock` of the table, recomputed only when a writer's state changed. */
  clock: number
  dirty: boolean
}

/**
 * A task's event time under upstream watermarks: the minimum of its inputs' clocks. A topic read as
 * it is advances with the largest timestamp taken from the partition (Kafka Streams' partition
 * time); a repartition partition with the smallest event time among the upstream tasks writing it,
 * as their records' headers and their markers say, in the order they were written. An input stops
 * holding the minimum back once idle: a topic's partition that is empty and caught up for
 * `idleTimeoutMs` of wall clock, a repartition partition that is empty and whose writers all said
 * they are idle (silence alone never makes a writer idle: it may be down, with records to come).
 * When every input is idle the event time advances with the wall clock, so that the last windows
 * close without new input. It never moves backwards.
 */
export class EventClock {
  private readonly sourceTime: number[]
  private readonly tables: (WriterTable | undefined)[]
  private readonly idle: boolean[]
  /** Per input: the last wall-clock time it had a record buffered or taken. */
  private readonly activeAt: (number | undefined)[]
  private eventTime = Number.NEGATIVE_INFINITY
  private allIdleSince: number | undefined
  private allIdleBase = Number.NEGATIVE_INFINITY

  constructor(
    inputs: readonly ClockInput[],
    private readonly idleTimeoutMs: number,
    /** The wall-clock time the task started: an input that never has a record is idle `idleTimeoutMs` after. */
    startedAtMs: number,
  ) {
    this.sourceTime = inputs.map(() => Number.NEGATIVE_INFINITY)
    this.tables = inputs.map((input) =>
      input.writerSubtopologies === undefined ? undefined : { subtopologies: input.writerSubtopologies, counts: new Map(), writers: new Map(), clock: Number.NEGATIVE_INFINITY, dirty: false },
    )
    this.idle = inputs.map(() => false)
    this.activeAt = inputs.map(() => startedAtMs)
  }

  /** The event time; -Infinity before every input has a clock. */
  get currentMs(): number {
    return this.eventTime
  }

  /** True while every input is idle: the event time follows the wall clock. */
  get allIdle(): boolean {
    return this.allIdleSince !== undefined
  }

  /** True when the input's clock comes from its writers' watermarks. */
  carriesWatermarks(input: number): boolean {
    return this.tables[input] !== undefined
  }

  /** A record was buffered in the input: it is not idle any more. */
  buffered(input: number): void {
    this.idle[input] = false
  }

  /** A record of a topic read as it is was taken for processing at `wallClockMs`. */
  taken(input: number, timestamp: number, wallClockMs: number): void {
    if (timestamp > (this.sourceTime[input] as number)) this.sourceTime[input] = timestamp
    this.activeAt[input] = wallClockMs
  }

  /** A writer's progress, read from a record of a repartition partition in its turn. */
  heard(input: number, progress: WriterProgress): void {
    const table = this.tables[input]
    if (table === undefined) return
    const state = table.writers.get(progress.writer)
    if (state === undefined) {
      table.counts.set(progress.subtopology, progress.writers)
      table.writers.set(progress.writer, { eventTimeMs: progress.eventTimeMs, idle: progress.idle })
      table.dirty = true
      return
    }
    if (progress.eventTimeMs > state.eventTimeMs) {
      state.eventTimeMs = progress.eventTimeMs
      table.dirty = true
    }
    if (state.idle !== progress.idle) {
      state.idle = progress.idle
      table.dirty = true
    }
  }

  /**
   * Recomputes the event time from the inputs' clocks (after a record or marker); true when it
   * moved. Idleness changes only in `tick`.
   */
  update(): boolean {
    let min = Number.POSITIVE_INFINITY
    let max = Number.NEGATIVE_INFINITY
    let active = 0
    for (let i = 0; i < this.idle.length; i++) {
      const clock = this.clockOf(i)
      if (clock > max) max = clock
      if (this.idle[i] === true) continue
      active++
      if (clock < min) min = clock
    }
    let next: number
    if (active > 0) next = min
    else {
      // Every input idle: from the largest clock on, at the pace of the wall clock.
      next = Math.max(max, this.allIdleBase)
    }
    if (next > this.eventTime) {
      this.eventTime = next
      return true
    }
    return false
  }

  /**
   * Wall-clock step: inputs that stayed empty and caught up for `idleTimeoutMs` turn idle, and
   * while all are, the event time advances by the wall-clock time since. `caughtUp(i)` is true
   * when input `i` has nothing buffered and nothing more on the broker. True when the event time
   * or the all-idle state changed.
   */
  tick(wallClockMs: number, caughtUp: (input: number) => boolean): boolean {
    const wasAllIdle = this.allIdle
    let allIdle = true
    for (let i = 0; i < this.idle.length; i++) {
      if (!caughtUp(i)) {
        this.idle[i] = false
        this.activeAt[i] = wallClockMs
      } else if (this.tables[i] !== undefined) {
        this.idle[i] = this.writersIdle(this.tables[i] as WriterTable)
      } else {
        const since = (this.activeAt[i] ??= wallClockMs)
        this.idle[i] = wallClockMs - since >= this.idleTimeoutMs
      }
      if (!this.idle[i]) allIdle = false
    }
    if (!allIdle) {
      this.allIdleSince = undefined
      this.allIdleBase = Number.NEGATIVE_INFINITY
    } else if (this.allIdleSince === undefined || !Number.isFinite(this.allIdleBase)) {
      // Idle writers upstream advance their own clocks with the wall clock too: `update` takes the
      // largest clock, and the base stays where idleness began, so the two never add up.
      this.allIdleSince = wallClockMs
      this.allIdleBase = this.maxClock()
    }
    const base = this.allIdleBase
    const moved = this.update()
    if (allIdle && Number.isFinite(base)) {
      const advanced = base + (wallClockMs - (this.allIdleSince as number))
      if (advanced > this.eventTime) {
        this.eventTime = advanced
        return true
      }
    }
    return moved || wasAllIdle !== allIdle
  }

  private maxClock(): number {
    let max = Number.NEGATIVE_INFINITY
    for (let i = 0; i < this.idle.length; i++) max = Math.max(max, this.clockOf(i))
    return Math.max(max, this.eventTime)
  }

  private clockOf(input: number): number {
    const table = this.tables[input]
    if (table === undefined) return this.sourceTime[input] as number
    if (table.dirty) {
      table.clock = writersClock(table)
      table.dirty = false
    }
    return table.clock
  }

  private writersIdle(table: WriterTable): boolean {
    if (!this.allWritersKnown(table)) return false
    for (const state of table.writers.values()) if (!state.idle) return false
    return true
  }

  private allWritersKnown(table: WriterTable): boolean {
    for (const subtopology of table.subtopologies) {
      const count = table.counts.get(subtopology)
      if (count === undefined) return false
      for (let p = 0; p < count; p++) if (!table.writers.has(`${subtopology}_${p}`)) return false
    }
    return true
  }
}

/**
 * The smallest event time among the writers that are not idle; -Infinity while a writer is not
 * heard from yet. With every writer idle, the largest of them (the partition is then idle itself).
 */
function writersClock(table: WriterTable): number {
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const subtopology of table.subtopologies) {
    const count = table.counts.get(subtopology)
    if (count === undefined) return Number.NEGATIVE_INFINITY
    for (let p = 0; p < count; p++) {
      const state = table.writers.get(`${subtopology}_${p}`)
      if (state === undefined) return Number.NEGATIVE_INFINITY
      if (state.eventTimeMs > max) max = state.eventTimeMs
      if (!state.idle && state.eventTimeMs < min) min = state.eventTimeMs
    }
  }
  return min === Number.POSITIVE_INFINITY ? max : min
}
