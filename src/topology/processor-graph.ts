import { IllegalStateError } from '../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers, Record as StreamRecord, RecordMetadata } from '../core/record.js'
import type { Cancellable, DropReason, InternalProcessorContext, Processor, PunctuationType, Punctuator } from '../processors/api.js'
import type { Serde } from '../serde/serde.js'
import type { StateStore } from '../state/types.js'
import type { Topology } from './topology.js'
import { resolveSerde, type DefaultSerdes, type SinkNode, type SourceNode, type Subtopology } from './types.js'

/** What a task (in the Kafka runtime or the test driver) provides to the processors it runs. */
export interface TaskHost {
  readonly applicationId: string
  readonly taskId: string
  readonly defaultSerdes: DefaultSerdes
  stateStore(name: string): StateStore
  /** A global store of the instance (`addGlobalStore`, a global table's), if `name` is one. */
  globalStore?(name: string): StateStore | undefined
  currentStreamTimeMs(): number
  /** The task's event time under upstream watermarks; undefined when they are off. */
  watermarkMs(): number | undefined
  /** Under upstream watermarks, called each time the task's event time advances; never otherwise. */
  onWatermarkAdvanced(listener: (eventTimeMs: number) => MaybePromise<void>): void
  currentSystemTimeMs(): number
  /** See `InternalProcessorContext.emitIntervalMsKstreamsWindowedAggregation`; absent: the default. */
  readonly emitIntervalMsKstreamsWindowedAggregation?: number
  recordMetadata(): RecordMetadata | undefined
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable
  recordDropped(nodeName: string, reason: DropReason): void
  /**
   * A sink's output to the full topic name, with the sink's serdes: the task's record collector
   * serializes it and applies the production exception handler (as Kafka's SinkNode hands records
   * to RecordCollector.send).
   */
  send(topic: string, key: unknown, value: unknown, timestamp: number, headers: Headers, keySerde: Serde<unknown>, valueSerde: Serde<unknown>): MaybePromise<void>
}

type Entry = (record: StreamRecord<unknown, unknown>) => MaybePromise<void>

/** A source node of a task, with its serdes resolved; `process` takes the deserialized record. */
export interface TaskSource {
  readonly node: SourceNode
  readonly keySerde: Serde<unknown>
  readonly valueSerde: Serde<unknown>
  process(record: StreamRecord<unknown, unknown>): MaybePromise<void>
}

/**
 * One sub-topology instantiated for one task: fresh processors wired to each other by plain
 * function calls, so a record crosses the graph without dispatch tables or per-record promises.
 */
export class ProcessorGraph {
  private readonly processors: Processor[] = []
  private readonly contexts: NodeContext[] = []
  private readonly sources = new Map<string, TaskSource>()

  constructor(topology: Topology, subtopology: Subtopology, host: TaskHost) {
    const entries = new Map<string, Entry>()
    const entryOf = (name: string): Entry => {
      const known = entries.get(name)
      if (known !== undefined) return known
      const node = topology.node(name)
      let entry: Entry
      if (node.type === 'sink') {
        entry = sinkEntry(topology, node, host)
      } else if (node.type === 'processor') {
        const processor = node.supplier()
        const context = new NodeContext(node.name, node.stores, host)
        this.processors.push(processor)
        this.contexts.push(context)
        // Registered before wiring children so that cycles (not allowed, but defensive) terminate.
        entry = (record) => processor.process(record)
        entries.set(name, entry)
        context.wire(node.children.map((child) => [child, entryOf(child)]))
        return entry
      } else {
        const forward = new NodeContext(node.name, [], host)
        forward.wire(node.children.map((child) => [child, entryOf(child)]))
        entry = (record) => forward.forward(record)
      }
      entries.set(name, entry)
      return entry
    }
    for (const name of subtopology.nodes) {
      const node = topology.node(name)
      if (node.type !== 'source') continue
      const process = entryOf(name)
      const keySerde = resolveSerde(node.keySerde, host.defaultSerdes)
      const valueSerde = resolveSerde(node.valueSerde, host.defaultSerdes)
      for (const topic of node.topics) this.sources.set(topic, { node, keySerde, valueSerde, process })
    }
    for (const name of subtopology.nodes) entryOf(name)
  }

  /** The source reading `topic` (relative name for internal topics). */
  source(topic: string): TaskSource | undefined {
    return this.sources.get(topic)
  }

  async init(): Promise<void> {
    for (let i = 0; i < this.processors.length; i++) {
      const processor = this.processors[i] as Processor
      if (processor.init !== undefined) await processor.init(this.contexts[i] as NodeContext)
    }
  }

