import type { BrokerContext, Handler, Message } from '../broker-context.js'
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

/**
 * Fetch v4-12. Always a full response with session id 0 (no incremental sessions). Stored batches
 * are returned as read from the segment, whole; the first batch is returned even when larger than
 * the limits (KIP-74). When fewer than `min_bytes` are available the request waits until a
 * produce to one of its partitions or `max_wait_ms`.
 */
export const fetch: Handler = async (ctx, request) => {
  const topics = request.topics as FetchTopic[]
  const maxBytes = (request.maxBytes as number | undefined) ?? 0x7fffffff
  const minBytes = request.minBytes as number
  const maxWaitMs = request.maxWaitMs as number
  let result = readAll(ctx, topics, maxBytes)
  if (result.bytes < minBytes && maxWaitMs > 0 && !result.error && !ctx.closing) {
    const deadline = ctx.now() + maxWaitMs
    const keys = topics.flatMap((t) => t.partitions.map((p) => partitionKey(t.topic, p.partition)))
    while (result.bytes < minBytes && !result.error && !ctx.closing) {
      const remaining = deadline - ctx.now()
      if (remaining <= 0) break
      await waitForData(ctx, keys, remaining)
      result = readAll(ctx, topics, maxBytes)
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

function readAll(ctx: BrokerContext, topics: FetchTopic[], maxBytes: number): { responses: Message[]; bytes: number; error: boolean } {
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
        const highWatermark = BigInt(log.nextOffset)
        const base = { partitionIndex: p.partition, highWatermark, lastStableOffset: highWatermark, logStartOffset: BigInt(log.logStartOffset), abortedTransactions: null, preferredReadReplica: -1 }
        const limit = Math.min(p.partitionMaxBytes, maxBytes - bytes)
        const read = limit > 0 || bytes === 0 ? log.read(Number(p.fetchOffset), Math.max(limit, 0), bytes === 0) : { errorCode: ErrorCode.NONE, records: null }
        if (read.errorCode !== ErrorCode.NONE) error = true
        if (read.records !== null) bytes += read.records.length
        return { ...base, errorCode: read.errorCode, records: read.records ?? EMPTY }
      }),
    }
  })
  return { responses, bytes, error }
}
