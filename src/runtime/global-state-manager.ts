import { IllegalStateError } from '../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers, RecordMetadata } from '../core/record.js'
import { OffsetOutOfRangeError } from '../kafka/errors.js'
import type { KafkaReader } from '../kafka/types.js'
import type { Cancellable, DropReason } from '../processors/api.js'
import type { StateStore, StoreSupplierKind } from '../state/types.js'
import { ProcessorGraph, type TaskHost, type TaskSource } from '../topology/processor-graph.js'
import { buildStore } from '../topology/store-builder.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes, Subtopology } from '../topology/types.js'
import { deadLetterRecord } from '../engine/dead-letter.js'
import { isRecordProcessingFailure, processingFailure, type ProcessingExceptionHandler } from '../engine/exception-handlers.js'
import { InputDeserializer, type QueuedRecord } from '../engine/input-deserializer.js'
import type { StateDirectory, TaskDirectoryLock } from '../engine/state-directory.js'
import type { DeserializationExceptionHandler, RawRecord, RecordCollector, TopicPartitionOffset } from '../engine/types.js'

/** The directory (under `<stateDir>/<applicationId>/`) and the task id of the global stores. */
export const GLOBAL_TASK_ID = 'global'

export interface GlobalStateManagerConfig {
  readonly topology: Topology
  readonly applicationId: string
  readonly stateDirectory: StateDirectory
  /** Reads the global topics outside the group (read_committed under exactly_once_v2). */
  readonly reader: KafkaReader
  /** Partition count of each global topic. */
  readonly partitionCounts: ReadonlyMap<string, number>
  /** Where dead letters of global records go. */
  readonly collector: RecordCollector
  readonly storeSupplier: StoreSupplierKind
  readonly defaultSerdes: DefaultSerdes
  readonly deserializationExceptionHandler: DeserializationExceptionHandler
  readonly processingExceptionHandler: ProcessingExceptionHandler
  /** The earliest offset still in a partition, to continue from when records below a position were deleted. */
  readonly logStartOffset: (topic: string, partition: number) => Promise<bigint>
  readonly wallClockMs?: () => number
  /** `update()` asks for the end offsets at most this often. Default 100. */
  readonly updateIntervalMs?: number
  /** Called once the stores are closed (e.g. to close a reader owned for them). */
  readonly onClose?: () => Promise<void>
}

/** Counters of the global stores since the instance started. */
export interface GlobalStateMetrics {
  readonly processed: number
  readonly skipped: number
  readonly processingErrors: number
}

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
 * Records go through the global sub-topology's processors (a global table's source updates its
 * store), deserialized with the source's serdes and the deserialization exception handler.
 */
export class GlobalStateManager implements TaskHost {
  readonly applicationId: string
  readonly taskId = GLOBAL_TASK_ID
  readonly defaultSerdes: DefaultSerdes
  private readonly stores = new Map<string, StateStore>()
  private readonly graphs: ProcessorGraph[] = []
  private readonly partitions: GlobalPartition[] = []
  private readonly inputs: InputDeserializer
  private readonly wallClockMs: () => number
  private lock: TaskDirectoryLock | undefined
  private current: RawRecord | undefined
  private timestamp = 0
  private streamTime = -1
  private counts = { processed: 0, skipped: 0, processingErrors: 0 }
  private open = false
  private lastUpdate = Number.NEGATIVE_INFINITY

  constructor(private readonly config: GlobalStateManagerConfig) {
    this.applicationId = config.applicationId
    this.defaultSerdes = config.defaultSerdes
    this.wallClockMs = config.wallClockMs ?? Date.now
    const sources = new Map<string, TaskSource>()
    for (const subtopology of globalSubtopologies(config.topology)) {
      const graph = new ProcessorGraph(config.topology, subtopology, this)
      this.graphs.push(graph)
      for (const relative of subtopology.sourceTopics) {
        const source = graph.source(relative)
        const topic = config.topology.topicName(relative, config.applicationId)
        if (source !== undefined) sources.set(topic, source)
        const count = config.partitionCounts.get(topic)
        if (count === undefined) throw new IllegalStateError(`No partition count for the global topic "${topic}".`)
        for (let partition = 0; partition < count; partition++) this.partitions.push({ topic, partition, position: 0n, stores: subtopology.stores })
      }
    }
    this.inputs = new InputDeserializer(GLOBAL_TASK_ID, sources, config.deserializationExceptionHandler, config.collector, () => {
      this.counts.skipped++
    })
  }

  /** True when the topology has global tables: without them the instance needs no global state. */
  static needed(topology: Topology): boolean {
    return globalSubtopologies(topology).length > 0
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
      await this.openStores()
      const ends = await this.endOffsets()
      let wipe = false
      this.partitions.forEach((p, i) => {
        const offset = this.persistent(p) ? checkpoint.find((c) => c.topic === p.topic && c.partition === p.partition)?.offset : undefined
        p.position = offset ?? 0n
        if (p.position > (ends[i] as bigint)) wipe = true
      })
      if (wipe) {
        await this.closeStores()
        directory.wipeTask(GLOBAL_TASK_ID)
        for (const p of this.partitions) p.position = 0n
        await this.openStores()
      }
      for (const graph of this.graphs) await graph.init()
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
    for (const store of this.stores.values()) await store.flush()
    this.config.stateDirectory.writeCheckpoint(GLOBAL_TASK_ID, this.checkpoint())
  }

