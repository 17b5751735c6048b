import { isTributaryError, ProcessingError } from '../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers, Record as StreamRecord, RecordMetadata } from '../core/record.js'
import type { Cancellable, DropReason, PunctuationType, Punctuator } from '../processors/api.js'
import type { StateStore, StoreSupplierKind } from '../state/types.js'
import { PunctuationSchedules } from '../processors/punctuation-schedules.js'
import { ProcessorGraph, type TaskSource } from '../topology/processor-graph.js'
import { buildStore } from '../topology/store-builder.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes, StoreSpec, Subtopology } from '../topology/types.js'

/** What a task needs from the driver that owns it. */
export interface TaskEnvironment {
  readonly applicationId: string
  readonly stateDir: string
  readonly storeSupplier: StoreSupplierKind
  readonly defaultSerdes: DefaultSerdes
  wallClockMs(): number
  recordDropped(nodeName: string, reason: DropReason): void
  /** A store's changelog record. */
  changelog(topic: string, key: Buffer, value: Buffer | null, timestamp: number): void
  /** A global table's store (one per driver, shared by every task), if `name` is one. */
  globalStore(name: string): StateStore | undefined
  /** A punctuation threw: rethrows to stop, or returns to skip it (the processing exception handler). */
  punctuationFailed?(error: unknown): void
  /** Output of a sink, to the full topic name. */
  produce(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void
}


/**
 * One task of the test driver: one sub-topology at one partition, with its own processors, stores,
 * stream time and punctuation schedules, as a Kafka Streams task.
 */
export class TestTask {
  readonly id: string
  private readonly stores = new Map<string, StateStore>()
  private readonly graph: ProcessorGraph
  private readonly schedules = new PunctuationSchedules()
  private streamTime = Number.NEGATIVE_INFINITY
  private topic: string | undefined
  private partitionOfRecord = 0
  private offset = 0
  private timestamp = 0

  constructor(
    private readonly topology: Topology,
    readonly subtopology: Subtopology,
    readonly partition: number,
    private readonly env: TaskEnvironment,
  ) {
    this.id = `${subtopology.id}_${partition}`
    this.graph = new ProcessorGraph(topology, subtopology, {
      applicationId: env.applicationId,
      taskId: this.id,
      defaultSerdes: env.defaultSerdes,
      stateStore: (name) => this.store(name),
      currentStreamTimeMs: () => this.currentStreamTimeMs(),
      currentSystemTimeMs: () => env.wallClockMs(),
      recordMetadata: () => this.recordMetadata(),
      schedule: (intervalMs, type, punctuator) => this.schedule(intervalMs, type, punctuator),
      recordDropped: (node, reason) => env.recordDropped(node, reason),
      send: (topic, key, value, timestamp, headers) => env.produce(topic, key, value, timestamp, headers),
    })
  }

  async init(): Promise<void> {
    for (const name of this.subtopology.stores) {
      const spec = this.topology.stores.get(name) as StoreSpec
      const store = buildStore(spec, this.env)
      const changelogTopic = spec.changelogIsInternal && spec.changelogTopic !== undefined ? `${this.env.applicationId}-${spec.changelogTopic}` : undefined
      await store.init({
        applicationId: this.env.applicationId,
        taskId: this.id,
        taskDir: `${this.env.stateDir}/${this.env.applicationId}/${this.id}`,
        ...(changelogTopic === undefined || !spec.definition.loggingEnabled
          ? {}
          : { changelog: { topic: changelogTopic, send: (key, value, timestamp) => this.env.changelog(changelogTopic, key, value, timestamp) } }),
        currentStreamTimeMs: () => this.currentStreamTimeMs(),
        currentRecordTimestamp: () => this.timestamp,
      })
      this.stores.set(name, store)
    }
    await this.graph.init()
  }

  source(topic: string): TaskSource | undefined {
    return this.graph.source(topic)
  }

  store(name: string): StateStore {
    const store = this.stores.get(name) ?? this.env.globalStore(name)
    if (store === undefined) throw new ProcessingError(`Task ${this.id} has no state store "${name}".`)
    return store
  }

  hasStore(name: string): boolean {
    return this.stores.has(name)
  }

  currentStreamTimeMs(): number {
    return this.streamTime === Number.NEGATIVE_INFINITY ? -1 : this.streamTime
  }

  /**
   * Processes one deserialized record to completion, then runs due stream-time punctuations. Stays
   * synchronous (no promise) when every operator on the way answers synchronously.
   */
  process(source: TaskSource, record: StreamRecord<unknown, unknown>, topic: string, partition: number, offset: number): MaybePromise<void> {
    if (record.timestamp > this.streamTime) this.streamTime = record.timestamp
    this.topic = topic
    this.partitionOfRecord = partition
    this.offset = offset
    this.timestamp = record.timestamp
    let done: MaybePromise<void>
    try {
      done = source.process(record)
    } catch (error) {
      this.topic = undefined
      throw wrapProcessingError(error, `record ${topic}-${partition}@${offset}`)
    }
    if (isPromiseLike(done)) {
      return done.then(
        () => this.afterRecord(),
        (error: unknown) => {
          this.topic = undefined
          throw wrapProcessingError(error, `record ${topic}-${partition}@${offset}`)
        },
      )
    }
    return this.afterRecord()
  }

  private afterRecord(): MaybePromise<void> {
    this.topic = undefined
    return this.schedules.hasStreamTime && this.schedules.anyDue('stream-time', this.streamTime) ? this.punctuate('stream-time', this.streamTime) : undefined
  }

  private recordMetadata(): RecordMetadata | undefined {
    // Built on demand: most operators never ask, so no object per record.
    return this.topic === undefined ? undefined : { topic: this.topic, partition: this.partitionOfRecord, offset: BigInt(this.offset) }
  }

  async punctuate(type: PunctuationType, now: number): Promise<void> {
    for (const punctuator of this.schedules.takeDue(type, now)) {
      this.timestamp = now
      try {
        const done = punctuator(now)
        if (isPromiseLike(done)) await done
      } catch (error) {
        const failure = wrapProcessingError(error, `a ${type} punctuation at ${now}`)
        if (this.env.punctuationFailed === undefined) throw failure
        this.env.punctuationFailed(failure)
      }
    }
  }

  async flush(): Promise<void> {
    for (const store of this.stores.values()) await store.flush()
  }

  async close(): Promise<void> {
    await this.graph.close()
    for (const store of this.stores.values()) {
      if (store.isOpen) {
        await store.flush()
        await store.close()
      }
    }
  }

  private schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return this.schedules.add(intervalMs, type, punctuator, this.env.wallClockMs())
  }
}

function wrapProcessingError(error: unknown, what: string): unknown {
  if (isTributaryError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  return new ProcessingError(`Processing ${what} failed: ${message}`, { cause: error })
}
