import type { CacheBudget } from '../state/layers/cache-budget.js'
import type { Time } from '../core/clock.js'
import { StandbyTask } from '../engine/standby-task.js'
import type { StateDirectory } from '../engine/state-directory.js'
import { formatTaskId, type TaskSpec } from '../engine/task-id.js'
import type { ChangelogReader, TopicPartition, TopicPartitionOffset } from '../engine/types.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes } from '../topology/types.js'
import type { ResolvedStreamsConfig } from './config.js'
import { RetryBackoff } from './retry-backoff.js'

/** A standby task in `metrics()`. */
export interface StandbyTaskMetrics {
  readonly taskId: string
  /** The stores it keeps up to date. */
  readonly stores: readonly string[]
  /**
   * Changelog records it has not applied yet, over its changelog partitions (for a table reusing
   * its source topic, up to the group's committed offset): what taking the task over would
   * restore. `undefined` when the cluster cannot be asked.
   */
  readonly lag: number | undefined
}

/** The reader the standbys read their changelogs with, owned (and closed) by them. */
export interface StandbyReader extends ChangelogReader {
  close(): Promise<void>
}

export interface StandbyTasksDeps {
  readonly topology: Topology
  readonly config: Pick<ResolvedStreamsConfig, 'applicationId' | 'storeSupplier' | 'commitIntervalMs'> & Partial<Pick<ResolvedStreamsConfig, 'joinCacheMaxBytes'>>
  /** The instance's budget of join-store copies, shared with the active tasks. */
  readonly joinCache?: CacheBudget
  readonly specs: readonly TaskSpec[]
  readonly stateDirectory: StateDirectory
  readonly defaultSerdes: DefaultSerdes
  /** Opens the standbys' own changelog reader, the first time a standby is assigned. */
  readonly openReader: () => StandbyReader
  /** The group's committed offsets, for tables whose source topic is their changelog. */
  readonly committed: (partitions: readonly TopicPartition[]) => Promise<TopicPartitionOffset[]>
  readonly time: Time
  /**
   * Standby work failed: updating or checkpointing (tried again after `retryInMs`), or opening a
   * standby (`retryInMs` undefined: it is left out until the next rebalance). Processing goes on.
   */
  readonly onFailure?: (error: unknown, taskId: string | undefined, retryInMs: number | undefined) => void
}

/** Records read per changelog partition and pass: a rebalance waits for one standby's pass at most. */
const MAX_RECORDS_PER_PASS = 10_000

/** The pause after a pass that found nothing new: how late a caught-up standby sees new records at most. */
const IDLE_MS = 200

/**
 * The standby tasks of an instance (Kafka Streams' standby side of its TaskManager and
 * StoreChangelogReader). A loop of its own, beside the processing loop, reads their changelogs
 * with a reader of its own and applies what it finds, a bounded pass at a time, and checkpoints
 * them every `commitIntervalMs`. Reassignments run between passes: the group's listener closes
 * the standbys that go away (a promoted one first, so that its active task finds its checkpoint)
 * and opens the new ones (a demoted active task's stores are kept and continued from its
 * checkpoint). A failing update never stops the instance: it is retried with backoff.
 */
export class StandbyTasks {
  private readonly tasks = new Map<string, StandbyTask>()
  private readonly specs: Map<string, TaskSpec>
  private reader: StandbyReader | undefined
  /** Serializes passes, checkpoints, reassignments and closing. */
  private exclusive: Promise<unknown> = Promise.resolve()
  private loop: Promise<void> | undefined
  private closed = false
  private wake: (() => void) | undefined

  constructor(private readonly deps: StandbyTasksDeps) {
    this.specs = new Map(deps.specs.map((spec) => [formatTaskId(spec.id), spec]))
  }

  /** Task ids of the standbys open now. */
  taskIds(): string[] {
    return [...this.tasks.keys()]
  }

  /** For the subscription: what each standby holds. */
  offsetSums(): Map<string, number> {
    return new Map([...this.tasks].map(([id, task]) => [id, task.offsetSum()]))
  }

