import { IllegalStateError } from '../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers, RecordMetadata } from '../core/record.js'
import type { RawRecord } from '../core/topic-partition.js'
import type { Cancellable, DropReason } from '../processors/api.js'
import type { StateStore, StoreSupplierKind } from '../state/types.js'
import { ProcessorGraph, type TaskHost, type TaskSource } from '../topology/processor-graph.js'
import { buildStore } from '../topology/store-builder.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes, Subtopology } from '../topology/types.js'
import { deadLetterRecord } from './dead-letter.js'
import {
  isRecordProcessingFailure,
  processingFailure,
  type DeserializationExceptionHandler,
  type ProcessingExceptionHandler,
} from './exception-handlers.js'
import { InputDeserializer, type QueuedRecord } from './input-deserializer.js'
import type { RecordWriter } from './types.js'

/** The task id of the global stores, and the name of their directory under `<stateDir>/<applicationId>/`. */
export const GLOBAL_TASK_ID = 'global'

export interface GlobalTaskConfig {
  readonly topology: Topology
  readonly applicationId: string
  /** Where the persistent global stores keep their files. */
  readonly taskDir: string
  readonly storeSupplier: StoreSupplierKind
  readonly defaultSerdes: DefaultSerdes
  readonly deserializationExceptionHandler: DeserializationExceptionHandler
  readonly processingExceptionHandler: ProcessingExceptionHandler
  /** Where dead letters of global records go. */
  readonly writer: RecordWriter
  /** Default `Date.now`. */
  readonly wallClockMs?: () => number
}

/** Counters of the global stores since they were opened. */
export interface GlobalTaskMetrics {
  readonly processed: number
  readonly skipped: number
  readonly processingErrors: number
}

/**
 * The global sub-topologies of one instance as one task (Kafka Streams' GlobalStateUpdateTask):
 * every record of a global topic, whatever its partition, goes through the sub-topology's
 * processors into the global stores, deserialized with the source's serdes and both exception
 * handlers. It keeps no offsets: the runtime reads the topics and checkpoints its positions, the
 * test driver pipes records in.
 */
export class GlobalTask implements TaskHost {
  readonly applicationId: string
  readonly taskId = GLOBAL_TASK_ID
  readonly defaultSerdes: DefaultSerdes
  private readonly stores = new Map<string, StateStore>()
  private readonly graphs: ProcessorGraph[] = []
  private readonly storesByTopic = new Map<string, readonly string[]>()
  private readonly inputs: InputDeserializer
  private readonly wallClockMs: () => number
  private current: RawRecord | undefined
  private timestamp = 0
  private streamTime = -1
  private readonly counts = { processed: 0, skipped: 0, processingErrors: 0 }

  constructor(private readonly config: GlobalTaskConfig) {
    this.applicationId = config.applicationId
    this.defaultSerdes = config.defaultSerdes
    this.wallClockMs = config.wallClockMs ?? Date.now
    const sources = new Map<string, TaskSource>()
    for (const subtopology of globalSubtopologies(config.topology)) {
      const graph = new ProcessorGraph(config.topology, subtopology, this)
      this.graphs.push(graph)
      for (const relative of subtopology.sourceTopics) {
        const topic = config.topology.topicName(relative, config.applicationId)
        const source = graph.source(relative)
        if (source !== undefined) sources.set(topic, source)
        this.storesByTopic.set(topic, subtopology.stores)
      }
    }
    this.inputs = new InputDeserializer(GLOBAL_TASK_ID, sources, config.deserializationExceptionHandler, config.writer, () => {
      this.counts.skipped++
    })
  }

  /** True when the topology has global tables. */
  static needed(topology: Topology): boolean {
    return globalSubtopologies(topology).length > 0
  }

  /** The global topics (full names). */
  topics(): string[] {
    return [...this.storesByTopic.keys()]
  }

  /** The stores a global topic fills. */
  storesOf(topic: string): readonly string[] {
    return this.storesByTopic.get(topic) ?? []
  }

  /** Builds and opens the stores (again, after `closeStores`, e.g. once their files were wiped). */
  async openStores(): Promise<void> {
    for (const subtopology of globalSubtopologies(this.config.topology)) {
      for (const name of subtopology.stores) {
        const spec = this.config.topology.stores.get(name)
        if (spec === undefined) throw new IllegalStateError(`The topology names global store "${name}" but has no definition of it.`)
        const store = buildStore(spec, { storeSupplier: this.config.storeSupplier, defaultSerdes: this.defaultSerdes })
        // No changelog sink: the global topic itself is the changelog.
        await store.init({
          applicationId: this.applicationId,
          taskId: GLOBAL_TASK_ID,
          taskDir: this.config.taskDir,
          currentStreamTimeMs: () => this.streamTime,
          currentRecordTimestamp: () => this.timestamp,
        })
        this.stores.set(name, store)
      }
    }
  }

  /** Initializes the processors, once the stores are open (and filled up to where they were). */
  async initProcessors(): Promise<void> {
    for (const graph of this.graphs) await graph.init()
  }

  async closeProcessors(): Promise<void> {
    for (const graph of this.graphs) await graph.close()
  }

  async flush(): Promise<void> {
    for (const store of this.stores.values()) await store.flush()
  }

  async closeStores(): Promise<void> {
    for (const store of this.stores.values()) if (store.isOpen) await store.close()
    this.stores.clear()
  }

  /** A global store, if `name` is one. */
  store(name: string): StateStore | undefined {
    return this.stores.get(name)
  }

  metrics(): GlobalTaskMetrics {
    return { ...this.counts }
  }

  /**
   * Puts one record of a global topic through its processors. A record that does not deserialize,
   * or whose processing throws, goes to its exception handler. Synchronous unless an operator or
   * serde answers with a promise.
   */
  process(raw: RawRecord): MaybePromise<void> {
    const queued = this.inputs.deserialize(raw, this.streamTime)
    if (isPromiseLike(queued)) return queued.then((q) => this.processQueued(q))
    return this.processQueued(queued)
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

  /** A global table reads its topic as it is: no upstream watermarks. */
  watermarkMs(): undefined {
    return undefined
  }

  onWatermarkAdvanced(): void {}

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

  send(topic: string, _key: unknown, _value: unknown, _timestamp: number, _headers: Headers): MaybePromise<void> {
    throw new IllegalStateError(`A global sub-topology cannot write to topic "${topic}": it only fills global stores.`)
  }

  // Internals.

  private processQueued(item: QueuedRecord): MaybePromise<void> {
    const record = item.record
    if (record === undefined) return undefined
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
    if (typeof handler === 'object') this.config.writer.send(deadLetterRecord(handler.deadLetterTopic, item.raw, error))
  }
}

function globalSubtopologies(topology: Topology): Subtopology[] {
  return topology.subtopologies.filter((s) => s.global === true)
}
