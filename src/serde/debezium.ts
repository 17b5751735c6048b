import { SerdeError } from '../core/errors.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Serde, SerdeContext } from './serde.js'

/*
 * Debezium change events (MySQL, PostgreSQL and other connectors). A value is an envelope
 * `{ before, after, source: { ts_ms, ... }, op, ts_ms }`, in JSON (with or without the
 * `{ schema, payload }` wrapper of the JsonConverter) or in Avro. For a table source, Tributary
 * turns each event into the row the table should hold: create (`c`), snapshot read (`r`) and
 * update (`u`) give the `after` row; delete (`d`) and truncate (`t`) give null, a tombstone.
 */

export type DebeziumOp = 'c' | 'r' | 'u' | 'd' | 't'

export interface DebeziumEnvelope<Row> {
  before: Row | null
  after: Row | null
  op: DebeziumOp
  source: { ts_ms: number; [field: string]: unknown }
  ts_ms?: number | null
}

/** Where a row decoded from a change event keeps its `source.ts_ms` (the commit time in the database). */
export const debeziumSourceTimestamp: unique symbol = Symbol.for('tributary.debezium.sourceTsMs')

function unwrap(decoded: unknown): unknown {
  if (decoded !== null && typeof decoded === 'object' && 'payload' in decoded && 'schema' in decoded) {
    return (decoded as { payload: unknown }).payload
  }
  return decoded
}

function rowOf<Row>(decoded: unknown, context: SerdeContext): Row | null {
  const event = unwrap(decoded) as Partial<DebeziumEnvelope<Row>> | null
  const where = `a change event on topic "${context.topic}"`
  if (event === null || typeof event !== 'object' || typeof event.op !== 'string') {
    throw new SerdeError(`${where} is not a Debezium envelope (no "op" field). Read this topic with the serde of its producer.`)
  }
  switch (event.op) {
    case 'c':
    case 'r':
    case 'u': {
      const after = event.after
      if (after === null || after === undefined || typeof after !== 'object') {
        throw new SerdeError(`${where} has op "${event.op}" but no "after" row. The connector sent a malformed event.`)
      }
      const tsMs = event.source?.ts_ms ?? event.ts_ms
      if (typeof tsMs === 'number') {
        Object.defineProperty(after, debeziumSourceTimestamp, { value: tsMs, enumerable: false })
      }
      return after
    }
    case 'd':
    case 't':
      return null
    default:
      throw new SerdeError(`${where} has unknown op "${String(event.op)}"; expected one of c, r, u, d, t.`)
  }
}

/**
 * Reads Debezium change events as table rows (null for deletes). `inner` decodes the envelope:
 * `Serdes.json()` for the JsonConverter, an Avro or schema registry serde for the AvroConverter.
 * Writing a row produces a create event (`op: "c"`) stamped with the current time.
 *
 * @example
 * const drivers = builder.table('driver_profiles', {
 *   keySerde: Serdes.debeziumKey(Serdes.json(), { field: 'id' }),
 *   valueSerde: Serdes.debezium<Driver>(Serdes.json()),
 *   timestampExtractor: debeziumTimestampExtractor,
 * })
 */
export function debeziumSerde<Row extends object>(inner: Serde<unknown>): Serde<Row | null> {
  return {
    deserialize(data, context): MaybePromise<Row | null> {
      const decoded = inner.deserialize(data, context)
      return isPromiseLike(decoded) ? decoded.then((d) => rowOf<Row>(d, context)) : rowOf<Row>(decoded, context)
    },
    serialize(row, context) {
      const now = Date.now()
      const envelope: DebeziumEnvelope<Row> = row === null
        ? { before: null, after: null, op: 'd', source: { ts_ms: now }, ts_ms: now }
        : { before: null, after: row, op: 'c', source: { ts_ms: now }, ts_ms: now }
      return inner.serialize(envelope, context)
    },
  }
}

/**
 * The record timestamp of a row read by `Serdes.debezium`: the source database's commit time
 * (`source.ts_ms`), or the Kafka record's timestamp for deletes and events without one.
 */
export function debeziumTimestampExtractor(record: { value: unknown; timestamp: number }): number {
  const value = record.value as { [debeziumSourceTimestamp]?: number } | null
  return value?.[debeziumSourceTimestamp] ?? record.timestamp
}

/**
 * Reads Debezium keys: the primary-key struct (`{ id: 7 }`, with or without the JsonConverter's
 * schema wrapper), or with `field` that one column of it.
 */
export function debeziumKeySerde<K>(inner: Serde<unknown>, options: { field?: string } = {}): Serde<K> {
  const field = options.field
  const pick = (decoded: unknown, context: SerdeContext): K => {
    const struct = unwrap(decoded)
    if (field === undefined) return struct as K
    if (struct === null || typeof struct !== 'object' || !(field in struct)) {
      throw new SerdeError(`A Debezium key on topic "${context.topic}" has no "${field}" column. Check the table's primary key.`)
    }
    return (struct as Record<string, unknown>)[field] as K
  }
  return {
    deserialize(data, context) {
      const decoded = inner.deserialize(data, context)
      return isPromiseLike(decoded) ? decoded.then((d) => pick(d, context)) : pick(decoded, context)
    },
    serialize(key, context) {
      return inner.serialize(field === undefined ? key : { [field]: key }, context)
    },
  }
}
