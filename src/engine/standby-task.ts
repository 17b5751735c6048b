import type { CacheBudget } from '../state/layers/cache-budget.js'
import { IllegalStateError } from '../core/errors.js'
import type { StoreSupplierKind } from '../state/types.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes } from '../topology/types.js'
import { ChangelogRestorer, ChangelogTruncatedError, type RestoreTarget } from './changelog-restorer.js'
import type { StateDirectory, TaskDirectoryLock } from './state-directory.js'
import { formatTaskId, type TaskSpec } from './task-id.js'
import { TaskStores } from './task-stores.js'
import type { ChangelogReader, RecordWriter, TopicPartition, TopicPartitionOffset } from './types.js'

export interface StandbyTaskConfig {
  readonly applicationId: string
  readonly stateDirectory: StateDirectory
  readonly storeSupplier: StoreSupplierKind
  readonly defaultSerdes: DefaultSerdes
  /** As `StreamTaskConfig.joinCacheMaxBytes` and `joinCache`: standby join stores count in the same budget. */
  readonly joinCacheMaxBytes?: number
  readonly joinCache?: CacheBudget
}

export interface StandbyUpdateOptions {
  /** Records read per changelog partition in one update at most, so that a rebalance never waits long for one. */
  readonly maxRecords: number
  /**
   * The group's committed offset of a source topic a table reuses as its changelog: the standby
   * reads no further, as restoration does (what lies past it is input yet to be processed).
   */
  readonly committedSource?: (topic: string) => bigint | undefined
}

/** Where a standby's copy of one changelog partition stands. */
export interface StandbyPosition extends TopicPartitionOffset {
  readonly storeName: string
}

/** Standby stores write nothing: they are filled from the changelogs, never by processors. */
const NO_WRITES: RecordWriter = {
  send() {
    throw new IllegalStateError('A standby task does not process records and cannot write to a changelog.')
  },
  lastAckedOffset: () => undefined,
}

/**
 * A standby replica of a task (Kafka Streams' StandbyTask): the task's stores, kept up to date by
 * applying their changelogs as they grow, without processing anything, so that the instance can
 * take the task over restoring only what it has not applied yet. It holds the task directory's
 * lock while open, like the active task it stands in for: the two never share an instance.
 *
 * The stores only ever hold records read from their changelogs (under exactly-once,
 * `read_committed`), so a checkpoint is trustworthy whichever way the task closes; one is written
 * by `checkpoint()` and by `close()`, and an active task created on the same directory afterwards
 * restores from it.
 *
 * Lifecycle: `initialize()` -> `update(reader)`, `checkpoint()` ... -> `close()`.
 */
export class StandbyTask {
  readonly taskId: string
  private readonly stores: TaskStores
  private lock: TaskDirectoryLock | undefined
  private state: 'created' | 'open' | 'closed' = 'created'
  /** The next changelog offset the stores hold everything below, per changelog partition read so far. */
  private positions = new Map<string, TopicPartitionOffset>()
  private lastCheckpoint = ''

  constructor(
    topology: Topology,
    readonly spec: TaskSpec,
    private readonly config: StandbyTaskConfig,
  ) {
    this.taskId = formatTaskId(spec.id)
    this.stores = new TaskStores(topology, spec.subtopology.stores, {
      applicationId: config.applicationId,
      taskId: this.taskId,
      partition: spec.id.partition,
      taskDir: config.stateDirectory.taskDir(this.taskId),
      storeSupplier: config.storeSupplier,
      defaultSerdes: config.defaultSerdes,
      ...(config.joinCacheMaxBytes === undefined ? {} : { joinCacheMaxBytes: config.joinCacheMaxBytes }),
      ...(config.joinCache === undefined ? {} : { joinCache: config.joinCache }),
      writer: NO_WRITES,
      currentStreamTimeMs: () => -1,
      currentRecordTimestamp: () => 0,
    })
  }

  /**
   * Locks the task directory and opens the stores from its checkpoint. Without one nothing says
   * what the stores hold (an active task that crashed may have left writes of an aborted
   * transaction, or writes its changelog never received), so they start empty.
   */
  async initialize(): Promise<void> {
    if (this.state !== 'created') throw new IllegalStateError(`Standby task ${this.taskId} was initialized already.`)
    const directory = this.config.stateDirectory
    this.lock = directory.lock(this.taskId)
    try {
      const checkpoint = directory.readCheckpoint(this.taskId)
      if (checkpoint.length === 0) directory.wipeTask(this.taskId)
      await this.stores.open()
      this.adopt(checkpoint)
      this.lastCheckpoint = serialize(checkpoint)
    } catch (error) {
      await this.stores.close(false).catch(() => undefined)
      this.release()
      throw error
    }
    this.state = 'open'
  }

