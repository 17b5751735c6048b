import type { BrokerContext, Handler, Message } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'

/** DeleteTopics v1-6 (v6 may name topics by id). */
export const deleteTopics: Handler = (ctx, request, meta) => {
  const targets: Array<{ name: string | null; topicId?: string }> =
    meta.apiVersion >= 6 ? (request.topics as Array<{ name: string | null; topicId: string }>) : (request.topicNames as string[]).map((name) => ({ name }))
  const responses: Message[] = targets.map((target) => {
    const name = target.name ?? ctx.topics.byId(target.topicId ?? '')?.name ?? null
    if (name === null) {
      return { name: null, topicId: target.topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: 'This server does not host this topic ID.' }
    }
    const topic = ctx.topics.get(name)
    if (topic === undefined) {
      return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' }
    }
    removeTopic(ctx, name)
    return { name, topicId: topic.id, errorCode: ErrorCode.NONE, errorMessage: null }
  })
  return { throttleTimeMs: 0, responses }
}

function removeTopic(ctx: BrokerContext, name: string): void {
  const partitions = ctx.topics.get(name)?.partitions.length ?? 0
  ctx.topics.delete(name)
  ctx.groups?.onTopicDeleted(name)
  // Long-polling fetches on the deleted partitions answer now with UNKNOWN_TOPIC_OR_PARTITION.
  for (let p = 0; p < partitions; p++) ctx.fetchWaiters.notify(name, p)
}
