import { IllegalStateError, SerdeError } from '../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers, Record as StreamRecord } from '../core/record.js'
import type { TaskSource } from '../topology/processor-graph.js'
import { deadLetterRecord, headersOf } from './dead-letter.js'
import type { DeserializationExceptionHandler } from './exception-handlers.js'
import type { RawRecord, RecordWriter } from './types.js'
import { WATERMARK_HEADER, type WriterProgress } from './watermark-wire.js'

/** A buffered input record: deserialized, or `record` undefined when the handler skipped it. */
export interface QueuedRecord {
  readonly raw: RawRecord
  readonly offset: bigint
  /** The extracted event time: what the partition group orders by. */
  readonly timestamp: number
  readonly source: TaskSource
  readonly record: StreamRecord<unknown, unknown> | undefined
  /** Set for an upstream-watermark marker: not a record, only its writer's progress (see TaskWatermarks). */
  readonly marker?: WriterProgress
}

/**
 * Turns a task's raw input records into typed records with the source node's serdes and timestamp
 * extractor, and applies the deserialization exception handler to those that do not deserialize.
 */
export class InputDeserializer {
  constructor(
    private readonly taskId: string,
    /** Source of each input topic, by full topic name. */
    private readonly sources: ReadonlyMap<string, TaskSource>,
    private readonly handler: DeserializationExceptionHandler,
    private readonly writer: RecordWriter,
    private readonly onSkipped: (source: TaskSource) => void,
  ) {}

  /**
   * The queued form of `raw`; synchronous unless a serde answers with a promise. With the 'fail'
   * handler an undeserializable record throws a SerdeError; otherwise it is counted, possibly sent
   * to the dead-letter topic, and returned as skipped (its offset still has to be committed in turn).
   */
  deserialize(raw: RawRecord, partitionTimeMs: number): MaybePromise<QueuedRecord> {
    const source = this.sourceOf(raw)
    const headers = headersOf(raw.headers)
    // The writer's progress is the task's business, not the processors'.
    if (headers[WATERMARK_HEADER] !== undefined) delete headers[WATERMARK_HEADER]
    let key: MaybePromise<unknown>
    let value: MaybePromise<unknown>
    try {
      key = raw.key === null ? null : source.keySerde.deserialize(raw.key, { topic: raw.topic, isKey: true, headers })
      value = raw.value === null ? null : source.valueSerde.deserialize(raw.value, { topic: raw.topic, isKey: false, headers })
    } catch (error) {
      return this.undeserializable(source, raw, error)
    }
    if (isPromiseLike(key) || isPromiseLike(value)) {
      return Promise.all([key, value]).then(
        ([k, v]) => this.queued(source, raw, k, v, headers, partitionTimeMs),
        (error: unknown) => this.undeserializable(source, raw, error),
      )
    }
    return this.queued(source, raw, key, value, headers, partitionTimeMs)
  }

  /** The source node reading the record's topic. */
  sourceOf(raw: RawRecord): TaskSource {
    const source = this.sources.get(raw.topic)
    if (source === undefined) throw new IllegalStateError(`Task ${this.taskId} was given a record of ${raw.topic}-${raw.partition}, a topic it does not read.`)
    return source
  }

  private queued(source: TaskSource, raw: RawRecord, key: unknown, value: unknown, headers: Headers, partitionTimeMs: number): QueuedRecord {
    let record: StreamRecord<unknown, unknown> = { key, value, timestamp: raw.timestamp, headers }
    const extractor = source.node.timestampExtractor
    if (extractor !== undefined) record = { key, value, timestamp: extractor(record, partitionTimeMs), headers }
    return { raw, offset: raw.offset, timestamp: record.timestamp, source, record }
  }

  private undeserializable(source: TaskSource, raw: RawRecord, error: unknown): QueuedRecord {
    if (this.handler === 'fail') {
      const reason = error instanceof Error ? error.message : String(error)
      throw new SerdeError(
        `Could not deserialize the record at ${raw.topic}-${raw.partition}@${raw.offset} (task ${this.taskId}): ${reason} ` +
          `Fix the producer or the serde, or set deserializationExceptionHandler to 'continue' (skip and count) or { deadLetterTopic }.`,
        { cause: error },
      )
    }
    this.onSkipped(source)
    if (typeof this.handler === 'object') this.writer.send(deadLetterRecord(this.handler.deadLetterTopic, raw, error))
    return { raw, offset: raw.offset, timestamp: raw.timestamp, source, record: undefined }
  }
}
