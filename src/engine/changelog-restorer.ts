import { ConfigError, StateStoreError } from '../core/errors.js'
import type { ChangelogRecord, RestorableStore } from '../state/types.js'
import type { ChangelogEntry, ChangelogReader, TopicPartitionOffset } from './types.js'

/** One store to rebuild from one changelog partition. */
export interface RestoreTarget {
  readonly storeName: string
  readonly store: RestorableStore
  /** The changelog topic, or the source topic a table reuses as its changelog. */
  readonly topic: string
  readonly partition: number
  /**
   * Turns a record of the topic into what the store keeps, when the two differ (a timestamped
   * table store restored from its plain source topic). Default: key and value as they are.
   */
  readonly convert?: (entry: ChangelogEntry) => ChangelogRecord
  /**
   * Restore no further than this offset. A table's source topic is its input too: only what the
   * group committed is state; the records after it are yet to be processed (and would otherwise
   * be in the store before their turn, as old values from the future).
   */
  readonly endOffset?: bigint
}

/** Where restoration of one store stands; reported after every batch. */
export interface RestoreProgress {
  readonly storeName: string
  readonly topic: string
  readonly partition: number
  readonly restored: number
  /** Offsets between the start and the end offset: an upper bound (compaction leaves gaps). */
  readonly total: number
  readonly done: boolean
}

export interface ChangelogRestorerOptions {
  /** Records read and written per batch. Default 1000. */
  readonly batchSize?: number
  readonly onProgress?: (progress: RestoreProgress) => void
}

/**
 * The local state no longer matches its changelog: the checkpoint lies past the end of the
 * partition (the topic was deleted and created again) or below its start (retention or
 * DeleteRecords removed records the store was built from, or removes them while it restores).
 * The task's state must be wiped and rebuilt from what the partition holds, as Kafka Streams does
 * with a corrupted task.
 */
export class ChangelogTruncatedError extends StateStoreError {
  constructor(
    message: string,
    readonly topic: string,
    readonly partition: number,
  ) {
    super(message)
    this.name = 'ChangelogTruncatedError'
  }
}

/**
 * Rebuilds stores from their changelogs: each from its checkpointed offset (or the first offset
 * the partition still holds) up to the end offset seen when its restoration starts, one batch at
 * a time. Returns the offset reached per changelog partition: what the task's checkpoint starts
 * from. Fails with `ChangelogTruncatedError` when the checkpoint is outside the partition.
 */
export class ChangelogRestorer {
  private readonly batchSize: number
  private readonly onProgress: ((progress: RestoreProgress) => void) | undefined

  constructor(
    private readonly reader: ChangelogReader,
    options: ChangelogRestorerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new ConfigError(`The restore batch size must be a whole number >= 1, got ${this.batchSize}.`)
    this.onProgress = options.onProgress
  }

  async restore(targets: readonly RestoreTarget[], checkpoint: readonly TopicPartitionOffset[]): Promise<TopicPartitionOffset[]> {
    const reached: TopicPartitionOffset[] = []
    for (const target of targets) {
      const from = checkpoint.find((c) => c.topic === target.topic && c.partition === target.partition)?.offset
      reached.push({ topic: target.topic, partition: target.partition, offset: await this.restoreOne(target, from) })
    }
    return reached
  }

  private async restoreOne(target: RestoreTarget, checkpointed: bigint | undefined): Promise<bigint> {
    const { topic, partition, storeName } = target
    const logEnd = await this.reader.endOffset(topic, partition)
    const end = target.endOffset !== undefined && target.endOffset < logEnd ? target.endOffset : logEnd
    const start = await this.reader.startOffset(topic, partition)
    const from = checkpointed ?? start
    if (from > logEnd) {
      throw new ChangelogTruncatedError(
        `The checkpoint of store "${storeName}" is at offset ${from} of ${topic}-${partition}, past its end offset ${logEnd}: ` +
          `the changelog was deleted or truncated. Wipe the task's state directory so the store is rebuilt from the changelog.`,
        topic,
        partition,
      )
    }
    if (from < start) throw this.truncated(storeName, topic, partition, from, start)
    // A source topic whose committed offset is not past the checkpoint: nothing of it to restore
    // (its records after the committed offset are input), though restoration is still reported.
    const total = from < end ? Number(end - from) : 0
    let restored = 0
    let position = from
    const report = (done: boolean) => this.onProgress?.({ storeName, topic, partition, restored, total, done })
    while (position < end) {
      const entries = await this.readAt(target, position)
      // Nothing readable below the end: the rest are transaction markers or compacted away.
      if (entries.length === 0) break
      const batch: ChangelogRecord[] = []
      let last = position - 1n
      for (const entry of entries) {
        if (entry.offset < position) continue // a reader may hand back the start of its fetch again
        if (entry.offset >= end) break
        last = entry.offset
        if (entry.key === null) continue // unkeyed records cannot belong to a store
        batch.push(target.convert === undefined ? { key: entry.key, value: entry.value } : target.convert(entry))
      }
      if (last < position) break
      if (batch.length > 0) await target.store.restore(batch)
      restored += batch.length
      position = last + 1n
      report(false)
    }
    report(true)
    return from < end ? end : from
  }

  /** Reads a batch; a failed read below the partition's new start means records were deleted meanwhile. */
  private async readAt({ storeName, topic, partition }: RestoreTarget, position: bigint): Promise<readonly ChangelogEntry[]> {
    try {
      return await this.reader.read(topic, partition, position, this.batchSize)
    } catch (error) {
      const start = await this.reader.startOffset(topic, partition).catch(() => undefined)
      if (start !== undefined && start > position) throw this.truncated(storeName, topic, partition, position, start)
      throw error
    }
  }

  private truncated(storeName: string, topic: string, partition: number, offset: bigint, start: bigint): ChangelogTruncatedError {
    return new ChangelogTruncatedError(
      `Store "${storeName}" needs offset ${offset} of ${topic}-${partition}, but the partition now starts at ${start}: ` +
        `records it was built from were deleted (retention or DeleteRecords). Wipe the task's state directory so the store is rebuilt from what the partition holds.`,
      topic,
      partition,
    )
  }
}