  /** Closes processors and stores; a clean close writes the checkpoint first. */
  async close(clean: boolean): Promise<void> {
    const wasOpen = this.open
    this.open = false
    try {
      if (wasOpen && clean) {
        for (const store of this.stores.values()) await store.flush()
        this.config.stateDirectory.writeCheckpoint(GLOBAL_TASK_ID, this.checkpoint())
      }
      if (wasOpen) for (const graph of this.graphs) await graph.close()
      await this.closeStores()
    } finally {
      this.lock?.release()
      this.lock = undefined
      await this.config.onClose?.()
    }
  }

  /** A global store, if `name` is one (tasks look their stores up here after their own). */
  store(name: string): StateStore | undefined {
    return this.open ? this.stores.get(name) : undefined
  }

  metrics(): GlobalStateMetrics {
    return { ...this.counts }
  }

  /** The next offset to read of every global partition. */
  positions(): TopicPartitionOffset[] {
    return this.partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.position }))
  }

  // TaskHost: what the global processors see.

  stateStore(name: string): StateStore {
    const store = this.stores.get(name)
    if (store === undefined) throw new IllegalStateError(`A global processor asked for store "${name}", which is not a global store.`)
    return store
  }

  currentStreamTimeMs(): number {
    return this.streamTime
  }

  currentSystemTimeMs(): number {
    return this.wallClockMs()
  }

  recordMetadata(): RecordMetadata | undefined {
    const raw = this.current
    return raw === undefined ? undefined : { topic: raw.topic, partition: raw.partition, offset: raw.offset }
  }

  schedule(): Cancellable {
    throw new IllegalStateError('Global processors cannot schedule punctuations (as in Kafka Streams): they only keep global stores up to date.')
  }

  recordDropped(_nodeName: string, _reason: DropReason): void {
    this.counts.skipped++
  }

  send(topic: string, _key: Buffer | null, _value: Buffer | null, _timestamp: number, _headers: Headers): MaybePromise<void> {
    throw new IllegalStateError(`A global sub-topology cannot write to topic "${topic}": it only fills global stores.`)
  }

  // Internals.

  private async closeStores(): Promise<void> {
    for (const store of this.stores.values()) if (store.isOpen) await store.close()
    this.stores.clear()
  }

  private persistent(p: GlobalPartition): boolean {
    return p.stores.every((name) => this.stores.get(name)?.persistent === true)
  }

  private async openStores(): Promise<void> {
    const taskDir = this.config.stateDirectory.taskDir(GLOBAL_TASK_ID)
    for (const subtopology of globalSubtopologies(this.config.topology)) {
      for (const name of subtopology.stores) {
        const spec = this.config.topology.stores.get(name)
        if (spec === undefined) throw new IllegalStateError(`The topology names global store "${name}" but has no definition of it.`)
        const store = buildStore(spec, { storeSupplier: this.config.storeSupplier, defaultSerdes: this.defaultSerdes })
        // No changelog sink: the global topic itself is the changelog.
        await store.init({
          applicationId: this.applicationId,
          taskId: GLOBAL_TASK_ID,
          taskDir,
          currentStreamTimeMs: () => this.streamTime,
          currentRecordTimestamp: () => this.timestamp,
        })
        this.stores.set(name, store)
      }
    }
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
        const start = await this.config.logStartOffset(p.topic, p.partition)
        if (start <= p.position) throw error
        p.position = start
      }
    }
  }

  private async processBatch(p: GlobalPartition, records: readonly RawRecord[]): Promise<void> {
    for (const raw of records) {
      if (raw.offset < p.position) continue
      let queued = this.inputs.deserialize(raw, this.streamTime)
      if (isPromiseLike(queued)) queued = await queued
      if (queued.record !== undefined) {
        const done = this.process(queued)
        if (isPromiseLike(done)) await done
      }
      p.position = raw.offset + 1n
    }
  }

  private process(item: QueuedRecord): MaybePromise<void> {
    const record = item.record as NonNullable<QueuedRecord['record']>
    if (item.timestamp > this.streamTime) this.streamTime = item.timestamp
    this.current = item.raw
    this.timestamp = item.timestamp
    let done: MaybePromise<void>
    try {
      done = item.source.process(record)
    } catch (error) {
      return this.failed(item, error)
    }
    if (isPromiseLike(done)) return done.then(() => this.processed(), (error: unknown) => this.failed(item, error))
    return this.processed()
  }

  private processed(): void {
    this.current = undefined
    this.counts.processed++
  }

  private failed(item: QueuedRecord, error: unknown): void {
    this.current = undefined
    const handler = this.config.processingExceptionHandler
    if (handler === 'fail' || !isRecordProcessingFailure(error)) {
      throw processingFailure(error, `Updating a global store with the record at ${item.raw.topic}-${item.raw.partition}@${item.raw.offset}`)
    }
    this.counts.processingErrors++
    if (typeof handler === 'object') this.config.collector.send(deadLetterRecord(handler.deadLetterTopic, item.raw, error))
  }

  private checkpoint(): TopicPartitionOffset[] {
    return this.partitions.filter((p) => this.persistent(p)).map((p) => ({ topic: p.topic, partition: p.partition, offset: p.position }))
  }
}

function globalSubtopologies(topology: Topology): Subtopology[] {
  return topology.subtopologies.filter((s) => s.global === true)
}
