import type { SerdeContext } from '../serde.js'

/**
 * How a schema's subject is named, as Confluent's serializers do:
 * - `topic` (TopicNameStrategy, the default): `<topic>-key` / `<topic>-value`;
 * - `record` (RecordNameStrategy): the record's full name, e.g. `velocity.rides.Ride`;
 * - `topic-record` (TopicRecordNameStrategy): `<topic>-<full name>`.
 */
export type SubjectNameStrategy = 'topic' | 'record' | 'topic-record'

export function subjectName(strategy: SubjectNameStrategy, context: SerdeContext, recordFullName: string | undefined): string {
  if (strategy === 'topic') return `${context.topic}-${context.isKey ? 'key' : 'value'}`
  if (recordFullName === undefined) {
    throw new Error(`the "${strategy}" subject name strategy needs a named Avro type (record, enum or fixed)`)
  }
  return strategy === 'record' ? recordFullName : `${context.topic}-${recordFullName}`
}
