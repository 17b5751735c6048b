import { IllegalStateError } from '../core/errors.js'
import { OffsetOutOfRangeError } from '../kafka/errors.js'
import type { KafkaReader } from '../kafka/types.js'
import type { StateStore, StoreSupplierKind } from '../state/types.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes } from '../topology/types.js'
import type { DeserializationExceptionHandler, ProcessingExceptionHandler } from '../engine/exception-handlers.js'
import { GLOBAL_TASK_ID, GlobalTask, type GlobalTaskMetrics } from '../engine/global-task.js'
import type { StateDirectory, TaskDirectoryLock } from '../engine/state-directory.js'
import type { RawRecord, RecordWriter, TopicPartitionOffset } from '../engine/types.js'

export { GLOBAL_TASK_ID }

export interface GlobalStateManagerConfig {
  readonly topology: Topology
  readonly applicationId: string
  readonly stateDirectory: StateDirectory
  /** Reads the global topics outside the group (read_committed under exactly_once_v2). */
  readonly reader: KafkaReader
  /** Partition count of each global topic. */
  readonly partitionCounts: ReadonlyMap<string, number>
  /** Where dead letters of global records go. */
  readonly collector: RecordWriter
  readonly storeSupplier: StoreSupplierKind
  readonly defaultSerdes: DefaultSerdes
  readonly deserializationExceptionHandler: DeserializationExceptionHandler
  readonly processingExceptionHandler: ProcessingExceptionHandler
  readonly wallClockMs?: () => number
  /** `update()` asks for the end offsets at most this often. Default 100. */
  readonly updateIntervalMs?: number
  /** Called once the stores are closed (e.g. to close a reader owned for them). */
  readonly onClose?: () => Promise<void>
}

/** Counters of the global stores since the instance started. */
export type GlobalStateMetrics = GlobalTaskMetrics

interface GlobalPartition {
  readonly topic: string
  readonly partition: number
  /** The next offset to read. */
  position: bigint
  /** The stores filled from the topic: its position is checkpointed only when they all outlive the process. */
  readonly stores: readonly string[]
}

/**
 * The global tables of one instance (Kafka Streams' GlobalStateManagerImpl and GlobalStreamThread):
 * every partition of every global topic is read, outside the consumer group, into stores kept
 * under `<stateDir>/<applicationId>/global/`. The topic is the changelog (no `-changelog` topic):
 * a checkpoint file there holds the next offset per partition, written on commit and clean close.
 *
 * `start()` opens the stores and reads each partition from its checkpoint (or its beginning) to the
 * end offset before any task runs; `update()` then reads what arrived since, from the main loop.
 * Records go through the engine's global task (a global table's source updates its store).
 */
export class GlobalStateManager {
  private readonly task: GlobalTask
  private readonly partitions: GlobalPartition[] = []
  private readonly wallClockMs: () => number
  private lock: TaskDirectoryLock | undefined
  private open = false
  private lastUpdate = Number.NEGATIVE_INFINITY

  constructor(private readonly config: GlobalStateManagerConfig) {
    this.wallClockMs = config.wallClockMs ?? Date.now
    this.task = new GlobalTask({
      topology: config.topology,
      applicationId: config.applicationId,
      taskDir: config.stateDirectory.taskDir(GLOBAL_TASK_ID),
      storeSupplier: config.storeSupplier,
      defaultSerdes: config.defaultSerdes,
      deserializationExceptionHandler: config.deserializationExceptionHandler,
      processingExceptionHandler: config.processingExceptionHandler,
      writer: config.collector,
      wallClockMs: this.wallClockMs,
    })
    for (const topic of this.task.topics()) {
      const count = config.partitionCounts.get(topic)
      if (count === undefined) throw new IllegalStateError(`No partition count for the global topic "${topic}".`)
      for (let partition = 0; partition < count; partition++) this.partitions.push({ topic, partition, position: 0n, stores: this.task.storesOf(topic) })
    }
  }

  /** True when the topology has global tables: without them the instance needs no global state. */
  static needed(topology: Topology): boolean {
    return GlobalTask.needed(topology)
  }

