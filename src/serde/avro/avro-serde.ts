import avro from 'avsc'
import { SerdeError } from '../../core/errors.js'
import type { Serde, SerdeContext } from '../serde.js'
import { logicalTypes } from './logical-types.js'

/**
 * An Avro schema as JSON: an object (record, enum, fixed, array, map, or a primitive with a
 * logical type), an array (a union) or a type name. Kept loose so object literals type-check.
 */
export type AvroSchema = string | readonly AvroSchema[] | { readonly [attribute: string]: unknown }

/** Parses a schema with Tributary's logical types; a bad schema is a SerdeError that says why. */
export function parseAvroSchema(schema: AvroSchema | string): avro.Type {
  try {
    const json = typeof schema === 'string' && /^\s*[[{"]/.test(schema) ? (JSON.parse(schema) as AvroSchema) : schema
    return avro.Type.forSchema(json as avro.Schema, { logicalTypes, wrapUnions: false, assertLogicalTypes: true })
  } catch (cause) {
    if (cause instanceof SerdeError) throw cause
    throw new SerdeError(`Invalid Avro schema: ${(cause as Error).message}. Fix the schema definition.`, { cause })
  }
}

function where(context: SerdeContext): string {
  return `${context.isKey ? 'key' : 'value'} of a record on topic "${context.topic}"`
}

/** Encodes a value with `type`, with an error that names the fields that do not match the schema. */
export function encodeAvro(type: avro.Type, value: unknown, context: SerdeContext): Buffer {
  const invalid: string[] = []
  if (!type.isValid(value, { errorHook: (path) => invalid.push(path.join('.') || '(root)') })) {
    throw new SerdeError(
      `Cannot write the ${where(context)} with Avro schema ${type.name ?? type.typeName}: ` +
        `invalid field(s) ${invalid.join(', ')}. Make the value match the schema.`,
    )
  }
  return type.toBuffer(value)
}

/** Decodes `data` written with `writer` into the shape of `reader` (the same type when not evolved). */
export function decodeAvro(reader: avro.Type, data: Buffer, context: SerdeContext, resolver?: avro.Resolver): unknown {
  let decoded: { value: unknown; offset: number }
  try {
    decoded = reader.decode(data, 0, resolver)
  } catch (cause) {
    throw new SerdeError(`Corrupt Avro ${where(context)}: ${(cause as Error).message}.`, { cause })
  }
  if (decoded.offset < 0) {
    throw new SerdeError(`Truncated Avro ${where(context)}: ${data.length} bytes end before the schema's last field.`)
  }
  if (decoded.offset !== data.length) {
    throw new SerdeError(
      `Avro ${where(context)} has ${data.length - decoded.offset} trailing bytes after the value: ` +
        `it was not written with this schema.`,
    )
  }
  return decoded.value
}

/**
 * Plain Avro binary, without a schema registry: both sides must agree on the schema.
 *
 * @example
 * const rides = Serdes.avro<Ride>({ type: 'record', name: 'Ride', fields: [...] })
 */
export function avroSerde<T>(schema: AvroSchema | string): Serde<T> {
  const type = parseAvroSchema(schema)
  return {
    serialize: (value, context) => encodeAvro(type, value, context),
    deserialize: (data, context) => decodeAvro(type, data, context) as T,
  }
}
