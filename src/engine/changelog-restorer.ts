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
 * Rebuilds stores from their changelogs: each from its checkpointed offset (or the beginning of
 * the partition) up to the end offset seen when its restoration starts, one batch at a time.
 * Returns the offset reached per changelog partition: what the task's checkpoint starts from.
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
      const from = checkpoint.find((c) => c.topic === target.topic && c.partition === target.partition)?.offset ?? 0n
      reached.push({ topic: target.topic, partition: target.partition, offset: await this.restoreOne(target, from) })
    }
    return reached
  }

  private async restoreOne(target: RestoreTarget, from: bigint): Promise<bigint> {
    const { topic, partition, storeName } = target
    const end = await this.reader.endOffset(topic, partition)
    if (from > end) {
      throw new StateStoreError(
        `The checkpoint of store "${storeName}" is at offset ${from} of ${topic}-${partition}, past its end offset ${end}: ` +
          `the changelog was deleted or truncated. Wipe the task's state directory so the store is rebuilt from the changelog.`,
      )
    }
    const total = Number(end - from)
    let restored = 0
    let position = from
    const report = (done: boolean) => this.onProgress?.({ storeName, topic, partition, restored, total, done })
    while (position < end) {
      const entries = await this.reader.read(topic, partition, position, this.batchSize)
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
    return end
  }
}
