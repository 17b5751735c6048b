import { describe, expect, it } from 'vitest'
import { SerdeError } from '../../src/core/errors.js'
import { debeziumSourceTimestamp, debeziumTimestampExtractor } from '../../src/serde/debezium.js'
import { Serdes } from '../../src/serde/serdes.js'

const ctx = { topic: 'driver_profiles', isKey: false }
const keyCtx = { topic: 'driver_profiles', isKey: true }

interface Driver { id: number; name: string; rating: number }

const ada: Driver = { id: 7, name: 'Ada', rating: 4.9 }
const source = { version: '2.5.0', connector: 'postgresql', name: 'velocity', ts_ms: 1_700_000_000_123, db: 'fleet', table: 'drivers' }

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value))
}

/** The JsonConverter with schemas.enable=true wraps every event as { schema, payload }. */
function wrapped(payload: unknown): Buffer {
  return json({ schema: { type: 'struct', name: 'velocity.fleet.drivers.Envelope', fields: [] }, payload })
}

describe('Serdes.debezium', () => {
  const serde = Serdes.debezium<Driver>(Serdes.json())

  it.each([
    ['plain', (e: unknown) => json(e)],
    ['schema/payload wrapper', wrapped],
  ])('turns create, snapshot, update and delete events into rows and tombstones (%s JSON)', (_, encode) => {
    expect(serde.deserialize(encode({ before: null, after: ada, source, op: 'c', ts_ms: 1 }), ctx)).toEqual(ada)
    expect(serde.deserialize(encode({ before: null, after: ada, source: { ...source, snapshot: 'true' }, op: 'r', ts_ms: 1 }), ctx)).toEqual(ada)
    const renamed = { ...ada, name: 'Ada L.' }
    expect(serde.deserialize(encode({ before: ada, after: renamed, source, op: 'u', ts_ms: 1 }), ctx)).toEqual(renamed)
    expect(serde.deserialize(encode({ before: ada, after: null, source, op: 'd', ts_ms: 1 }), ctx)).toBeNull()
  })

  it('exposes source.ts_ms as the record timestamp, and falls back to the Kafka timestamp for deletes', () => {
    const row = serde.deserialize(json({ before: null, after: ada, source, op: 'c', ts_ms: 1_700_000_000_999 }), ctx) as Driver
    expect((row as unknown as Record<symbol, number>)[debeziumSourceTimestamp]).toBe(source.ts_ms)
    expect(Object.keys(row)).toEqual(['id', 'name', 'rating'])
    expect(debeziumTimestampExtractor({ value: row, timestamp: 5 })).toBe(source.ts_ms)
    expect(debeziumTimestampExtractor({ value: null, timestamp: 5 })).toBe(5)
  })

  it('rejects malformed events with typed errors', () => {
    expect(() => serde.deserialize(json({ before: null, after: null, source, op: 'c' }), ctx)).toThrow(
      expect.objectContaining({ code: 'TRIBUTARY_SERDE', message: expect.stringContaining('op "c" but no "after" row') }),
    )
    expect(() => serde.deserialize(json({ after: ada, source, op: 'x' }), ctx)).toThrow(/unknown op "x"/)
    expect(() => serde.deserialize(json({ id: 7 }), ctx)).toThrow(/not a Debezium envelope/)
    expect(() => serde.deserialize(Buffer.from('{'), ctx)).toThrow(SerdeError)
  })

  it('reads Avro envelopes through an Avro inner serde', () => {
    const value = { type: 'record', name: 'Value', namespace: 'velocity.fleet.drivers', fields: [
      { name: 'id', type: 'int' }, { name: 'name', type: 'string' }, { name: 'rating', type: 'double' }] }
    const envelopeSchema = {
      type: 'record', name: 'Envelope', namespace: 'velocity.fleet.drivers',
      fields: [
        { name: 'before', type: ['null', value], default: null },
        { name: 'after', type: ['null', 'velocity.fleet.drivers.Value'], default: null },
        { name: 'source', type: { type: 'record', name: 'Source', fields: [{ name: 'ts_ms', type: 'long' }, { name: 'db', type: 'string' }] } },
        { name: 'op', type: 'string' },
        { name: 'ts_ms', type: ['null', 'long'], default: null },
      ],
    }
    const avro = Serdes.avro<unknown>(envelopeSchema)
    const avroDebezium = Serdes.debezium<Driver>(avro)
    const bytes = avro.serialize({ before: null, after: ada, source: { ts_ms: 42, db: 'fleet' }, op: 'u', ts_ms: null }, ctx) as Buffer
    const row = avroDebezium.deserialize(bytes, ctx) as Driver
    expect({ ...row }).toEqual(ada)
    expect(debeziumTimestampExtractor({ value: row, timestamp: 0 })).toBe(42)
    const deleted = avro.serialize({ before: ada, after: null, source: { ts_ms: 43, db: 'fleet' }, op: 'd', ts_ms: null }, ctx) as Buffer
    expect(avroDebezium.deserialize(deleted, ctx)).toBeNull()
  })

  it('writes a row as a create event that reads back as the row', () => {
    const bytes = serde.serialize(ada, ctx) as Buffer
    const event = JSON.parse(bytes.toString()) as { op: string; after: Driver; source: { ts_ms: number } }
    expect(event.op).toBe('c')
    expect(event.after).toEqual(ada)
    expect(serde.deserialize(bytes, ctx)).toEqual(ada)
  })
})

describe('Serdes.debeziumKey', () => {
  it('reads the primary-key struct with or without the schema wrapper, or one column of it', () => {
    const struct = Serdes.debeziumKey<{ id: number }>(Serdes.json())
    expect(struct.deserialize(json({ id: 7 }), keyCtx)).toEqual({ id: 7 })
    expect(struct.deserialize(wrapped({ id: 7 }), keyCtx)).toEqual({ id: 7 })
    const id = Serdes.debeziumKey<number>(Serdes.json(), { field: 'id' })
    expect(id.deserialize(wrapped({ id: 7 }), keyCtx)).toBe(7)
    expect(JSON.parse((id.serialize(7, keyCtx) as Buffer).toString())).toEqual({ id: 7 })
    expect(() => id.deserialize(json({ uuid: 'x' }), keyCtx)).toThrow(/no "id" column/)
  })
})