  /**
   * Locks the global directory, opens the stores and reads every global partition up to its end
   * offset. A checkpoint past the end of its partition (the topic was recreated) makes the local
   * copy meaningless: it is wiped and read again from the beginning.
   */
  async start(): Promise<void> {
    if (this.open || this.lock !== undefined) throw new IllegalStateError('The global stores are already started.')
    const directory = this.config.stateDirectory
    this.lock = directory.lock(GLOBAL_TASK_ID)
    try {
      const checkpoint = directory.readCheckpoint(GLOBAL_TASK_ID)
      await this.task.openStores()
      const ends = await this.endOffsets()
      let wipe = false
      this.partitions.forEach((p, i) => {
        const offset = this.persistent(p) ? checkpoint.find((c) => c.topic === p.topic && c.partition === p.partition)?.offset : undefined
        p.position = offset ?? 0n
        if (p.position > (ends[i] as bigint)) wipe = true
      })
      if (wipe) {
        await this.task.closeStores()
        directory.wipeTask(GLOBAL_TASK_ID)
        for (const p of this.partitions) p.position = 0n
        await this.task.openStores()
      }
      await this.task.initProcessors()
      this.open = true
      for (let i = 0; i < this.partitions.length; i++) await this.readUpTo(this.partitions[i] as GlobalPartition, ends[i] as bigint)
      await this.commit()
    } catch (error) {
      await this.close(false).catch(() => undefined)
      throw error
    }
  }

  /**
   * Reads what was written to the global topics since the last call (the main loop calls this
   * between batches); does nothing when called again within `updateIntervalMs`.
   */
  async update(wallClockMs = this.wallClockMs()): Promise<void> {
    if (!this.open || wallClockMs - this.lastUpdate < (this.config.updateIntervalMs ?? 100)) return
    this.lastUpdate = wallClockMs
    const ends = await this.endOffsets()
    for (let i = 0; i < this.partitions.length; i++) {
      const p = this.partitions[i] as GlobalPartition
      if ((ends[i] as bigint) > p.position) await this.readUpTo(p, ends[i] as bigint)
    }
  }

  /** Flushes the stores and writes the checkpoint of the positions their contents correspond to. */
  async commit(): Promise<void> {
    if (!this.open) return
    await this.task.flush()
    this.config.stateDirectory.writeCheckpoint(GLOBAL_TASK_ID, this.checkpoint())
  }

  /** Closes processors and stores; a clean close writes the checkpoint first. */
  async close(clean: boolean): Promise<void> {
    const wasOpen = this.open
    this.open = false
    try {
      if (wasOpen && clean) {
        await this.task.flush()
        this.config.stateDirectory.writeCheckpoint(GLOBAL_TASK_ID, this.checkpoint())
      }
      if (wasOpen) await this.task.closeProcessors()
      await this.task.closeStores()
    } finally {
      this.lock?.release()
      this.lock = undefined
      await this.config.onClose?.()
    }
  }

  /** A global store, if `name` is one (tasks look their stores up here after their own). */
  store(name: string): StateStore | undefined {
    return this.open ? this.task.store(name) : undefined
  }

  metrics(): GlobalStateMetrics {
    return this.task.metrics()
  }

  /** The next offset to read of every global partition. */
  positions(): TopicPartitionOffset[] {
    return this.partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.position }))
  }

  // Internals.

  private persistent(p: GlobalPartition): boolean {
    return p.stores.every((name) => this.task.store(name)?.persistent === true)
  }

  private endOffsets(): Promise<bigint[]> {
    return Promise.all(this.partitions.map((p) => this.config.reader.endOffset({ topic: p.topic, partition: p.partition })))
  }

  private async readUpTo(p: GlobalPartition, end: bigint): Promise<void> {
    const tp = { topic: p.topic, partition: p.partition }
    while (p.position < end) {
      try {
        p.position = await this.config.reader.readRange(tp, p.position, end, (records) => this.processBatch(p, records))
        return
      } catch (error) {
        if (!(error instanceof OffsetOutOfRangeError)) throw error
        // Records below the position were deleted: what is left starts at the log start.
        const start = await this.config.reader.startOffset(tp)
        if (start <= p.position) throw error
        p.position = start
      }
    }
  }

  private async processBatch(p: GlobalPartition, records: readonly RawRecord[]): Promise<void> {
    for (const raw of records) {
      if (raw.offset < p.position) continue
      const done = this.task.process(raw)
      if (done !== undefined) await done
      p.position = raw.offset + 1n
    }
  }

  private checkpoint(): TopicPartitionOffset[] {
    return this.partitions.filter((p) => this.persistent(p)).map((p) => ({ topic: p.topic, partition: p.partition, offset: p.position }))
  }
}
