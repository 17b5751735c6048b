import type { BrokerContext, Handler, Message } from '../broker-context.js'
import type { PartitionLog, ReadResult } from '../log/partition-log.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { partitionKey, type FetchWaiter } from '../server/fetch-waiters.js'

interface FetchPartition {
  partition: number
  fetchOffset: bigint
  partitionMaxBytes: number
}

interface FetchTopic {
  topic: string
  partitions: FetchPartition[]
}

const EMPTY = Buffer.alloc(0)

const READ_COMMITTED = 1

/**
 * Fetch v4-12. Always a full response with session id 0 (no incremental sessions). Stored batches
 * are returned as read from the segment, whole; the first batch is returned even when larger than
 * the limits (KIP-74). When fewer than `min_bytes` are available the request waits until a
 * produce (or a transaction marker) for one of its partitions or `max_wait_ms`. With
 * isolation_level=1 (read_committed) only batches below the last stable offset are returned,
 * with the aborted transactions of that range, which the client skips.
 */
export const fetch: Handler = async (ctx, request) => {
  const topics = request.topics as FetchTopic[]
  const maxBytes = (request.maxBytes as number | undefined) ?? 0x7fffffff
  const minBytes = request.minBytes as number
  const maxWaitMs = request.maxWaitMs as number
  const readCommitted = (request.isolationLevel as number | undefined) === READ_COMMITTED
  let result = readAll(ctx, topics, maxBytes, readCommitted)
  if (result.bytes < minBytes && maxWaitMs > 0 && !result.error && !ctx.closing) {
    const deadline = ctx.now() + maxWaitMs
    const keys = topics.flatMap((t) => t.partitions.map((p) => partitionKey(t.topic, p.partition)))
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

function readAll(ctx: BrokerContext, topics: FetchTopic[], maxBytes: number, readCommitted: boolean): { responses: Message[]; bytes: number; error: boolean } {
  let bytes = 0
  let error = false
  const responses = topics.map((t): Message => {
    const topic = ctx.topics.get(t.topic)
    return {
      topic: t.topic,
      partitions: t.partitions.map((p): Message => {
        const log = topic?.partitions[p.partition]
        if (log === undefined) {
          error = true
          return { partitionIndex: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: EMPTY }
        }
        const lastStableOffset = log.lastStableOffset
        const base = { partitionIndex: p.partition, highWatermark: BigInt(log.nextOffset), lastStableOffset: BigInt(lastStableOffset), logStartOffset: BigInt(log.logStartOffset), preferredReadReplica: -1 }
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
