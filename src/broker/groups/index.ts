/**
 * The embedded broker's group coordinator: classic consumer groups and committed offsets,
 * persisted in the broker's data directory. The broker's dispatcher hands it the decoded
 * requests of the group APIs (see `GroupApiKey`).
 */
export { GroupCoordinator, GroupApiKey, type GroupCoordinatorOptions, type GroupClient } from './coordinator.js'
export { GroupCoordinatorError, GroupStoreError } from './errors.js'
export { KafkaErrorCode } from './error-codes.js'
export type { GroupState } from './group.js'
export type { TxnOffsetCommitInput, TxnOffsetCommitResult } from './txn-offsets.js'
export type { OffsetCommitEntry } from './offset-store.js'
