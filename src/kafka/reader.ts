import { Consumer, ListOffsetTimestamps } from '@platformatic/kafka'
import { OffsetOutOfRangeError, callKafka } from './errors.js'
import { PartitionFetcher, partitionKey } from './partition-fetcher.js'
import { closeForcefully, type KafkaSettings } from './connection.js'
import type { IsolationLevel, KafkaReader, RawRecord, TopicPartition } from './types.js'

export interface ReaderOptions {
  readonly isolationLevel: IsolationLevel
  /** Upper bound of bytes per fetch (default 8 MiB): the size of one restore batch. */
  readonly maxBytesPerFetch?: number
  /** Milliseconds a fetch may wait for data at the end of the log (default 200). */
  readonly maxWaitMs?: number
}

/**
 * Reads partitions by explicit offset, outside any group. Changelog restoration and global
 * tables use it to read from a checkpoint up to the end offset they saw when they started.
 */
export class PlatformaticReader implements KafkaReader {
  readonly #consumer: Consumer
  readonly #fetcher: PartitionFetcher
  readonly #isolation: IsolationLevel
  readonly #maxWaitMs: number
  readonly #deadlineMs: number

  constructor(settings: KafkaSettings, groupId: string, options: ReaderOptions) {
    // The client requires a group id on every consumer; the reader never joins it.
    this.#consumer = new Consumer({ ...settings.client, groupId, autocommit: false })
    this.#deadlineMs = settings.deadlineMs
    this.#isolation = options.isolationLevel
    this.#maxWaitMs = options.maxWaitMs ?? 200
    this.#fetcher = new PartitionFetcher(this.#consumer, options.isolationLevel, options.maxBytesPerFetch ?? 8 * 1024 * 1024, settings.deadlineMs)
  }

  async endOffset({ topic, partition }: TopicPartition): Promise<bigint> {
    const offsets = await this.#call(`Listing the end offset of ${topic}-${partition}`, () =>
      this.#consumer.listOffsets({
        topics: [topic],
        partitions: { [topic]: [partition] },
        isolationLevel: this.#isolation === 'read_committed' ? 1 : 0,
      }),
    )
    const offset = offsets.get(topic)?.[partition]
    if (offset === undefined) return 0n
    return offset
  }

  async startOffset({ topic, partition }: TopicPartition): Promise<bigint> {
    const offsets = await this.#call(`Listing the start offset of ${topic}-${partition}`, () =>
      this.#consumer.listOffsets({ topics: [topic], partitions: { [topic]: [partition] }, timestamp: ListOffsetTimestamps.EARLIEST }),
    )
    return offsets.get(topic)?.[partition] ?? 0n
  }

  async readRange(
    tp: TopicPartition,
    fromOffset: bigint,
    toOffset: bigint,
    onBatch: (records: RawRecord[]) => void | Promise<void>,
  ): Promise<bigint> {
    let offset = fromOffset
    while (offset < toOffset) {
      const fetched = (await this.#fetcher.fetch([{ ...tp, offset }], this.#maxWaitMs)).get(partitionKey(tp.topic, tp.partition))
      if (fetched?.outOfRange === true) throw new OffsetOutOfRangeError(tp.topic, tp.partition, offset)
      if (fetched === undefined || fetched.nextOffset <= offset) {
        // Nothing past `offset`: the range asked for more than the log holds (e.g. records
        // deleted or an end offset taken under another isolation level). Stop at the real end.
        const end = await this.endOffset(tp)
        if (end <= offset) return offset
        continue
      }
      const records = fetched.records.filter((r) => r.offset < toOffset)
      if (records.length > 0) await onBatch(records)
      offset = fetched.nextOffset < toOffset ? fetched.nextOffset : toOffset
    }
    return offset
  }

  async close(): Promise<void> {
    await this.#call('Closing the reader', () => closeForcefully(this.#consumer))
  }

  /** A client call bounded by the operation deadline (plus any wait the call itself asks for). */
  #call<T>(operation: string, call: () => Promise<T>, extraMs = 0): Promise<T> {
    return callKafka(operation, call, this.#deadlineMs + extraMs)
  }
}
