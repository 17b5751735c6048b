import type { Handler, Message } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { invalidTopicName, type Topic } from '../topics.js'
import { topicOrAutoCreate } from './auto-create.js'

/** Metadata v0-9: one broker, leader of every partition. */
export const metadata: Handler = (ctx, request, meta) => {
  const requested = request.topics as Array<{ name: string }> | null
  // v0 asks for every topic with an empty list, v1+ with null.
  const all = requested === null || (meta.apiVersion === 0 && requested.length === 0)
  const allowAutoCreate = meta.apiVersion < 4 ? true : (request.allowAutoTopicCreation as boolean)
  const topics: Message[] = []
  if (all) {
    for (const topic of ctx.topics.all()) topics.push(describeTopic(topic, topic.name, ctx.nodeId))
  } else {
    for (const { name } of requested) {
      if (invalidTopicName(name) !== null) {
        topics.push({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, isInternal: false, partitions: [] })
        continue
      }
      const topic = topicOrAutoCreate(ctx, name, allowAutoCreate)
      topics.push(topic === undefined ? { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [] } : describeTopic(topic, name, ctx.nodeId))
    }
  }
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: ctx.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, rack: null }],
    clusterId: ctx.clusterId,
    controllerId: ctx.nodeId,
    topics,
    clusterAuthorizedOperations: -2147483648,
  }
}

function describeTopic(topic: Topic, name: string, nodeId: number): Message {
  return {
    errorCode: ErrorCode.NONE,
    name,
    topicId: topic.id,
    isInternal: false,
    partitions: topic.partitions.map((_, index) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: index,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: -2147483648,
  }
}
