import type { RecordsDropped } from '../engine/stream-task.js'

/** Something a KafkaStreams instance wants its operator to know that is not an error. */
export interface StreamsWarning {
  /** `RECORDS_DROPPED`: a task dropped a record for the first time for this reason (later ones are only counted in `metrics()`). */
  readonly code: 'RECORDS_DROPPED'
  readonly message: string
  readonly taskId: string
  readonly nodeName: string
  readonly reason: RecordsDropped['reason']
}

const WHY: Record<RecordsDropped['reason'], string> = {
  late: 'it arrived after its window closed (older than stream time minus the window and its grace)',
  'null-key': 'its key is null',
  'null-value': 'its value is null',
  deserialization: 'it could not be deserialized (deserializationExceptionHandler)',
}

export function recordsDroppedWarning(drop: RecordsDropped): StreamsWarning {
  return {
    code: 'RECORDS_DROPPED',
    ...drop,
    message:
      `Task ${drop.taskId} dropped a record at ${drop.nodeName}: ${WHY[drop.reason]}. Later drops of this task for this reason are ` +
      `counted in metrics().droppedRecords without a warning.`,
  }
}