  /**
   * Makes `taskIds` the standby tasks of this instance: closes the others cleanly (checkpointed),
   * then opens the new ones. Ids this topology has no task for are ignored, and so is everything
   * with in-memory stores (a standby would hold nothing across the handover). A standby that
   * cannot be opened is reported and left out until the next assignment.
   */
  assign(taskIds: readonly string[]): Promise<void> {
    const wanted = this.deps.config.storeSupplier === 'memory' ? [] : taskIds.filter((id) => this.specs.has(id))
    return this.serialized(async () => {
      if (this.closed) return
      for (const [id, task] of [...this.tasks]) {
        if (wanted.includes(id)) continue
        this.tasks.delete(id)
        await task.close(true).catch((error: unknown) => this.deps.onFailure?.(error, id, undefined))
      }
      for (const id of wanted) {
        if (this.tasks.has(id)) continue
        const task = new StandbyTask(this.deps.topology, this.specs.get(id) as TaskSpec, {
          applicationId: this.deps.config.applicationId,
          stateDirectory: this.deps.stateDirectory,
          storeSupplier: this.deps.config.storeSupplier,
          defaultSerdes: this.deps.defaultSerdes,
          ...(this.deps.config.joinCacheMaxBytes === undefined ? {} : { joinCacheMaxBytes: this.deps.config.joinCacheMaxBytes }),
          ...(this.deps.joinCache === undefined ? {} : { joinCache: this.deps.joinCache }),
        })
        try {
          await task.initialize()
          this.tasks.set(id, task)
        } catch (error) {
          this.deps.onFailure?.(error, id, undefined)
        }
      }
      if (this.tasks.size > 0) this.loop ??= this.run()
    })
  }

  /** Each standby's stores and how far behind its changelogs it is; asks the cluster. */
  async metrics(): Promise<StandbyTaskMetrics[]> {
    const reader = this.reader
    const tasks = [...this.tasks.values()]
    const result: StandbyTaskMetrics[] = []
    for (const task of tasks) {
      let lag: number | undefined
      if (reader !== undefined) {
        try {
          const committed = await this.committedSources(task)
          lag = 0
          const positions = task.positionsByStore()
          for (const { topic, partition } of task.changelogPartitions()) {
            const at = positions.find((p) => p.topic === topic && p.partition === partition)?.offset ?? (await reader.startOffset(topic, partition))
            // A table's source topic counts up to the committed offset (nothing when the group has none).
            const end = committed?.has(topic) === true || task.sourceChangelogTopics().includes(topic) ? (committed?.get(topic) ?? at) : await reader.endOffset(topic, partition)
            lag += Math.max(0, Number(end - at))
          }
        } catch {
          lag = undefined
        }
      }
      result.push({ taskId: task.taskId, stores: task.spec.subtopology.stores, lag })
    }
    return result.sort((a, b) => a.taskId.localeCompare(b.taskId))
  }

  /** Stops the loop and closes every standby; a clean close checkpoints them, then the reader is closed. */
  async close(clean: boolean): Promise<void> {
    this.closed = true
    this.wake?.()
    await this.loop
    await this.serialized(async () => {
      for (const task of this.tasks.values()) await task.close(clean).catch(() => undefined)
      this.tasks.clear()
      await this.reader?.close().catch(() => undefined)
      this.reader = undefined
    })
  }

  private async run(): Promise<void> {
    const { time, config } = this.deps
    const backoff = new RetryBackoff({ taskTimeoutMs: Number.POSITIVE_INFINITY, nowMs: () => time.nowMs(), maxMs: 5_000 })
    let lastCheckpoint = time.nowMs()
    while (!this.closed && this.tasks.size > 0) {
      let applied = 0
      try {
        applied = await this.updateAll()
        if (time.nowMs() - lastCheckpoint >= config.commitIntervalMs) {
          await this.serialized(() => this.checkpointAll())
          lastCheckpoint = time.nowMs()
        }
        backoff.succeeded()
      } catch (error) {
        const pauseMs = backoff.failed() ?? 5_000
        this.deps.onFailure?.(error, undefined, pauseMs)
        await this.pause(pauseMs)
        continue
      }
      if (applied === 0) await this.pause(IDLE_MS)
    }
    this.loop = undefined
  }

  /** One pass over the standbys, each updated on its own turn: a reassignment waits for one of them at most. */
  private async updateAll(): Promise<number> {
    let applied = 0
    for (const [id, task] of [...this.tasks]) {
      applied += await this.serialized(async () => {
        // Closed or replaced by a reassignment meanwhile.
        if (this.closed || this.tasks.get(id) !== task) return 0
        const reader = (this.reader ??= this.deps.openReader())
        const committed = await this.committedSources(task)
        return task.update(reader, {
          maxRecords: MAX_RECORDS_PER_PASS,
          ...(committed === undefined ? {} : { committedSource: (topic: string) => committed.get(topic) }),
        })
      })
    }
    return applied
  }

  private async checkpointAll(): Promise<void> {
    for (const task of this.tasks.values()) await task.checkpoint()
  }

  /** The group's committed offset of each source topic the task's stores reuse as changelogs; undefined without any. */
  private async committedSources(task: StandbyTask): Promise<Map<string, bigint> | undefined> {
    const topics = task.sourceChangelogTopics()
    if (topics.length === 0) return undefined
    const partition = task.spec.id.partition
    const committed = await this.deps.committed(topics.map((topic) => ({ topic, partition })))
    return new Map(committed.map((o) => [o.topic, o.offset]))
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.exclusive.then(work, work)
    this.exclusive = next.catch(() => undefined)
    return next
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.wake = done
    })
  }
}
