import type { Handler, Message } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { MAX_PARTITIONS } from './create-topics.js'

/** CreatePartitions v0-3: grows a topic; partitions can never be removed. */
export const createPartitions: Handler = (ctx, request) => {
  const validateOnly = request.validateOnly as boolean
  const results = (request.topics as Array<{ name: string; count: number }>).map((t): Message => {
    const topic = ctx.topics.get(t.name)
    if (topic === undefined) return { name: t.name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${t.name} does not exist.` }
    const current = topic.partitions.length
    if (t.count <= current) {
      const errorMessage = t.count === current ? `Topic already has ${current} partitions.` : `Topic currently has ${current} partitions, which is higher than the requested ${t.count}.`
      return { name: t.name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage }
    }
    if (t.count > MAX_PARTITIONS) {
      return { name: t.name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `Number of partitions ${t.count} exceeds this broker's limit of ${MAX_PARTITIONS}.` }
    }
    if (!validateOnly) ctx.topics.addPartitions(t.name, t.count)
    return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null }
  })
  return { throttleTimeMs: 0, results }
}