  async close(): Promise<void> {
    for (const processor of this.processors) if (processor.close !== undefined) await processor.close()
  }
}

class NodeContext implements InternalProcessorContext {
  private children: Entry[] = []
  private readonly byName = new Map<string, Entry>()
  readonly applicationId: string
  readonly taskId: string
  readonly emitIntervalMsKstreamsWindowedAggregation: number | undefined

  constructor(
    private readonly nodeName: string,
    private readonly stores: readonly string[],
    private readonly host: TaskHost,
  ) {
    this.applicationId = host.applicationId
    this.taskId = host.taskId
    this.emitIntervalMsKstreamsWindowedAggregation = host.emitIntervalMsKstreamsWindowedAggregation
  }

  wire(children: [string, Entry][]): void {
    this.children = children.map(([, entry]) => entry)
    for (const [name, entry] of children) this.byName.set(name, entry)
  }

  forward(record: StreamRecord<unknown, unknown>, childName?: string): MaybePromise<void> {
    if (childName !== undefined) {
      const child = this.byName.get(childName)
      if (child === undefined) {
        throw new IllegalStateError(`Processor "${this.nodeName}" forwarded to "${childName}", which is not one of its children (${[...this.byName.keys()].join(', ') || 'none'}).`)
      }
      return child(record)
    }
    const children = this.children
    if (children.length === 1) return (children[0] as Entry)(record)
    return forwardFrom(children, record, 0)
  }

  getStateStore<S extends StateStore>(name: string): S {
    if (!this.stores.includes(name)) {
      // As Kafka's ProcessorContextImpl: every processor may read a global store, unconnected.
      const global = this.host.globalStore?.(name)
      if (global !== undefined) return readOnlyGlobalStore(global, name) as S
      throw new IllegalStateError(
        `Processor "${this.nodeName}" asked for state store "${name}" but is not connected to it. ` +
          `Connect it with stream.process(supplier, { stores: ['${name}'] }).`,
      )
    }
    return this.host.stateStore(name) as S
  }

  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return this.host.schedule(intervalMs, type, punctuator)
  }

  recordMetadata(): RecordMetadata | undefined {
    return this.host.recordMetadata()
  }

  currentStreamTimeMs(): number {
    return this.host.currentStreamTimeMs()
  }

  watermarkMs(): number | undefined {
    return this.host.watermarkMs()
  }

  onWatermarkAdvanced(listener: (eventTimeMs: number) => MaybePromise<void>): void {
    this.host.onWatermarkAdvanced(listener)
  }

  currentSystemTimeMs(): number {
    return this.host.currentSystemTimeMs()
  }

  recordDropped(reason: DropReason): void {
    this.host.recordDropped(this.nodeName, reason)
  }
}

function forwardFrom(children: Entry[], record: StreamRecord<unknown, unknown>, from: number): MaybePromise<void> {
  for (let i = from; i < children.length; i++) {
    const sent = (children[i] as Entry)(record)
    if (isPromiseLike(sent)) return sent.then(() => forwardFrom(children, record, i + 1))
  }
  return undefined
}

function sinkEntry(topology: Topology, node: SinkNode, host: TaskHost): Entry {
  const keySerde = resolveSerde(node.keySerde, host.defaultSerdes)
  const valueSerde = resolveSerde(node.valueSerde, host.defaultSerdes)
  const staticTopic = typeof node.topic === 'string' ? topology.topicName(node.topic, host.applicationId) : undefined
  const extractor = typeof node.topic === 'string' ? undefined : node.topic
  return (record) => {
    const topic =
      staticTopic ??
      (extractor as NonNullable<typeof extractor>)(record.key, record.value, {
        timestamp: record.timestamp,
        headers: record.headers,
        metadata: host.recordMetadata(),
      })
    return host.send(topic, record.key, record.value, record.timestamp, record.headers, keySerde, valueSerde)
  }
}

const WRITES = new Set(['put', 'putAll', 'putIfAbsent', 'delete', 'remove'])

/**
 * A global store as a stream task's processor sees it: readable, but a write throws, as Kafka's
 * read-only wrapper of global stores does. Only the global store's own processor fills it.
 */
function readOnlyGlobalStore(store: StateStore, name: string): StateStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (typeof property === 'string' && WRITES.has(property)) {
        return () => {
          throw new IllegalStateError(`Global store "${name}" is read-only here: only the processor given to addGlobalStore (or its global table) writes it.`)
        }
      }
      const value: unknown = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}
