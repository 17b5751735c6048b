import type { BrokerContext, Handler, Message } from '../broker-context.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { fencedForVersion } from './txn-errors.js'

interface TxnTopic {
  name: string
  partitions: number[]
}

interface TxnEntry {
  transactionalId: string
  producerId: bigint
  producerEpoch: number
  verifyOnly: boolean
  topics: TxnTopic[]
}

/**
 * AddPartitionsToTxn. v0-3 carry one transaction. v4+ carry a batch, each either added or, with
 * verifyOnly, checked against the open transaction without adding (Kafka's partition leaders
 * verify transactional produce this way, KIP-890). Kafka meant v4+ for brokers but serves it to
 * any client when no authorizer is set, and clients that know it prefer it; so does this broker.
 * Unknown partitions get UNKNOWN_TOPIC_OR_PARTITION and the others of their transaction
 * OPERATION_NOT_ATTEMPTED, as in Kafka; otherwise the coordinator answers for every partition.
 */
export const addPartitionsToTxn: Handler = async (ctx, request, meta) => {
  if (meta.apiVersion < 4) {
    const entry: TxnEntry = {
      transactionalId: request.v3AndBelowTransactionalId as string,
      producerId: request.v3AndBelowProducerId as bigint,
      producerEpoch: request.v3AndBelowProducerEpoch as number,
      verifyOnly: false,
      topics: request.v3AndBelowTopics as TxnTopic[],
    }
    return { throttleTimeMs: 0, resultsByTopicV3AndBelow: await answer(ctx, entry, meta.apiVersion) }
  }
  const transactions = request.transactions as TxnEntry[]
  const resultsByTransaction = await Promise.all(
    transactions.map(async (t): Promise<Message> => ({ transactionalId: t.transactionalId, topicResults: await answer(ctx, t, meta.apiVersion) })),
  )
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction }
}

/** The per-topic results of one transaction's partitions. */
async function answer(ctx: BrokerContext, t: TxnEntry, version: number): Promise<Message[]> {
  const partitions = t.topics.flatMap((topic) => topic.partitions.map((partition) => ({ topic: topic.name, partition })))
  const codes = await coordinatorCodes(ctx, t, partitions, version)
  let i = 0
  return t.topics.map((topic): Message => ({
    name: topic.name,
    resultsByPartition: topic.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: codes[i++] ?? ErrorCode.UNKNOWN_SERVER_ERROR })),
  }))
}

async function coordinatorCodes(ctx: BrokerContext, t: TxnEntry, partitions: Array<{ topic: string; partition: number }>, version: number): Promise<number[]> {
  const unknown = partitions.map((p) => ctx.topics.partition(p.topic, p.partition) === undefined)
  if (unknown.some(Boolean)) return unknown.map((u) => (u ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED))
  const all = (code: number): number[] => partitions.map(() => code)
  if (ctx.transactions === null) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE)
  if (t.transactionalId === '') return all(ErrorCode.INVALID_REQUEST)
  if (t.verifyOnly) return ctx.transactions.verifyPartitions(t.transactionalId, t.producerId, t.producerEpoch, partitions)
  const errorCode = await ctx.transactions.addPartitions(t.transactionalId, t.producerId, t.producerEpoch, partitions)
  return all(fencedForVersion(errorCode, version, 2))
}
