import type { Consumer } from '@platformatic/kafka'
import { ABORTED_TRANSACTIONS, bypassClientAbortFilter } from './client-abort-filter.js'
import { callKafka } from './errors.js'
import type { IsolationLevel, RawHeader, RawRecord, TopicPartition, TopicPartitionOffset } from './types.js'

const TRANSACTIONAL = 0x10
const CONTROL = 0x20
/** Shared by every record fetched without headers (most of them): no array per record. */
const NO_HEADERS: readonly RawHeader[] = []

/** What one fetch returned for a partition. */
export interface FetchedPartition {
  readonly records: RawRecord[]
  /** Offset to fetch next: past every batch returned, control and aborted ones included. */
  readonly nextOffset: bigint
  /**
   * The end of what this consumer may read, as the broker answered: the high watermark, or the
   * last stable offset under read_committed. Undefined when the broker did not say.
   */
  readonly endOffset?: bigint
  /** The requested offset is outside the log (below its start, usually after DeleteRecords). */
  readonly outOfRange?: true
}

interface ResponsePartition {
  partitionIndex: number
  errorCode: number
  highWatermark?: bigint
  lastStableOffset?: bigint
  records?: unknown
  /** Emptied before the client sees it; the broker's list is under ABORTED_TRANSACTIONS. */
  abortedTransactions: Aborted[]
  [ABORTED_TRANSACTIONS]?: Aborted[] | null
}

interface FetchResponseShape {
  responses: { topicId: string; partitions: ResponsePartition[] }[]
}

interface LeaderTopic {
  topicId: string
  partitions: { partition: number; fetchOffset: bigint }[]
}

const OFFSET_OUT_OF_RANGE = 1

/**
 * The client rejects a whole fetch when any partition has an error, keeping the parsed response
 * on the error. When every failing partition is merely out of range, that response is still
 * good for the others.
 */
