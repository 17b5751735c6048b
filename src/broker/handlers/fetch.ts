import type { BrokerContext, Handler, Message } from '../broker-context.js'
import { LEADER_EPOCH, type PartitionLog, type ReadResult } from '../log/partition-log.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { partitionKey, type FetchWaiter } from '../server/fetch-waiters.js'
import { leaderEpochError } from './leader-epoch.js'

interface FetchPartition {
  partition: number
  /** v9+; negative when the client names no epoch. */
  currentLeaderEpoch?: number
  fetchOffset: bigint
  /** v12+: the epoch of the last batch the client read, negative for none. */
  lastFetchedEpoch?: number
  partitionMaxBytes: number
}

interface FetchTopic {
  /** v0-12 name topics, v13+ give their ids (KIP-516). */
  topic?: string
  topicId?: string
  partitions: FetchPartition[]
}

/** A requested topic with its name resolved; `name` is undefined for an unknown topic id. */
interface ResolvedTopic extends FetchTopic {
  name: string | undefined
}

const EMPTY = Buffer.alloc(0)

const READ_COMMITTED = 1

/** Kafka's FetchMetadata epochs: 0 opens a session, -1 fetches without one; others are incremental. */
const INITIAL_EPOCH = 0
const FINAL_EPOCH = -1

/**
 * Fetch v4-17. Always a full response with session id 0: the broker keeps no fetch sessions
 * (KIP-227 lets it decline to create one), so an incremental fetch (v7+, epoch > 0) is answered
 * FETCH_SESSION_ID_NOT_FOUND and the client falls back to full fetches. Stored batches are
 * returned as read from the segment, whole; the first batch is returned even when larger than
 * the limits (KIP-74). When fewer than `min_bytes` are available the request waits until a
 * produce (or a transaction marker) for one of its partitions or `max_wait_ms`. With
 * isolation_level=1 (read_committed) only batches below the last stable offset are returned,
 * with the aborted transactions of that range, which the client skips. v13+ name topics by id.
 */
export const fetch: Handler = async (ctx, request, meta) => {
  const sessionEpoch = (request.sessionEpoch as number | undefined) ?? FINAL_EPOCH
  if (sessionEpoch !== INITIAL_EPOCH && sessionEpoch !== FINAL_EPOCH) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] }
  }
  const byId = meta.apiVersion >= 13
  const topics = (request.topics as FetchTopic[]).map((t): ResolvedTopic => ({ ...t, name: byId ? ctx.topics.byId(t.topicId ?? '')?.name : t.topic }))
  const maxBytes = (request.maxBytes as number | undefined) ?? 0x7fffffff
  const minBytes = request.minBytes as number
  const maxWaitMs = request.maxWaitMs as number
  const readCommitted = (request.isolationLevel as number | undefined) === READ_COMMITTED
  let result = readAll(ctx, topics, maxBytes, readCommitted)
  if (result.bytes < minBytes && maxWaitMs > 0 && !result.error && !ctx.closing) {
    const deadline = ctx.now() + maxWaitMs
    const keys = topics.flatMap((t) => (t.name === undefined ? [] : t.partitions.map((p) => partitionKey(t.name!, p.partition))))
    while (result.bytes < minBytes && !result.error && !ctx.closing) {
      const remaining = deadline - ctx.now()
      if (remaining <= 0) break
      await waitForData(ctx, keys, remaining)
      result = readAll(ctx, topics, maxBytes, readCommitted)
    }
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: result.responses }
}

function waitForData(ctx: BrokerContext, keys: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const waiter: FetchWaiter = {
      keys,
      wake: () => {
        clearTimeout(timer)
        ctx.fetchWaiters.remove(waiter)
        resolve()
      },
    }
    const timer = setTimeout(waiter.wake, timeoutMs)
    ctx.fetchWaiters.add(waiter)
  })
}

