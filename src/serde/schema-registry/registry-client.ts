import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { SerdeError } from '../../core/errors.js'

/**
 * The few calls Tributary makes of a schema registry, over @kafkajs/confluent-schema-registry's
 * HTTP client. Its high-level `register` insists that the subject's compatibility level equals
 * the one it is given and builds types without our logical types, so the serdes use its REST
 * layer directly and parse schemas themselves.
 */
export interface SchemaRegistryClient {
  /** Registers `schema` under `subject` (or finds it when already there) and returns its id. */
  register(subject: string, schema: string): Promise<number>
  /** The id of `schema` under `subject`, without registering it. */
  lookup(subject: string, schema: string): Promise<number>
  /** The schema text of `id`. */
  schemaById(id: number): Promise<string>
}

interface RestResponse { data(): unknown }
type RestCall = (params: Record<string, unknown>) => Promise<RestResponse>
interface RestApi {
  Schema: { find: RestCall }
  Subject: { register: RestCall; registered: RestCall }
}

interface ResponseErrorLike { status?: number; message?: string }

function restApiOf(registry: SchemaRegistry): RestApi {
  const api = (registry as unknown as { api?: RestApi }).api
  if (api === undefined) throw new SerdeError('This @kafkajs/confluent-schema-registry version has no REST client; use version 3 or 4.')
  return api
}

export function createSchemaRegistryClient(options: { url?: string; registry?: SchemaRegistry }): SchemaRegistryClient {
  if (options.registry === undefined && options.url === undefined) {
    throw new SerdeError('Serdes.schemaRegistry needs `url` (e.g. "http://127.0.0.1:8081") or a `registry` client instance.')
  }
  const registry = options.registry ?? new SchemaRegistry({ host: options.url!, retry: { retries: 2 } })
  const api = restApiOf(registry)
  const idOf = async (call: Promise<RestResponse>, what: string): Promise<number> => {
    try {
      const body = (await call).data() as { id?: unknown }
      if (typeof body.id !== 'number') throw new Error(`no schema id in the registry's answer`)
      return body.id
    } catch (cause) {
      throw registryError(what, cause)
    }
  }
  return {
    register: (subject, schema) => idOf(api.Subject.register({ subject, body: { schema } }), `register a schema under subject "${subject}"`),
    lookup: (subject, schema) => idOf(api.Subject.registered({ subject, body: { schema } }), `find the schema under subject "${subject}"`),
    async schemaById(id) {
      try {
        const body = (await api.Schema.find({ id })).data() as { schema?: unknown; schemaType?: unknown }
        if (body.schemaType !== undefined && body.schemaType !== 'AVRO') {
          throw new SerdeError(`Schema id ${id} is a ${String(body.schemaType)} schema; Tributary's registry serde reads Avro only.`)
        }
        if (typeof body.schema !== 'string') throw new Error('no schema in the registry answer')
        return body.schema
      } catch (cause) {
        if (cause instanceof SerdeError) throw cause
        throw registryError(`fetch schema id ${id}`, cause)
      }
    },
  }
}

function registryError(what: string, cause: unknown): SerdeError {
  const e = cause as ResponseErrorLike
  const detail = e?.message ?? String(cause)
  if (e?.status === 404) return new SerdeError(`Schema registry could not ${what}: not found (${detail}).`, { cause })
  if (e?.status === 409) {
    return new SerdeError(
      `Schema registry refused to ${what}: the schema is incompatible with the subject's earlier versions (${detail}). ` +
        'Evolve the schema compatibly (e.g. add fields with defaults) or change the subject\'s compatibility level.',
      { cause },
    )
  }
  if (e?.status === 422) return new SerdeError(`Schema registry could not ${what}: invalid schema (${detail}).`, { cause })
  return new SerdeError(`Schema registry could not ${what}: ${detail}. Check that the registry is reachable.`, { cause, canRetry: true })
}
