import type { RecordsDropped } from '../engine/stream-task.js'

/** Something a KafkaStreams instance wants its operator to know that is not an error. */
export type StreamsWarning = RecordsDroppedWarning | GroupJoinRetryWarning | ProcessingRetryWarning | StandbyFailureWarning

/** A task dropped a record for the first time for this reason (later ones are only counted in `metrics()`). */
export interface RecordsDroppedWarning {
  readonly code: 'RECORDS_DROPPED'
  readonly message: string
  readonly taskId: string
  readonly nodeName: string
  readonly reason: RecordsDropped['reason']
}

/** Joining the consumer group failed with a retriable error; the instance stays REBALANCING and tries again. */
export interface GroupJoinRetryWarning {
  readonly code: 'GROUP_JOIN_RETRY'
  readonly message: string
  readonly error: unknown
  readonly retryInMs: number
}

/**
 * Processing, a commit or a send failed with a retriable error (a broker restarting, a dropped
 * connection, a lost generation); the instance pauses and goes on. With `reprocessing`, the work
 * since the last commit was abandoned and is processed again: under at-least-once its outputs
 * may repeat; under exactly-once the aborted transaction hides them.
 */
export interface ProcessingRetryWarning {
  readonly code: 'PROCESSING_RETRY'
  readonly message: string
  readonly error: unknown
  readonly retryInMs: number
  readonly reprocessing: boolean
}

/**
 * Keeping a standby task up to date failed (the cluster, the disk). Processing is not affected:
 * with `retryInMs` the update is tried again then; without, the standby (`taskId`) could not be
 * opened and is left out until the next rebalance. Either way a failover may restore more.
 */
export interface StandbyFailureWarning {
  readonly code: 'STANDBY_FAILURE'
  readonly message: string
  readonly error: unknown
  readonly taskId: string | undefined
  readonly retryInMs: number | undefined
}

const WHY: Record<RecordsDropped['reason'], string> = {
  late: 'it arrived after its window closed (older than stream time minus the window and its grace)',
  'null-key': 'its key is null',
  'null-value': 'its value is null',
  deserialization: 'it could not be deserialized (deserializationExceptionHandler)',
}

export function recordsDroppedWarning(drop: RecordsDropped): RecordsDroppedWarning {
  return {
    code: 'RECORDS_DROPPED',
    ...drop,
    message:
      `Task ${drop.taskId} dropped a record at ${drop.nodeName}: ${WHY[drop.reason]}. Later drops of this task for this reason are ` +
      `counted in metrics().droppedRecords without a warning.`,
  }
}

export function groupJoinRetryWarning(error: unknown, retryInMs: number): GroupJoinRetryWarning {
  const why = error instanceof Error ? error.message : String(error)
  return {
    code: 'GROUP_JOIN_RETRY',
    error,
    retryInMs,
    message:
      `${why} Joining again in ${retryInMs} ms (until taskTimeoutMs). After a crash the broker holds the join until the ` +
      `old member's session expires (sessionTimeoutMs); a static groupInstanceId lets a restarted instance take its place at once.`,
  }
}

export function processingRetryWarning(error: unknown, retryInMs: number, reprocessing: boolean): ProcessingRetryWarning {
  const why = error instanceof Error ? error.message : String(error)
  return {
    code: 'PROCESSING_RETRY',
    error,
    retryInMs,
    reprocessing,
    message:
      `${why} Retrying in ${retryInMs} ms (until taskTimeoutMs)` +
      (reprocessing ? '; the records since the last commit are processed again.' : '; nothing is processed twice.'),
  }
}

export function standbyFailureWarning(error: unknown, taskId: string | undefined, retryInMs: number | undefined): StandbyFailureWarning {
  const why = error instanceof Error ? error.message : String(error)
  const what = taskId === undefined ? 'Updating the standby tasks' : `Standby task ${taskId}`
  return {
    code: 'STANDBY_FAILURE',
    error,
    taskId,
    retryInMs,
    message:
      `${what} failed: ${why} ` +
      (retryInMs === undefined ? 'It is left out until the next rebalance' : `Retrying in ${retryInMs} ms`) +
      '; processing goes on, but taking over these tasks may restore more of their changelogs.',
  }
}
