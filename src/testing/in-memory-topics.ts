import { ConfigError } from '../core/errors.js'
import { partitionForKey } from '../core/partitioner.js'
import type { Headers } from '../core/record.js'
import type { CollectedRecord, RawHeader, RawRecord, RecordWriter } from '../engine/index.js'
import { OutputQueue } from './output-queue.js'

/** How the driver lays out a topic: its partition count, and whether an engine task reads it. */
export interface TopicLayout {
  readonly partitions: number
  /** True when a task (or the global task) reads the topic: what is written to it is processed. */
  readonly consumed: boolean
}

export interface InMemoryTopicsOptions {
  /** The layout of a topic, by full name. Asked once per topic. */
  readonly layoutOf: (topic: string) => TopicLayout
  /** Keep what is written to changelog topics readable (default true). */
  readonly captureChangelogs: boolean
  /** A record written to a consumed topic: the driver processes it in its turn. */
  readonly deliver: (record: RawRecord) => void
}

interface TopicState {
  readonly layout: TopicLayout
  /** The next offset of each partition. */
  readonly offsets: bigint[]
}

/**
 * The driver's topics, in memory: the engine tasks' record writer. Records get the partition Kafka's
 * default partitioner would give them (murmur2 of the key bytes; an explicit partition for changelog
 * writes) and the next offset of that partition; outputs stay readable by `createOutputTopic`, and
 * records of topics a task reads (repartition topics) are delivered back for processing.
 */
export class InMemoryTopics implements RecordWriter {
  private readonly topics = new Map<string, TopicState>()
  private readonly outputs = new Map<string, OutputQueue>()
  private readonly written = new Set<string>()

  constructor(private readonly options: InMemoryTopicsOptions) {}

  /**
   * A record piped by a test input topic: laid out like any other (or to `partition`), delivered,
   * not kept as output.
   */
  pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers, partition?: number): void {
    const state = this.stateOf(topic)
    if (partition !== undefined && (!Number.isInteger(partition) || partition < 0 || partition >= state.layout.partitions)) {
      throw new ConfigError(
        `Topic "${topic}" has ${state.layout.partitions} partition(s); cannot pipe to partition ${partition}. ` +
          `Give it more with driver.declareTopic('${topic}', { partitions }) before piping.`,
      )
    }
    this.options.deliver(this.rawRecord(state, topic, partition, key, value, timestamp, headers))
  }

  send(record: CollectedRecord): void {
    const state = this.stateOf(record.topic)
    const raw = this.rawRecord(state, record.topic, record.partition, record.key, record.value, record.timestamp, record.headers)
    // Changelog records are the ones written to an explicit partition.
    if (record.partition === undefined || this.options.captureChangelogs) {
      this.written.add(record.topic)
      this.outputOf(record.topic).push({ key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers })
    }
    if (state.layout.consumed) this.options.deliver(raw)
  }

  /** Every record is acknowledged as it is written: the last offset of the partition. */
  lastAckedOffset(topic: string, partition: number): bigint | undefined {
    const next = this.topics.get(topic)?.offsets[partition]
    return next === undefined || next === 0n ? undefined : next - 1n
  }

  /** What was written to `topic`, oldest first; readers take records off the front. */
  outputOf(topic: string): OutputQueue {
    let queue = this.outputs.get(topic)
    if (queue === undefined) this.outputs.set(topic, (queue = new OutputQueue()))
    return queue
  }

  /** Every topic something was written to. */
  writtenTopics(): Set<string> {
    return new Set(this.written)
  }

  private rawRecord(
    state: TopicState,
    topic: string,
    explicitPartition: number | undefined,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers,
  ): RawRecord {
    const count = state.layout.partitions
    const partition = explicitPartition ?? (key === null || count === 1 ? 0 : partitionForKey(key, count))
    const offset = state.offsets[partition] ?? 0n
    state.offsets[partition] = offset + 1n
    return { topic, partition, offset, key, value, timestamp, headers: Object.entries(headers) as RawHeader[] }
  }

  private stateOf(topic: string): TopicState {
    let state = this.topics.get(topic)
    if (state === undefined) {
      const layout = this.options.layoutOf(topic)
      state = { layout, offsets: new Array<bigint>(layout.partitions).fill(0n) }
      this.topics.set(topic, state)
    }
    return state
  }
}
