import type { BrokerContext, Handler, Message } from '../broker-context.js'
import { LEADER_EPOCH } from '../log/partition-log.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { invalidTopicName, type Topic } from '../topics.js'
import { topicOrAutoCreate } from './auto-create.js'

interface RequestedTopic {
  /** v10+; the zero uuid when the topic is named. */
  topicId?: string
  /** Null from v10 when the topic is given by id (only honoured from v12, as in Kafka). */
  name: string | null
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
/** Kafka's value for "not requested". */
const OPERATIONS_NOT_REQUESTED = -2147483648
/**
 * AclOperation codes Kafka supports on a topic (READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE,
 * DESCRIBE_CONFIGS, ALTER_CONFIGS) and on the cluster (CREATE, ALTER, DESCRIBE, CLUSTER_ACTION,
 * DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE): without an authorizer, all are allowed.
 */
const TOPIC_OPERATIONS = [3, 4, 5, 6, 7, 8, 10, 11].reduce((bits, op) => bits | (1 << op), 0)
const CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0)

/**
 * Metadata v0-12: one broker, leader of every partition at epoch 0. v10+ report topic ids; v12
 * may ask for topics by id, and then, as in Kafka, only the ids count. v8+ report the operations
 * a client may perform when asked (all of them: there is no authorizer).
 */
export const metadata: Handler = (ctx, request, meta) => {
  const v = meta.apiVersion
  const requested = request.topics as RequestedTopic[] | null
  // v0 asks for every topic with an empty list, v1+ with null.
  const all = requested === null || (v === 0 && requested.length === 0)
  if (!all && v < 12 && requested.some((t) => t.name === null || (t.topicId !== undefined && t.topicId !== ZERO_UUID))) {
    // Kafka refuses ids before v12 ("not implemented on the server" for v10-11).
    return { throttleTimeMs: 0, brokers: [], topics: requested.map((t) => ({ errorCode: ErrorCode.INVALID_REQUEST, name: t.name, topicId: t.topicId, partitions: [] })) }
  }
  const allowAutoCreate = v < 4 ? true : (request.allowAutoTopicCreation as boolean)
  const topicOperations = request.includeTopicAuthorizedOperations === true ? TOPIC_OPERATIONS : OPERATIONS_NOT_REQUESTED
  const describe = (topic: Topic): Message => describeTopic(topic, ctx.nodeId, topicOperations)
  let topics: Message[]
  if (all) topics = ctx.topics.all().map(describe)
  else if (requested.some((t) => t.topicId !== undefined && t.topicId !== ZERO_UUID)) topics = byId(ctx, requested, describe)
  else topics = requested.map((t) => byName(ctx, t.name ?? '', allowAutoCreate, describe))
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: ctx.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, rack: null }],
    clusterId: ctx.clusterId,
    controllerId: ctx.nodeId,
    topics,
    clusterAuthorizedOperations: request.includeClusterAuthorizedOperations === true ? CLUSTER_OPERATIONS : OPERATIONS_NOT_REQUESTED,
  }
}

function byName(ctx: BrokerContext, name: string, allowAutoCreate: boolean, describe: (topic: Topic) => Message): Message {
  if (invalidTopicName(name) !== null) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, isInternal: false, partitions: [] }
  const topic = topicOrAutoCreate(ctx, name, allowAutoCreate)
  return topic === undefined ? { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [] } : describe(topic)
}

/** v12 by id: ids are never auto-created; an unknown one is UNKNOWN_TOPIC_ID with a null name. */
function byId(ctx: BrokerContext, requested: RequestedTopic[], describe: (topic: Topic) => Message): Message[] {
  const ids = [...new Set(requested.map((t) => t.topicId ?? ZERO_UUID).filter((id) => id !== ZERO_UUID))]
  return ids.map((id) => {
    const topic = ctx.topics.byId(id)
    return topic === undefined ? { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: id, isInternal: false, partitions: [] } : describe(topic)
  })
}

function describeTopic(topic: Topic, nodeId: number, topicAuthorizedOperations: number): Message {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: false,
    partitions: topic.partitions.map((_, index) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: index,
      leaderId: nodeId,
      leaderEpoch: LEADER_EPOCH,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations,
  }
}
