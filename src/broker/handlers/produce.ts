import type { Handler, Message } from '../broker-context.js'
import type { PartitionLog } from '../log/partition-log.js'
import { BrokerError } from '../errors.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { invalidTopicName } from '../topics.js'
import { topicOrAutoCreate } from './auto-create.js'
import { abortableForVersion } from './txn-errors.js'

interface PartitionData {
  index: number
  records: Buffer | null
}

/**
 * Produce v3-11. Batches are appended as sent (offsets assigned in place). acks=1 and acks=-1
 * answer once the bytes are written (with one replica, written is fully replicated), after any
 * sync the append made due under the topic's flush.messages, as Kafka; in fsync mode 'always',
 * acks=-1 also waits for an fdatasync of every partition written. acks=0 gets no response at
 * all. v9+ only changes the encoding (flexible); v10's leader hints come with
 * NOT_LEADER_OR_FOLLOWER, which one broker never answers; v11 clients get TRANSACTION_ABORTABLE
 * for transactional data outside the open transaction.
 */
export const produce: Handler = async (ctx, request, meta) => {
  const acks = request.acks as number
  const now = ctx.now()
  /** Every log written, with the sync its last append made due (if any). */
  const touched = new Map<PartitionLog, Promise<void> | undefined>()
  const responses = (request.topicData as Array<{ name: string; partitionData: PartitionData[] }>).map((t): Message => {
    const invalid = acks !== 0 && acks !== 1 && acks !== -1
    const topic = invalid || invalidTopicName(t.name) !== null ? undefined : topicOrAutoCreate(ctx, t.name, true)
    return {
      name: t.name,
      partitionResponses: t.partitionData.map((p): Message => {
        const base = { index: p.index, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n }
        if (invalid) return { ...base, errorCode: ErrorCode.INVALID_REQUIRED_ACKS }
        const log = topic?.partitions[p.index]
        if (log === undefined) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
        if (p.records === null || p.records.length === 0) return { ...base, errorCode: ErrorCode.CORRUPT_MESSAGE }
        // Transactional batches only from the current producer of the id, into partitions of its open transaction.
        const txnError = abortableForVersion(ctx.transactions?.verifyProduce(t.name, p.index, p.records) ?? ErrorCode.NONE, meta.apiVersion, 11)
        if (txnError !== ErrorCode.NONE) return { ...base, errorCode: txnError }
        const result = log.append(p.records, now)
        if (result.errorCode !== ErrorCode.NONE) return { ...base, errorCode: result.errorCode, logStartOffset: BigInt(log.logStartOffset) }
        touched.set(log, result.sync)
        ctx.fetchWaiters.notify(t.name, p.index)
        return {
          index: p.index,
          errorCode: ErrorCode.NONE,
          baseOffset: BigInt(result.baseOffset),
          logAppendTimeMs: BigInt(result.logAppendTime),
          logStartOffset: BigInt(log.logStartOffset),
        }
      }),
    }
  })
  if (acks === 0) {
    // Kafka closes the connection of an acks=0 producer whose records were refused: it is the
    // only signal such a producer gets, and it makes the client refresh its metadata.
    const failed = responses.flatMap((r) => (r.partitionResponses as Message[]).filter((p) => p.errorCode !== ErrorCode.NONE).map((p) => `${String(r.name)}-${String(p.index)}: error ${String(p.errorCode)}`))
    if (failed.length > 0) throw new BrokerError(`acks=0 produce refused (${failed.join(', ')})`)
    return null
  }
  const syncEveryLog = acks === -1 && ctx.durability.fsync === 'always'
  const syncs: Array<Promise<void>> = []
  for (const [log, due] of touched) {
    if (due !== undefined) syncs.push(due)
    else if (syncEveryLog) syncs.push(log.flush())
  }
  if (syncs.length > 0) {
    try {
      await Promise.all(syncs)
    } catch (error) {
      ctx.logger.error('fdatasync failed; answering produce with an error', { error: error instanceof Error ? error.message : String(error) })
      for (const r of responses) {
        for (const p of r.partitionResponses as Message[]) if (p.errorCode === ErrorCode.NONE) p.errorCode = ErrorCode.UNKNOWN_SERVER_ERROR
      }
    }
  }
  return { responses, throttleTimeMs: 0 }
}