function responseWithOnlyOutOfRange(error: unknown): FetchResponseShape | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 3 && typeof current === 'object' && current !== null; depth++) {
    const response = (current as { response?: unknown }).response
    if (typeof response === 'object' && response !== null && Array.isArray((response as FetchResponseShape).responses)) {
      const shaped = response as FetchResponseShape
      const onlyOutOfRange = shaped.responses.every((t) =>
        t.partitions.every((p) => p.errorCode === 0 || p.errorCode === OFFSET_OUT_OF_RANGE),
      )
      return onlyOutOfRange ? shaped : undefined
    }
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

interface Batch {
  firstOffset: bigint
  lastOffsetDelta: number
  firstTimestamp: bigint
  attributes: number
  producerId: bigint
  records: { offsetDelta: number; timestampDelta: bigint; key: Buffer | null; value: Buffer | null; headers: [Buffer | null, Buffer | null][] }[]
}

interface Aborted {
  producerId: bigint
  firstOffset: bigint
}

/** A map key for a partition (NUL cannot occur in a topic name). */
export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`

export function keyToPartition(key: string): TopicPartition {
  const at = key.lastIndexOf('\u0000')
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) }
}

/**
 * Fetches explicit partition offsets through the client's low-level `fetch`, so Tributary owns
 * positions, pausing and seeking. Aborted transactional data is dropped with Kafka's own rule
 * (track aborted producers from the fetch response until their abort marker).
 */
export class PartitionFetcher {
  readonly #consumer: Consumer
  readonly #isolation: IsolationLevel
  readonly #maxBytes: number
  readonly #deadlineMs: number

  constructor(consumer: Consumer, isolation: IsolationLevel, maxBytes: number, deadlineMs: number) {
    this.#deadlineMs = deadlineMs
    this.#consumer = consumer
    this.#isolation = isolation
    this.#maxBytes = maxBytes
    bypassClientAbortFilter(consumer)
  }

  async fetch(requests: readonly TopicPartitionOffset[], maxWaitMs: number): Promise<Map<string, FetchedPartition>> {
    const result = new Map<string, FetchedPartition>()
    if (requests.length === 0) return result
    const topics = [...new Set(requests.map((r) => r.topic))]
    const metadata = await this.#call('Fetching cluster metadata', () => this.#consumer.metadata({ topics }))
    const byLeader = new Map<number, Map<string, LeaderTopic>>()
    const topicById = new Map<string, string>()
    for (const { topic, partition, offset } of requests) {
      const topicMetadata = metadata.topics.get(topic)
      const partitionMetadata = topicMetadata?.partitions[partition]
      if (topicMetadata === undefined || partitionMetadata === undefined) continue
      topicById.set(topicMetadata.id, topic)
      const leaderTopics = byLeader.get(partitionMetadata.leader) ?? new Map()
      byLeader.set(partitionMetadata.leader, leaderTopics)
      const entry = leaderTopics.get(topic) ?? { topicId: topicMetadata.id, partitions: [] }
      leaderTopics.set(topic, entry)
      entry.partitions.push({ partition, fetchOffset: offset })
    }
    const requested = new Map(requests.map((r) => [partitionKey(r.topic, r.partition), r.offset]))
    await Promise.all(
      [...byLeader].map(async ([node, leaderTopics]) => {
        const response = await this.#fetchFromLeader(node, [...leaderTopics.values()], maxWaitMs)
        for (const topicResponse of response.responses) {
          const topic = topicById.get(topicResponse.topicId) ?? topicResponse.topicId
          for (const p of topicResponse.partitions) {
            const key = partitionKey(topic, p.partitionIndex)
            const from = requested.get(key)
            if (from === undefined) continue
            if (p.errorCode === OFFSET_OUT_OF_RANGE) {
              result.set(key, { records: [], nextOffset: from, outOfRange: true })
              continue
            }
            const decoded = this.#decode(topic, p.partitionIndex, from, (p.records ?? []) as Batch[], p[ABORTED_TRANSACTIONS] ?? p.abortedTransactions ?? [])
            const end = this.#isolation === 'read_committed' ? p.lastStableOffset : p.highWatermark
            result.set(key, end === undefined || end < 0n ? decoded : { ...decoded, endOffset: end })
          }
        }
      }),
    )
    return result
  }

  async #fetchFromLeader(node: number, topics: LeaderTopic[], maxWaitMs: number): Promise<FetchResponseShape> {
    try {
      return await this.#call(
        `Fetching from broker ${node}`,
        () =>
          this.#consumer.fetch({
            node,
            maxWaitTime: maxWaitMs,
            maxBytes: this.#maxBytes,
            isolationLevel: this.#isolation === 'read_committed' ? 1 : 0,
            topics: topics.map((t) => ({
              topicId: t.topicId,
              partitions: t.partitions.map((p) => ({
                partition: p.partition,
                fetchOffset: p.fetchOffset,
                partitionMaxBytes: this.#maxBytes,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              })),
            })),
          }),
        maxWaitMs,
      )
    } catch (error) {
      const partial = responseWithOnlyOutOfRange(error)
      if (partial === undefined) throw error
      return partial
    }
  }

  #decode(topic: string, partition: number, from: bigint, batches: Batch[], aborted: readonly Aborted[]): FetchedPartition {
    const records: RawRecord[] = []
    let nextOffset = from
    const pendingAborts = this.#isolation === 'read_committed' ? [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1)) : []
    const abortedProducers = new Set<bigint>()
    for (const batch of batches) {
      const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta)
      if (lastOffset + 1n > nextOffset) nextOffset = lastOffset + 1n
      while (pendingAborts.length > 0 && (pendingAborts[0] as Aborted).firstOffset <= lastOffset) {
        abortedProducers.add((pendingAborts.shift() as Aborted).producerId)
      }
      if ((batch.attributes & CONTROL) !== 0) {
        const type = batch.records[0]?.key?.readInt16BE(2)
        if (type === 0) abortedProducers.delete(batch.producerId)
        continue
      }
      if ((batch.attributes & TRANSACTIONAL) !== 0 && abortedProducers.has(batch.producerId)) continue
      // Per batch, not per record: BigInt arithmetic allocates. Timestamps are milliseconds, exact as numbers.
      const firstTimestamp = Number(batch.firstTimestamp)
      // A fetch returns whole batches, which may start before the requested offset.
      const skipBelowDelta = from > batch.firstOffset ? Number(from - batch.firstOffset) : 0
      for (const record of batch.records) {
        if (record.offsetDelta < skipBelowDelta) continue
        records.push({
          topic,
          partition,
          offset: batch.firstOffset + BigInt(record.offsetDelta),
          key: record.key,
          value: record.value,
          timestamp: firstTimestamp + Number(record.timestampDelta),
          headers: record.headers.length === 0 ? NO_HEADERS : record.headers.map(([k, v]) => [k === null ? '' : k.toString('utf8'), v] as const),
        })
      }
    }
    return { records, nextOffset }
  }

  /** A client call bounded by the operation deadline (plus any wait the call itself asks for). */
  #call<T>(operation: string, call: () => Promise<T>, extraMs = 0): Promise<T> {
    return callKafka(operation, call, this.#deadlineMs + extraMs)
  }
}
