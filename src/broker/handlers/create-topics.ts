import type { Handler, Message } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { configSourceOf, validateTopicConfig } from '../log/topic-config.js'
import { invalidTopicName } from '../topics.js'

/** Every partition is a folder and open files: a limit keeps a bad request from exhausting them. */
export const MAX_PARTITIONS = 10_000

interface CreatableTopic {
  name: string
  numPartitions: number
  replicationFactor: number
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>
  configs: Array<{ name: string; value: string | null }>
}

/** CreateTopics v2-7, with Kafka's validation and error codes for a one-broker cluster. */
export const createTopics: Handler = (ctx, request) => {
  const validateOnly = (request.validateOnly as boolean | undefined) ?? false
  const seen = new Map<string, number>()
  for (const t of request.topics as CreatableTopic[]) seen.set(t.name, (seen.get(t.name) ?? 0) + 1)
  const topics = (request.topics as CreatableTopic[]).map((t): Message => {
    const fail = (errorCode: number, errorMessage: string): Message => ({ name: t.name, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: null })
    if ((seen.get(t.name) ?? 0) > 1) return fail(ErrorCode.INVALID_REQUEST, `Create topics request from client contains multiple entries for topic ${t.name}.`)
    const invalid = invalidTopicName(t.name)
    if (invalid !== null) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, invalid)
    if (ctx.topics.get(t.name) !== undefined) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`)
    let partitions = t.numPartitions === -1 ? ctx.defaultPartitions : t.numPartitions
    if (t.assignments.length > 0) {
      if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
        return fail(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.')
      }
      if (t.assignments.some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== ctx.nodeId)) {
        return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Replica assignment must name broker ${ctx.nodeId} only: this cluster has one broker.`)
      }
      partitions = t.assignments.length
    }
    if (partitions <= 0) return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.')
    if (partitions > MAX_PARTITIONS) return fail(ErrorCode.INVALID_PARTITIONS, `Number of partitions ${partitions} exceeds this broker's limit of ${MAX_PARTITIONS}.`)
    if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
      if (t.replicationFactor <= 0) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.')
      return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${t.replicationFactor} time(s): The target replication factor of ${t.replicationFactor} cannot be reached because only 1 broker(s) are registered.`)
    }
    const configs: Record<string, string> = {}
    for (const c of t.configs) {
      const problem = validateTopicConfig(c.name, c.value)
      if (problem !== null) return fail(ErrorCode.INVALID_CONFIG, problem)
      if (c.value !== null) configs[c.name] = c.value
    }
    if (!validateOnly) ctx.topics.create(t.name, partitions, configs)
    const topic = ctx.topics.get(t.name)
    return {
      name: t.name,
      topicId: topic?.id,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: partitions,
      replicationFactor: 1,
      configs: Object.entries({ ...ctx.topics.configDefaults, ...configs }).map(([name, value]) => ({
        name,
        value,
        readOnly: false,
        configSource: configSourceOf(name, configs, ctx.topics.configDefaults),
        isSensitive: false,
      })),
    }
  })
  return { throttleTimeMs: 0, topics }
}
