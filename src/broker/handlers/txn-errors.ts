import { ErrorCode } from '../protocol/error-codes.js'

/**
 * PRODUCER_FENCED exists only from the API versions of KIP-588 (InitProducerId 4,
 * AddPartitionsToTxn 2, AddOffsetsToTxn 2, EndTxn 2, TxnOffsetCommit 3); older clients are told
 * INVALID_PRODUCER_EPOCH, which they handle the same way, as Kafka does.
 */
export function fencedForVersion(errorCode: number, version: number, firstVersionWithFenced: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && version < firstVersionWithFenced ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode
}

/**
 * TRANSACTION_ABORTABLE (KIP-890) exists only from Produce 11 and TxnOffsetCommit 4; Kafka tells
 * older clients INVALID_TXN_STATE for the same refusal.
 */
export function abortableForVersion(errorCode: number, version: number, firstVersionWithAbortable: number): number {
  return errorCode === ErrorCode.TRANSACTION_ABORTABLE && version < firstVersionWithAbortable ? ErrorCode.INVALID_TXN_STATE : errorCode
}
