/**
 * The one task engine: the runtime drives it against Kafka, the test driver in memory. Tasks, their
 * input queues, input deserialization, stores, restoration, state directories and the exception
 * handlers' policy.
 */
export { formatTaskId, parseTaskId, tasksForTopology } from './task-id.js'
export { GlobalTask, GLOBAL_TASK_ID } from './global-task.js'
export type { GlobalTaskConfig, GlobalTaskMetrics } from './global-task.js'
export { TaskRecordCollector } from './record-collector.js'
export type { RecordCollector } from './record-collector.js'
export type { TaskId, TaskSpec } from './task-id.js'
export { PartitionGroup } from './partition-group.js'
export type { FetchedLag, NextRecord, PartitionGroupOptions } from './partition-group.js'
export { RecordQueue } from './record-queue.js'
export type { Queueable } from './record-queue.js'
export { StreamTask } from './stream-task.js'
export type { RecordsDropped, StreamTaskConfig } from './stream-task.js'
export type { TaskMetrics } from './task-metrics.js'
export type { QueuedRecord } from './input-deserializer.js'
export { StateDirectory } from './state-directory.js'
export type { TaskDirectoryLock } from './state-directory.js'
export { readCheckpointFile, writeCheckpointFile } from './checkpoint-file.js'
export { ChangelogRestorer, ChangelogTruncatedError } from './changelog-restorer.js'
export type { ChangelogRestorerOptions, RestoreProgress, RestoreTarget } from './changelog-restorer.js'
export { DEAD_LETTER_HEADERS, deadLetterRecord, headersOf } from './dead-letter.js'
export { resolveExceptionHandlers } from './exception-handlers.js'
export type { DeserializationExceptionHandler, ExceptionHandlers, ProcessingExceptionHandler, ProductionExceptionHandler } from './exception-handlers.js'
export type * from './types.js'
