import { Agent } from 'node:https'
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { ConfigError, SerdeError } from '../../core/errors.js'
import { resolveTlsOptions, type TlsOptions } from '../../core/tls.js'

/** How to reach a registry that asks for credentials, or whose certificate a private CA signed. */
export interface SchemaRegistryAccess {
  /** HTTP basic auth: a user and password, or Confluent Cloud's API key and secret. */
  basicAuth?: { readonly username: string; readonly password: string }
  /** For an `https://` URL: the CA that signed the registry's certificate, a client certificate. */
  tls?: TlsOptions
}

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

export function createSchemaRegistryClient(options: { url?: string; registry?: SchemaRegistry } & SchemaRegistryAccess): SchemaRegistryClient {
  if (options.registry === undefined && options.url === undefined) {
    throw new SerdeError('Serdes.schemaRegistry needs `url` (e.g. "http://127.0.0.1:8081") or a `registry` client instance.')
  }
  if (options.registry !== undefined && (options.basicAuth !== undefined || options.tls !== undefined)) {
    throw new ConfigError('Serdes.schemaRegistry: basicAuth and tls configure the client made from `url`; a `registry` instance brings its own.')
  }
  const registry = options.registry ?? newRegistry(options.url!, options)
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

/** A client over `url` with the access settings checked: each mistake is a ConfigError naming it. */
function newRegistry(url: string, access: SchemaRegistryAccess): SchemaRegistry {
  const { basicAuth } = access
  if (basicAuth !== undefined && (typeof basicAuth?.username !== 'string' || basicAuth.username === '' || typeof basicAuth.password !== 'string')) {
    throw new ConfigError('Serdes.schemaRegistry: basicAuth must be { username, password } with a non-empty username.')
  }
  const tls = resolveTlsOptions('Serdes.schemaRegistry tls', access.tls)
  if (tls !== undefined && !url.startsWith('https://')) {
    throw new ConfigError(`Serdes.schemaRegistry: tls applies to an https:// registry URL, got ${JSON.stringify(url)}.`)
  }
  return new SchemaRegistry({
    host: url,
    retry: { retries: 2 },
    ...(basicAuth === undefined ? {} : { auth: { username: basicAuth.username, password: basicAuth.password } }),
    ...(tls === undefined ? {} : { agent: new Agent({ ...tls, keepAlive: true }) }),
  })
}

function registryError(what: string, cause: unknown): SerdeError {
  const e = cause as ResponseErrorLike
  const detail = e?.message ?? String(cause)
  if (e?.status === 401) {
    return new SerdeError(`Schema registry refused to ${what}: it needs credentials, or refused the ones given (401, ${detail}). Check basicAuth.`, { cause })
  }
  // The client turns a failed TLS handshake into a status-400 answer whose text is Node's reason.
  if (/certificate/i.test(detail) && e?.status === 400) {
    return new SerdeError(`Schema registry could not ${what}: its TLS certificate is not trusted (${detail}). Give tls.ca the CA that signed it.`, { cause })
  }
  if (e?.status === 403) return new SerdeError(`Schema registry refused to ${what}: these credentials may not do that (403, ${detail}).`, { cause })
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
