import type avro from 'avsc'
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { SerdeError } from '../../core/errors.js'
import type { MaybePromise } from '../../core/maybe-promise.js'
import { decodeAvro, encodeAvro, parseAvroSchema, type AvroSchema } from '../avro/avro-serde.js'
import type { Serde, SerdeContext } from '../serde.js'
import { createSchemaRegistryClient, type SchemaRegistryAccess, type SchemaRegistryClient } from './registry-client.js'
import { subjectName, type SubjectNameStrategy } from './subject-name.js'
import { readSchemaId, withSchemaId } from './wire-format.js'

export interface SchemaRegistrySerdeOptions extends SchemaRegistryAccess {
  /** The registry's base URL, e.g. `http://127.0.0.1:8081`; `basicAuth` and `tls` apply to it. */
  url?: string
  /** Or a client instance, shared between serdes (and its HTTP agent with them), configured as it is. */
  registry?: SchemaRegistry
  /** Default `topic`. */
  subjectNameStrategy?: SubjectNameStrategy
  /** Register the writer schema on first use (default true); when false it must already be registered. */
  autoRegister?: boolean
  /**
   * The schema this serde writes with, and reads into: records written with another (compatible)
   * version are resolved into this one. Without it the serde can only read, with the writer's schema.
   */
  schema?: AvroSchema
}

/**
 * Avro in Confluent's wire format with schemas in a schema registry. Synchronous once the schema
 * ids it meets are cached; the first use of a subject or schema id returns a promise.
 *
 * @example
 * const tickets = Serdes.schemaRegistry<TicketOpened>({ url, schema: ticketOpenedSchema })
 */
export function schemaRegistrySerde<T>(options: SchemaRegistrySerdeOptions): Serde<T> {
  const client: SchemaRegistryClient = createSchemaRegistryClient(options)
  const strategy = options.subjectNameStrategy ?? 'topic'
  const autoRegister = options.autoRegister ?? true
  const readerType = options.schema === undefined ? undefined : parseAvroSchema(options.schema)
  const readerText = readerType === undefined ? undefined : JSON.stringify(readerType.schema({ exportAttrs: true }))

  const idBySubject = new Map<string, number>()
  const pendingIds = new Map<string, Promise<number>>()
  const writerById = new Map<number, { type: avro.Type; resolver?: avro.Resolver }>()
  const pendingWriters = new Map<number, Promise<void>>()

  function schemaIdFor(subject: string): Promise<number> {
    let pending = pendingIds.get(subject)
    if (pending === undefined) {
      pending = (autoRegister ? client.register(subject, readerText!) : client.lookup(subject, readerText!)).then(
        (id) => {
          idBySubject.set(subject, id)
          pendingIds.delete(subject)
          return id
        },
        (error: unknown) => {
          pendingIds.delete(subject)
          throw error
        },
      )
      pendingIds.set(subject, pending)
    }
    return pending
  }

  function loadWriter(id: number): Promise<void> {
    let pending = pendingWriters.get(id)
    if (pending === undefined) {
      pending = client.schemaById(id).then(
        (text) => {
          const type = parseAvroSchema(text)
          const resolver = readerType === undefined || readerType.equals(type) ? undefined : readerType.createResolver(type)
          writerById.set(id, { type, resolver })
          pendingWriters.delete(id)
        },
        (error: unknown) => {
          pendingWriters.delete(id)
          throw error
        },
      )
      pendingWriters.set(id, pending)
    }
    return pending
  }

  function decodeWith(id: number, data: Buffer, context: SerdeContext): T {
    const writer = writerById.get(id)!
    const payload = data.subarray(5)
    if (readerType !== undefined && writer.resolver !== undefined) return decodeAvro(readerType, payload, context, writer.resolver) as T
    return decodeAvro(writer.type, payload, context) as T
  }

  return {
    serialize(value: T, context: SerdeContext): MaybePromise<Buffer> {
      if (readerType === undefined) {
        throw new SerdeError('This schema registry serde has no `schema`, so it cannot write: pass the Avro schema to write with.')
      }
      let subject: string
      try {
        subject = subjectName(strategy, context, readerType.name)
      } catch (cause) {
        throw new SerdeError(`Cannot name the subject for topic "${context.topic}": ${(cause as Error).message}.`, { cause })
      }
      const payload = encodeAvro(readerType, value, context)
      const id = idBySubject.get(subject)
      if (id !== undefined) return withSchemaId(id, payload)
      return schemaIdFor(subject).then((schemaId) => withSchemaId(schemaId, payload))
    },
    deserialize(data: Buffer, context: SerdeContext): MaybePromise<T> {
      const id = readSchemaId(data, `The ${context.isKey ? 'key' : 'value'} of a record on topic "${context.topic}"`)
      if (writerById.has(id)) return decodeWith(id, data, context)
      return loadWriter(id).then(
        () => decodeWith(id, data, context),
        (cause: unknown) => {
          throw new SerdeError(`Unknown schema id ${id} in a record on topic "${context.topic}": ${(cause as Error).message}`, { cause })
        },
      )
    },
  }
}