function readAll(ctx: BrokerContext, topics: ResolvedTopic[], maxBytes: number, readCommitted: boolean): { responses: Message[]; bytes: number; error: boolean } {
  let bytes = 0
  // An error or a diverging epoch answers at once, as Kafka completes a delayed fetch.
  let error = false
  const responses = topics.map((t): Message => {
    const topic = t.name === undefined ? undefined : ctx.topics.get(t.name)
    return {
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p): Message => {
        const log = topic?.partitions[p.partition]
        const refused = (errorCode: number): Message => {
          error = true
          return { partitionIndex: p.partition, errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: EMPTY }
        }
        if (log === undefined) return refused(t.name === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        const epochError = leaderEpochError(p.currentLeaderEpoch)
        if (epochError !== ErrorCode.NONE) return refused(epochError)
        const lastStableOffset = log.lastStableOffset
        const base = { partitionIndex: p.partition, highWatermark: BigInt(log.nextOffset), lastStableOffset: BigInt(lastStableOffset), logStartOffset: BigInt(log.logStartOffset), preferredReadReplica: -1 }
        const divergence = divergingEpoch(log, p)
        if (divergence === ErrorCode.OFFSET_OUT_OF_RANGE) return refused(divergence)
        if (divergence !== null) {
          error = true
          return { ...base, errorCode: ErrorCode.NONE, abortedTransactions: null, divergingEpoch: divergence, records: EMPTY }
        }
        const limit = Math.min(p.partitionMaxBytes, maxBytes - bytes)
        const fetchOffset = Number(p.fetchOffset)
        const canRead = limit > 0 || bytes === 0
        const read = !canRead
          ? { errorCode: ErrorCode.NONE, records: null, end: 0 }
          : readCommitted
            ? readCommittedRange(log, fetchOffset, Math.max(limit, 0), bytes === 0, lastStableOffset)
            : { ...log.read(fetchOffset, Math.max(limit, 0), bytes === 0), end: 0 }
        if (read.errorCode !== ErrorCode.NONE) error = true
        if (read.records !== null) bytes += read.records.length
        const abortedTransactions = readCommitted && read.records !== null ? log.transactions.abortedOverlapping(fetchOffset, read.end).map((a) => ({ producerId: a.producerId, firstOffset: BigInt(a.firstOffset) })) : null
        return { ...base, abortedTransactions, errorCode: read.errorCode, records: read.records ?? EMPTY }
      }),
    }
  })
  return { responses, bytes, error }
}

/**
 * Fetch v12+ (KIP-595's check, made by Kafka for consumers too): the client's last fetched epoch
 * must end at or after its fetch offset in this log. The log has had one epoch, so epoch 0 ends at
 * the log end offset, and a later epoch is unknown (Kafka answers OFFSET_OUT_OF_RANGE for both an
 * unknown epoch and an offset below the log start). Returns null when the read may go ahead.
 */
function divergingEpoch(log: PartitionLog, p: FetchPartition): { epoch: number; endOffset: bigint } | typeof ErrorCode.OFFSET_OUT_OF_RANGE | null {
  const lastFetched = p.lastFetchedEpoch ?? -1
  if (lastFetched < 0) return null
  if (lastFetched > LEADER_EPOCH || p.fetchOffset < BigInt(log.logStartOffset)) return ErrorCode.OFFSET_OUT_OF_RANGE
  const endOffset = BigInt(log.nextOffset)
  return p.fetchOffset > endOffset ? { epoch: LEADER_EPOCH, endOffset } : null
}

/**
 * A read_committed read: batches below the last stable offset, cut so that every aborted
 * transaction whose data is returned has its abort marker in the same response and no producer
 * has two aborted transactions in it. Kafka does not promise either, but clients that filter
 * aborted records by the markers of one response (@platformatic/kafka keeps one range per
 * producer) would otherwise pass aborted records on. Returns the offset the read stops before.
 */
function readCommittedRange(log: PartitionLog, fetchOffset: number, maxBytes: number, minOneBatch: boolean, lastStableOffset: number): ReadResult & { end: number } {
  let end = lastStableOffset
  const seen = new Set<bigint>()
  for (const a of log.transactions.abortedOverlapping(fetchOffset, end)) {
    // The producer's second aborted transaction in range: stop before its data.
    if (seen.has(a.producerId)) end = Math.min(end, a.firstOffset)
    seen.add(a.producerId)
  }
  let read = log.read(fetchOffset, maxBytes, minOneBatch, end)
  if (read.records === null) return { ...read, end }
  const returnedEnd = endOffsetOf(read.records)
  // An aborted transaction cut by the size limit before its marker: stop before its data instead.
  const cut = log.transactions.abortedOverlapping(fetchOffset, returnedEnd).find((a) => a.lastOffset >= returnedEnd && a.firstOffset > fetchOffset)
  if (cut !== undefined) {
    end = cut.firstOffset
    read = log.read(fetchOffset, maxBytes, minOneBatch, end)
  } else {
    end = Math.min(end, returnedEnd)
  }
  return { ...read, end }
}

/** The offset after the last record of the batches in `records`. */
function endOffsetOf(records: Buffer): number {
  let end = 0
  for (let pos = 0; pos + 27 <= records.length; pos += 12 + records.readInt32BE(pos + 8)) {
    end = Number(records.readBigInt64BE(pos)) + records.readInt32BE(pos + 23) + 1
  }
  return end
}