  /** The changelog partitions this standby reads (a table's source topic included). */
  changelogPartitions(): TopicPartition[] {
    return this.stores.restoreTargets().map(({ topic, partition }) => ({ topic, partition }))
  }

  /** The source topics stores of this task reuse as changelogs (read up to the group's committed offset). */
  sourceChangelogTopics(): string[] {
    return this.stores.sourceChangelogTopics()
  }

  /** Where each changelog partition stands; a partition not read yet is absent. */
  positionsByStore(): StandbyPosition[] {
    return this.stores.restoreTargets().flatMap(({ storeName, topic, partition }) => {
      const at = this.positions.get(`${topic}\u0000${partition}`)
      return at === undefined ? [] : [{ storeName, ...at }]
    })
  }

  /**
   * Applies what the changelogs hold past the stores' positions, up to `maxRecords` per
   * partition; resolves with the number of records applied. A position outside its changelog
   * (the topic was deleted and created again, or retention removed what the standby had not read
   * yet) makes the local copy meaningless: it is wiped and read again from the start.
   */
  async update(reader: ChangelogReader, options: StandbyUpdateOptions): Promise<number> {
    if (this.state !== 'open') throw new IllegalStateError(`Standby task ${this.taskId} is ${this.state}; it cannot be updated.`)
    const targets: RestoreTarget[] = []
    const from: TopicPartitionOffset[] = []
    for (const target of this.stores.restoreTargets(options.committedSource)) {
      const known = this.positions.get(`${target.topic}\u0000${target.partition}`)?.offset
      if (known !== undefined) {
        // Caught up (the usual case between writes): one request, and the restorer is not asked.
        // A position past the log's end is left to the restorer, which finds the changelog truncated.
        const logEnd = await reader.endOffset(target.topic, target.partition)
        if (known <= logEnd && known >= (target.endOffset !== undefined && target.endOffset < logEnd ? target.endOffset : logEnd)) continue
      }
      const at = known ?? (await reader.startOffset(target.topic, target.partition))
      const cap = at + BigInt(options.maxRecords)
      targets.push({ ...target, endOffset: target.endOffset !== undefined && target.endOffset < cap ? target.endOffset : cap })
      from.push({ topic: target.topic, partition: target.partition, offset: at })
    }
    if (targets.length === 0) return 0
    const applied = new Map<string, number>()
    try {
      const restorer = new ChangelogRestorer(reader, { onProgress: (p) => applied.set(`${p.storeName}\u0000${p.topic}`, p.restored) })
      this.adopt(await restorer.restore(targets, from))
    } catch (error) {
      if (!(error instanceof ChangelogTruncatedError)) throw error
      await this.stores.close(false)
      this.config.stateDirectory.wipeTask(this.taskId)
      this.positions.clear()
      this.lastCheckpoint = ''
      await this.stores.open()
      return 0
    }
    let total = 0
    for (const count of applied.values()) total += count
    return total
  }

  /**
   * Flushes the stores and writes the checkpoint if the positions moved since the last one. The
   * stores hold nothing but what was read, so it is valid under either processing guarantee.
   */
  async checkpoint(): Promise<void> {
    if (this.state !== 'open') return
    await this.stores.flush()
    const offsets = this.stores.checkpoint(() => undefined)
    const serialized = serialize(offsets)
    if (serialized === this.lastCheckpoint) return
    this.config.stateDirectory.writeCheckpoint(this.taskId, offsets)
    this.lastCheckpoint = serialized
  }

  /** What the stores hold, for the group's leader: the sum of the checkpointable positions. */
  offsetSum(): number {
    let sum = 0
    for (const o of this.stores.checkpoint(() => undefined)) sum += Number(o.offset)
    return sum
  }

  /**
   * Closes the stores and releases the directory. A clean close checkpoints first, so that an
   * active task taking over (a promotion) restores only what the standby had not applied; a dirty
   * one (after a failure) leaves the last checkpoint, which the stores hold at least.
   */
  async close(clean: boolean): Promise<void> {
    if (this.state === 'closed') return
    const wasOpen = this.state === 'open'
    try {
      if (clean && wasOpen) await this.checkpoint()
    } finally {
      this.state = 'closed'
      try {
        await this.stores.close(clean)
      } finally {
        this.release()
      }
    }
  }

  private adopt(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) this.positions.set(`${o.topic}\u0000${o.partition}`, o)
    this.stores.restored(offsets)
  }

  private release(): void {
    this.lock?.release()
    this.lock = undefined
  }
}

function serialize(offsets: readonly TopicPartitionOffset[]): string {
  return offsets.map((o) => `${o.topic} ${o.partition} ${o.offset}`).join('\n')
}
