/**
 * The Processor API: what every operator compiles down to and what `stream.process()` accepts.
 *
 * @example
 * const dedupe = (): Processor<string, Ride> => {
 *   let seen!: KeyValueStore<string, number>
 *   let ctx!: ProcessorContext<string, Ride>
 *   return {
 *     init(c) { ctx = c; seen = c.getStateStore('seen') },
 *     async process(r) {
 *       if ((await seen.get(r.key)) !== undefined) return
 *       await seen.put(r.key, r.timestamp)
 *       return ctx.forward(r)
 *     },
 *   }
 * }
 */
import type { MaybePromise } from '../core/maybe-promise.js'
import type { Record as StreamRecord, RecordMetadata } from '../core/record.js'
import type { StateStore } from '../state/types.js'

/** Stream time advances with record timestamps; wall-clock time with the system (or test driver) clock. */
export type PunctuationType = 'stream-time' | 'wall-clock'

/** Called with the stream time or wall-clock time at which it fires. */
export type Punctuator = (timestampMs: number) => MaybePromise<void>

export interface Cancellable {
  cancel(): void
}

/** Why an operator dropped a record; each reason is counted by the task. */
export type DropReason = 'null-key' | 'null-value' | 'late' | 'deserialization'

/** What a processor sees of the task that runs it. */
export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string
  /** `<subtopology>_<partition>`, like Kafka Streams' task ids. */
  readonly taskId: string
  /**
   * Sends a record to every child of this node, or only to `childName`. Returns a promise only
   * when a downstream operator had to wait (e.g. a RocksDB read that missed the cache).
   */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): MaybePromise<void>
  /** A store this processor was connected to (by the DSL, or by `process(..., { stores })`). */
  getStateStore<S extends StateStore>(name: string): S
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable
  /** Topic, partition and offset of the record being processed; undefined inside a wall-clock punctuation. */
  recordMetadata(): RecordMetadata | undefined
  /** The largest record timestamp this task has seen. */
  currentStreamTimeMs(): number
  /**
   * Under upstream watermarks (`KafkaStreamsConfig.watermarks: 'upstream'`): the task's event time,
   * the minimum over its inputs, by which windows close, suppressed results are released and
   * lateness is judged (-Infinity before every input has one). Undefined when watermarks are off:
   * operators then use the stream time they observe, as in Kafka Streams.
   */
  watermarkMs(): number | undefined
  /**
   * Under upstream watermarks, `listener` is called each time the task's event time advances,
   * including without any new record (idle inputs); never when watermarks are off.
   */
  onWatermarkAdvanced(listener: (eventTimeMs: number) => MaybePromise<void>): void
  currentSystemTimeMs(): number
  /** Counts a record the operator dropped (late, null key...). */
  recordDropped(reason: DropReason): void
}

/**
 * @internal What a task's context offers Tributary's own operators beyond `ProcessorContext`, as
 * Kafka Streams' operators cast their context to InternalProcessorContext. Every member is
 * optional: operators given a bare context (a unit test's) fall back to the defaults.
 */
export interface InternalProcessorContext<KOut = unknown, VOut = unknown> extends ProcessorContext<KOut, VOut> {
  /**
   * Wall-clock ms between two looks for closed windows by an aggregation that emits on window close
   * (`KafkaStreamsConfig.emitIntervalMsKstreamsWindowedAggregation`; default 1000, the test driver's 0).
   */
  readonly emitIntervalMsKstreamsWindowedAggregation?: number
}

export interface Processor<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> {
  init?(context: ProcessorContext<KOut, VOut>): MaybePromise<void>
  /** Returning a promise makes the task wait for it before the next record. */
  process(record: StreamRecord<KIn, VIn>): MaybePromise<void>
  close?(): MaybePromise<void>
}

/** Makes a fresh processor for each task: processors keep per-task state and must not be shared. */
export type ProcessorSupplier<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> = () => Processor<
  KIn,
  VIn,
  KOut,
  VOut
>
